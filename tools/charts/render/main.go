// helm-render: a stand-in for `helm template` where no helm binary is available.
//
// It implements the parts of Helm 3's rendering that charts rely on: chart loading with file://
// dependencies, conditions and library charts; values coalescing with globals; values.schema.json
// validation per chart; Go text/template with sprig and Helm's own functions (include, tpl,
// required, toYaml, fromYaml, toJson, fromJson, lookup); .Release, .Chart, .Capabilities,
// .Template, .Files; and Helm's output (# Source headers, install order, hooks last).
//
// Input: a JSON request on stdin (see request). Output: the manifests on stdout; on a render
// error, Helm's message on stderr and exit status 1; on a bad request, exit status 2.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
)

type request struct {
	ChartDir    string                 `json:"chartDir"`
	Release     string                 `json:"release"`
	Namespace   string                 `json:"namespace"`
	ValuesFiles []string               `json:"valuesFiles"`
	Values      map[string]interface{} `json:"values"`
	KubeVersion string                 `json:"kubeVersion"`
	APIVersions []string               `json:"apiVersions"`
	IsUpgrade   bool                   `json:"isUpgrade"`
}

func main() {
	data, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Fprintf(os.Stderr, "Error: reading the request: %v\n", err)
		os.Exit(2)
	}
	var req request
	if err := json.Unmarshal(data, &req); err != nil {
		fmt.Fprintf(os.Stderr, "Error: the request is not JSON: %v\n", err)
		os.Exit(2)
	}
	if req.ChartDir == "" || req.Release == "" {
		fmt.Fprintln(os.Stderr, "Error: chartDir and release are required")
		os.Exit(2)
	}
	if req.Namespace == "" {
		req.Namespace = "default"
	}
	if req.KubeVersion == "" {
		req.KubeVersion = "1.29.0"
	}
	out, err := render(req)
	if err != nil {
		fmt.Fprintf(os.Stderr, "Error: %v\n", err)
		os.Exit(1)
	}
	os.Stdout.WriteString(out)
}

func render(req request) (string, error) {
	top, err := loadChart(req.ChartDir, nil)
	if err != nil {
		return "", err
	}
	user := map[string]interface{}{}
	for _, f := range req.ValuesFiles {
		vals, err := readValuesFile(f)
		if err != nil {
			return "", err
		}
		user = mergeMaps(user, vals)
	}
	if req.Values != nil {
		user = mergeMaps(user, normalize(req.Values).(map[string]interface{}))
	}
	if err := processDependencies(top, user); err != nil {
		return "", err
	}
	values := coalesce(top, user)
	if err := validateSchemas(top, values); err != nil {
		return "", err
	}
	caps, err := newCapabilities(req.KubeVersion, req.APIVersions)
	if err != nil {
		return "", err
	}
	if err := checkKubeVersion(top, caps); err != nil {
		return "", err
	}
	release := map[string]interface{}{
		"Name":      req.Release,
		"Namespace": req.Namespace,
		"IsInstall": !req.IsUpgrade,
		"IsUpgrade": req.IsUpgrade,
		"Revision":  1,
		"Service":   "Helm",
	}
	rendered, err := renderTemplates(top, values, release, caps)
	if err != nil {
		return "", err
	}
	return writeManifests(rendered)
}
