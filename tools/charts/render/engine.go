package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"text/template"

	"github.com/Masterminds/semver"
	"github.com/Masterminds/sprig"
)

type renderedFile struct {
	name    string // <top>/templates/x.yaml, <top>/charts/<sub>/templates/x.yaml
	content string
}

// capabilities is .Capabilities.
type capabilities struct {
	KubeVersion kubeVersion
	APIVersions versionSet
	HelmVersion map[string]string
}

type kubeVersion struct {
	Version    string
	Major      string
	Minor      string
	GitVersion string
}

func (k kubeVersion) String() string { return k.Version }

type versionSet []string

// Has is true for "group/version" and "group/version/Kind" the cluster serves.
func (v versionSet) Has(apiVersion string) bool {
	for _, x := range v {
		if x == apiVersion {
			return true
		}
	}
	return false
}

// What a Kubernetes cluster of the supported versions serves without extensions (the built-in
// group/versions Helm's default set has, for the kinds the charts use and their neighbours).
var builtinAPIVersions = []string{
	"v1", "apps/v1", "batch/v1", "policy/v1", "autoscaling/v1", "autoscaling/v2",
	"networking.k8s.io/v1", "rbac.authorization.k8s.io/v1", "scheduling.k8s.io/v1",
	"storage.k8s.io/v1", "coordination.k8s.io/v1", "discovery.k8s.io/v1", "events.k8s.io/v1",
	"node.k8s.io/v1", "certificates.k8s.io/v1", "admissionregistration.k8s.io/v1",
	"apiextensions.k8s.io/v1", "apiregistration.k8s.io/v1", "authentication.k8s.io/v1",
	"authorization.k8s.io/v1", "flowcontrol.apiserver.k8s.io/v1beta3",
}

func newCapabilities(version string, extra []string) (capabilities, error) {
	v, err := semver.NewVersion(strings.TrimPrefix(version, "v"))
	if err != nil {
		return capabilities{}, fmt.Errorf("invalid kube version %q: %v", version, err)
	}
	set := append(versionSet{}, builtinAPIVersions...)
	set = append(set, extra...)
	return capabilities{
		KubeVersion: kubeVersion{
			Version:    "v" + v.String(),
			Major:      fmt.Sprint(v.Major()),
			Minor:      fmt.Sprint(v.Minor()),
			GitVersion: "v" + v.String(),
		},
		APIVersions: set,
		HelmVersion: map[string]string{"Version": "v3.16.0-render", "GoVersion": "go"},
	}, nil
}

func checkKubeVersion(c *chart, caps capabilities) error {
	if constraint, _ := c.metadata["KubeVersion"].(string); constraint != "" {
		con, err := semver.NewConstraint(constraint)
		if err != nil {
			return fmt.Errorf("chart %s: invalid kubeVersion %q: %v", c.name, constraint, err)
		}
		v, _ := semver.NewVersion(strings.TrimPrefix(caps.KubeVersion.Version, "v"))
		if !con.Check(v) {
			return fmt.Errorf("chart requires kubeVersion: %s which is incompatible with Kubernetes %s", constraint, caps.KubeVersion.Version)
		}
	}
	for _, d := range c.deps {
		if d.enabled {
			if err := checkKubeVersion(d.chart, caps); err != nil {
				return err
			}
		}
	}
	return nil
}

// A template and the data it renders with.
type job struct {
	name   string
	chart  *chart
	values map[string]interface{}
}

func collect(c *chart, values map[string]interface{}, out *[]job, texts map[string]string) {
	for rel, text := range c.templates {
		name := c.fullPath() + "/" + rel
		texts[name] = text
		*out = append(*out, job{name: name, chart: c, values: values})
	}
	for _, d := range c.deps {
		if !d.enabled {
			continue
		}
		sub, _ := values[d.chart.name].(map[string]interface{})
		if sub == nil {
			sub = map[string]interface{}{}
		}
		collect(d.chart, sub, out, texts)
	}
}

func renderTemplates(top *chart, values map[string]interface{}, release map[string]interface{}, caps capabilities) ([]renderedFile, error) {
	var jobs []job
	texts := map[string]string{}
	collect(top, values, &jobs, texts)
	// Helm parses deeper templates first, so a parent chart's definitions override its
	// subcharts' where both define a name.
	sort.Slice(jobs, func(i, j int) bool {
		di, dj := strings.Count(jobs[i].name, "/"), strings.Count(jobs[j].name, "/")
		if di != dj {
			return di > dj
		}
		return jobs[i].name < jobs[j].name
	})

	t := template.New("gotpl").Option("missingkey=zero")
	includedNames := map[string]int{}
	funcs := funcMap(t, includedNames)
	t.Funcs(funcs)
	for _, j := range jobs {
		if _, err := t.New(j.name).Parse(texts[j.name]); err != nil {
			return nil, cleanupParseError(err)
		}
	}

	var out []renderedFile
	for _, j := range jobs {
		base := j.name[strings.LastIndex(j.name, "/")+1:]
		if strings.HasPrefix(base, "_") || j.chart.isLibrary {
			continue
		}
		data := map[string]interface{}{
			"Values":       j.values,
			"Release":      release,
			"Chart":        j.chart.metadata,
			"Capabilities": caps,
			"Files":        j.chart.files,
			"Template": map[string]interface{}{
				"Name":     j.name,
				"BasePath": j.chart.fullPath() + "/templates",
			},
		}
		var buf bytes.Buffer
		if err := t.ExecuteTemplate(&buf, j.name, data); err != nil {
			return nil, cleanupExecError(j.name, err)
		}
		content := strings.ReplaceAll(buf.String(), "<no value>", "")
		if strings.HasSuffix(j.name, "NOTES.txt") {
			continue // rendered (so its errors count) but, as in helm template, not printed
		}
		out = append(out, renderedFile{name: j.name, content: content})
	}
	sort.Slice(out, func(i, k int) bool { return out[i].name < out[k].name })
	return out, nil
}

const recursionMaxNums = 1000

func funcMap(t *template.Template, includedNames map[string]int) template.FuncMap {
	f := sprig.TxtFuncMap()
	delete(f, "env")
	delete(f, "expandenv")

	f["include"] = func(name string, data interface{}) (string, error) {
		if includedNames[name] > recursionMaxNums {
			return "", fmt.Errorf("rendering template has a nested reference name: %s", name)
		}
		includedNames[name]++
		defer func() { includedNames[name]-- }()
		var buf strings.Builder
		if err := t.ExecuteTemplate(&buf, name, data); err != nil {
			return "", err
		}
		return buf.String(), nil
	}
	f["tpl"] = func(text string, data interface{}) (string, error) {
		clone, err := t.Clone()
		if err != nil {
			return "", err
		}
		name := "tpl"
		if m, ok := data.(map[string]interface{}); ok {
			if tm, ok := m["Template"].(map[string]interface{}); ok {
				if n, ok := tm["Name"].(string); ok {
					name = n
				}
			}
		}
		clone.Option("missingkey=zero")
		if _, err := clone.New(name).Parse(text); err != nil {
			return "", fmt.Errorf("cannot parse template %q: %v", text, err)
		}
		var buf strings.Builder
		if err := clone.ExecuteTemplate(&buf, name, data); err != nil {
			return "", fmt.Errorf("error during tpl function execution for %q: %v", text, err)
		}
		return strings.ReplaceAll(buf.String(), "<no value>", ""), nil
	}
	f["required"] = func(warn string, val interface{}) (interface{}, error) {
		if val == nil {
			return val, errors.New(warn)
		}
		if s, ok := val.(string); ok && s == "" {
			return val, errors.New(warn)
		}
		return val, nil
	}
	f["toYaml"] = func(v interface{}) string { return toYAML(v) }
	f["mustToYaml"] = func(v interface{}) (string, error) { return toYAML(v), nil }
	f["fromYaml"] = func(s string) map[string]interface{} {
		m, err := parseYAMLMap([]byte(s))
		if err != nil {
			return map[string]interface{}{"Error": err.Error()}
		}
		return m
	}
	f["fromYamlArray"] = func(s string) []interface{} {
		v, err := parseYAML([]byte(s))
		if err != nil {
			return []interface{}{err.Error()}
		}
		a, _ := v.([]interface{})
		return a
	}
	f["toJson"] = func(v interface{}) string {
		data, err := json.Marshal(v)
		if err != nil {
			return ""
		}
		return string(data)
	}
	f["mustToJson"] = func(v interface{}) (string, error) {
		data, err := json.Marshal(v)
		return string(data), err
	}
	f["fromJson"] = func(s string) map[string]interface{} {
		m := map[string]interface{}{}
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			m["Error"] = err.Error()
		}
		return m
	}
	f["fromJsonArray"] = func(s string) []interface{} {
		var a []interface{}
		if err := json.Unmarshal([]byte(s), &a); err != nil {
			return []interface{}{err.Error()}
		}
		return a
	}
	// helm template talks to no cluster: lookup finds nothing.
	f["lookup"] = func(apiVersion, kind, namespace, name string) (map[string]interface{}, error) {
		return map[string]interface{}{}, nil
	}
	return f
}

var execErrorCall = regexp.MustCompile(`error calling \w+: `)
var execErrorLocation = regexp.MustCompile(`^template: ([^:]+:\d+:\d+)`)

// cleanupExecError words a template error as Helm does: "execution error at (<file>:<line>:<col>):
// <the message of fail or required>".
func cleanupExecError(name string, err error) error {
	msg := err.Error()
	if locs := execErrorCall.FindAllStringIndex(msg, -1); len(locs) > 0 {
		inner := msg[locs[len(locs)-1][1]:]
		loc := name
		if m := execErrorLocation.FindStringSubmatch(msg); m != nil {
			loc = m[1]
		}
		return fmt.Errorf("execution error at (%s): %s", loc, inner)
	}
	return fmt.Errorf("%s: %s", name, msg)
}

func cleanupParseError(err error) error {
	return fmt.Errorf("parse error at (%s)", strings.TrimPrefix(err.Error(), "template: "))
}
