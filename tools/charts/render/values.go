package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// normalize gives YAML-decoded data the types Helm's values have: Helm reads YAML through JSON,
// so maps are map[string]interface{}, every number is a float64 (charts test `kindIs "float64"`)
// and timestamps are strings.
func normalize(v interface{}) interface{} {
	switch t := v.(type) {
	case map[string]interface{}:
		out := make(map[string]interface{}, len(t))
		for k, val := range t {
			out[k] = normalize(val)
		}
		return out
	case map[interface{}]interface{}:
		out := make(map[string]interface{}, len(t))
		for k, val := range t {
			out[fmt.Sprint(k)] = normalize(val)
		}
		return out
	case []interface{}:
		out := make([]interface{}, len(t))
		for i, val := range t {
			out[i] = normalize(val)
		}
		return out
	case int:
		return float64(t)
	case int64:
		return float64(t)
	case uint64:
		return float64(t)
	case float32:
		return float64(t)
	case time.Time:
		return t.Format(time.RFC3339)
	default:
		return v
	}
}

func parseYAML(data []byte) (interface{}, error) {
	var v interface{}
	if err := yaml.Unmarshal(data, &v); err != nil {
		return nil, err
	}
	return normalize(v), nil
}

func parseYAMLMap(data []byte) (map[string]interface{}, error) {
	v, err := parseYAML(data)
	if err != nil {
		return nil, err
	}
	if v == nil {
		return map[string]interface{}{}, nil
	}
	m, ok := v.(map[string]interface{})
	if !ok {
		return nil, fmt.Errorf("the document is a %T, not a map", v)
	}
	return m, nil
}

func readValuesFile(path string) (map[string]interface{}, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("failed to parse %s: %v", path, err)
	}
	m, err := parseYAMLMap(data)
	if err != nil {
		return nil, fmt.Errorf("failed to parse %s: %v", path, err)
	}
	return m, nil
}

// mergeMaps merges user-supplied values files: b over a, maps deeply (Helm's mergeMaps).
func mergeMaps(a, b map[string]interface{}) map[string]interface{} {
	out := make(map[string]interface{}, len(a))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		if vm, ok := v.(map[string]interface{}); ok {
			if am, ok := out[k].(map[string]interface{}); ok {
				out[k] = mergeMaps(am, vm)
				continue
			}
		}
		out[k] = v
	}
	return out
}

func deepCopy(v interface{}) interface{} {
	switch t := v.(type) {
	case map[string]interface{}:
		out := make(map[string]interface{}, len(t))
		for k, val := range t {
			out[k] = deepCopy(val)
		}
		return out
	case []interface{}:
		out := make([]interface{}, len(t))
		for i, val := range t {
			out[i] = deepCopy(val)
		}
		return out
	default:
		return v
	}
}

// coalesce computes the values templates see: the user's values over the chart's defaults, each
// enabled subchart's under its name with the parent's globals (Helm's CoalesceValues).
func coalesce(c *chart, user map[string]interface{}) map[string]interface{} {
	dest := deepCopy(user).(map[string]interface{})
	coalesceInto(c, dest)
	return dest
}

func coalesceInto(c *chart, dest map[string]interface{}) {
	coalesceTables(dest, deepCopy(c.values).(map[string]interface{}))
	for _, d := range c.deps {
		if !d.enabled {
			continue
		}
		sub, ok := dest[d.chart.name].(map[string]interface{})
		if !ok {
			if _, exists := dest[d.chart.name]; exists && dest[d.chart.name] != nil {
				continue // Helm warns and skips a non-map value for a subchart
			}
			sub = map[string]interface{}{}
			dest[d.chart.name] = sub
		}
		coalesceGlobals(sub, dest)
		coalesceInto(d.chart, sub)
	}
}

// coalesceTables fills dst with what src has and dst lacks; a null in dst deletes the key.
func coalesceTables(dst, src map[string]interface{}) {
	for k, v := range src {
		dv, exists := dst[k]
		switch {
		case exists && dv == nil:
			delete(dst, k)
		case !exists:
			dst[k] = v
		default:
			dm, dIsMap := dv.(map[string]interface{})
			sm, sIsMap := v.(map[string]interface{})
			if dIsMap && sIsMap {
				coalesceTables(dm, sm)
			}
		}
	}
}

// coalesceGlobals copies the parent's globals into a subchart's: the parent's scalars win, maps
// are merged with the subchart's own keys kept.
func coalesceGlobals(dest, parent map[string]interface{}) {
	dg, _ := dest["global"].(map[string]interface{})
	if dg == nil {
		dg = map[string]interface{}{}
	}
	pg, _ := parent["global"].(map[string]interface{})
	for k, v := range pg {
		if vm, ok := v.(map[string]interface{}); ok {
			if dm, ok := dg[k].(map[string]interface{}); ok {
				coalesceTables(dm, deepCopy(vm).(map[string]interface{}))
				continue
			}
			dg[k] = deepCopy(vm)
			continue
		}
		dg[k] = v
	}
	dest["global"] = dg
}

// toYAML marshals as Helm's toYaml does (through JSON: whole floats print as integers, keys
// sorted, two-space indentation, no trailing newline).
func toYAML(v interface{}) string {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(jsonShaped(v)); err != nil {
		return ""
	}
	enc.Close()
	return strings.TrimSuffix(buf.String(), "\n")
}

// jsonShaped round-trips a value through JSON so YAML output matches Helm's (sigs.k8s.io/yaml).
func jsonShaped(v interface{}) interface{} {
	data, err := json.Marshal(v)
	if err != nil {
		return v
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var out interface{}
	if err := dec.Decode(&out); err != nil {
		return v
	}
	return numbersToYAML(out)
}

func numbersToYAML(v interface{}) interface{} {
	switch t := v.(type) {
	case map[string]interface{}:
		for k, val := range t {
			t[k] = numbersToYAML(val)
		}
		return t
	case []interface{}:
		for i, val := range t {
			t[i] = numbersToYAML(val)
		}
		return t
	case json.Number:
		if i, err := t.Int64(); err == nil {
			return i
		}
		if f, err := t.Float64(); err == nil && !math.IsInf(f, 0) {
			return f
		}
		return t.String()
	default:
		return v
	}
}

func scalarString(v interface{}) string {
	switch t := v.(type) {
	case nil:
		return ""
	case string:
		return t
	case float64:
		if t == math.Trunc(t) && math.Abs(t) < 1e15 {
			return fmt.Sprintf("%d", int64(t))
		}
		return fmt.Sprint(t)
	default:
		return fmt.Sprint(t)
	}
}

func b64(data []byte) string { return base64.StdEncoding.EncodeToString(data) }
