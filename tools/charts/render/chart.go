package main

import (
	"fmt"
	"github.com/Masterminds/semver"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// chart is a loaded chart: its metadata, default values, schema, templates, other files and
// the dependencies it declares (loaded from file:// repositories or its charts/ directory).
type chart struct {
	dir       string
	name      string
	metadata  map[string]interface{} // as templates see .Chart (Name, Version, AppVersion, ...)
	isLibrary bool
	values    map[string]interface{}
	schema    []byte
	templates map[string]string // "templates/x.yaml" -> text
	files     files             // everything else, as .Files
	deps      []*dependency
	parent    *chart
}

type dependency struct {
	chart     *chart
	alias     string
	condition string
	enabled   bool
}

// Helm's template names: <top>/charts/<sub>/templates/x.yaml.
func (c *chart) fullPath() string {
	if c.parent == nil {
		return c.name
	}
	return c.parent.fullPath() + "/charts/" + c.name
}

var metadataKeys = map[string]string{
	"apiVersion": "APIVersion", "name": "Name", "version": "Version", "kubeVersion": "KubeVersion",
	"description": "Description", "type": "Type", "keywords": "Keywords", "home": "Home",
	"sources": "Sources", "dependencies": "Dependencies", "maintainers": "Maintainers", "icon": "Icon",
	"appVersion": "AppVersion", "deprecated": "Deprecated", "annotations": "Annotations",
	"condition": "Condition", "tags": "Tags",
}

func loadChart(dir string, parent *chart) (*chart, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "Chart.yaml"))
	if err != nil {
		return nil, fmt.Errorf("%s: no Chart.yaml: %v", dir, err)
	}
	metaRaw, err := parseYAMLMap(raw)
	if err != nil {
		return nil, fmt.Errorf("cannot load Chart.yaml of %s: %v", dir, err)
	}
	meta := map[string]interface{}{}
	for k, v := range metaRaw {
		key, ok := metadataKeys[k]
		if !ok {
			continue
		}
		switch v.(type) {
		case map[string]interface{}, []interface{}, bool:
			meta[key] = v
		default:
			meta[key] = scalarString(v)
		}
	}
	name, _ := meta["Name"].(string)
	if name == "" {
		return nil, fmt.Errorf("validation: chart.metadata.name is required (%s)", dir)
	}
	if v, _ := meta["Version"].(string); v == "" {
		return nil, fmt.Errorf("validation: chart.metadata.version is required (%s)", dir)
	}
	c := &chart{dir: dir, name: name, metadata: meta, parent: parent, templates: map[string]string{}, files: files{}}
	c.isLibrary = meta["Type"] == "library"

	if raw, err := os.ReadFile(filepath.Join(dir, "values.yaml")); err == nil {
		vals, err := parseYAMLMap(raw)
		if err != nil {
			return nil, fmt.Errorf("cannot load values.yaml of %s: %v", name, err)
		}
		c.values = vals
	} else {
		c.values = map[string]interface{}{}
	}
	if raw, err := os.ReadFile(filepath.Join(dir, "values.schema.json")); err == nil {
		c.schema = raw
	}

	err = filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if info.IsDir() {
			if rel == "charts" || strings.HasPrefix(info.Name(), ".") && rel != "." {
				return filepath.SkipDir
			}
			return nil
		}
		switch {
		case rel == "Chart.yaml" || rel == "Chart.lock" || rel == "values.yaml" || rel == "values.schema.json" || rel == ".helmignore":
		case strings.HasPrefix(rel, "templates/"):
			text, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			c.templates[rel] = string(text)
		default:
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			c.files[rel] = data
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("loading chart %s: %v", name, err)
	}

	declared, _ := metaRaw["dependencies"].([]interface{})
	for _, d := range declared {
		dm, _ := d.(map[string]interface{})
		depName := scalarString(dm["name"])
		repo := scalarString(dm["repository"])
		var depDir string
		switch {
		case strings.HasPrefix(repo, "file://"):
			depDir = filepath.Join(dir, strings.TrimPrefix(repo, "file://"))
		default:
			// Helm reads other repositories' charts from charts/ after `helm dependency build`.
			depDir = filepath.Join(dir, "charts", depName)
		}
		if _, err := os.Stat(filepath.Join(depDir, "Chart.yaml")); err != nil {
			return nil, fmt.Errorf("found in Chart.yaml, but missing in charts/ directory: %s", depName)
		}
		sub, err := loadChart(depDir, c)
		if err != nil {
			return nil, err
		}
		if sub.name != depName {
			return nil, fmt.Errorf("%s: dependency %q is chart %q", name, depName, sub.name)
		}
		// helm dependency build refuses a dependency whose version does not meet the constraint.
		if constraint := scalarString(dm["version"]); constraint != "" {
			con, err := semver.NewConstraint(constraint)
			if err != nil {
				return nil, fmt.Errorf("%s: dependency %q has an invalid version constraint %q: %v", name, depName, constraint, err)
			}
			have, err := semver.NewVersion(scalarString(sub.metadata["Version"]))
			if err != nil || !con.Check(have) {
				return nil, fmt.Errorf("%s: can't get a valid version for dependency %s: %s is at version %v, Chart.yaml asks for %s", name, depName, depDir, sub.metadata["Version"], constraint)
			}
		}
		dep := &dependency{chart: sub, alias: scalarString(dm["alias"]), condition: scalarString(dm["condition"]), enabled: true}
		if dep.alias != "" {
			sub.name = dep.alias
		}
		c.deps = append(c.deps, dep)
	}
	sort.SliceStable(c.deps, func(i, j int) bool { return c.deps[i].chart.name < c.deps[j].chart.name })
	return c, nil
}

// processDependencies disables the dependencies whose condition is false, as Helm does before
// coalescing: a condition is a comma-separated list of value paths, the first that is a bool wins.
func processDependencies(c *chart, values map[string]interface{}) error {
	coalesced := coalesce(c, values)
	return processDependenciesAt(c, coalesced, coalesced, "")
}

func processDependenciesAt(c *chart, top map[string]interface{}, _ map[string]interface{}, prefix string) error {
	for _, d := range c.deps {
		if d.condition != "" {
			for _, cond := range strings.Split(d.condition, ",") {
				v, ok := lookupPath(top, prefix+strings.TrimSpace(cond))
				if b, isBool := v.(bool); ok && isBool {
					d.enabled = b
					break
				}
			}
		}
		if d.enabled {
			if err := processDependenciesAt(d.chart, top, nil, prefix+d.chart.name+"."); err != nil {
				return err
			}
		}
	}
	return nil
}

func lookupPath(m map[string]interface{}, p string) (interface{}, bool) {
	parts := strings.Split(p, ".")
	var cur interface{} = m
	for _, part := range parts {
		mm, ok := cur.(map[string]interface{})
		if !ok {
			return nil, false
		}
		cur, ok = mm[part]
		if !ok {
			return nil, false
		}
	}
	return cur, true
}

// files is .Files: the chart's files outside templates/, by path relative to the chart.
type files map[string][]byte

func (f files) Get(name string) string { return string(f[name]) }

func (f files) GetBytes(name string) []byte { return f[name] }

func (f files) Glob(pattern string) files {
	out := files{}
	for name, data := range f {
		if ok, _ := path.Match(pattern, name); ok {
			out[name] = data
		}
	}
	return out
}

func (f files) Lines(name string) []string {
	s := string(f[name])
	if s == "" {
		return []string{}
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// AsConfig is the files as a ConfigMap's data: base name -> content, as YAML.
func (f files) AsConfig() string {
	m := map[string]interface{}{}
	for name, data := range f {
		m[path.Base(name)] = string(data)
	}
	return toYAML(m)
}

func (f files) AsSecrets() string {
	m := map[string]interface{}{}
	for name, data := range f {
		m[path.Base(name)] = b64(data)
	}
	return toYAML(m)
}
