package main

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// Helm's InstallOrder: the kinds others depend on first.
var installOrder = []string{
	"PriorityClass", "Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange", "PodSecurityPolicy",
	"PodDisruptionBudget", "ServiceAccount", "Secret", "SecretList", "ConfigMap", "StorageClass",
	"PersistentVolume", "PersistentVolumeClaim", "CustomResourceDefinition", "ClusterRole",
	"ClusterRoleList", "ClusterRoleBinding", "ClusterRoleBindingList", "Role", "RoleList",
	"RoleBinding", "RoleBindingList", "Service", "DaemonSet", "Pod", "ReplicationController",
	"ReplicaSet", "Deployment", "HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob",
	"IngressClass", "Ingress", "APIService",
}

var docSeparator = regexp.MustCompile(`(?:^|\s*\n)---\s*`)

type manifest struct {
	source  string
	content string
	kind    string
	hook    bool
}

// writeManifests prints the documents as helm template does: the release's objects in install
// order, then the hooks (tests included), each under "# Source: <template>".
func writeManifests(rendered []renderedFile) (string, error) {
	var all []manifest
	for _, f := range rendered {
		for _, doc := range docSeparator.Split(f.content, -1) {
			if strings.TrimSpace(doc) == "" {
				continue
			}
			parsed, err := parseYAML([]byte(doc))
			if err != nil {
				return "", fmt.Errorf("YAML parse error on %s: %v", f.name, err)
			}
			m := manifest{source: f.name, content: strings.TrimSpace(doc)}
			if obj, ok := parsed.(map[string]interface{}); ok {
				m.kind, _ = obj["kind"].(string)
				if meta, ok := obj["metadata"].(map[string]interface{}); ok {
					if ann, ok := meta["annotations"].(map[string]interface{}); ok {
						_, m.hook = ann["helm.sh/hook"]
					}
				}
			}
			all = append(all, m)
		}
	}
	rank := func(kind string) int {
		for i, k := range installOrder {
			if k == kind {
				return i
			}
		}
		return len(installOrder)
	}
	sort.SliceStable(all, func(i, j int) bool {
		if all[i].hook != all[j].hook {
			return !all[i].hook
		}
		if all[i].hook {
			return false
		}
		return rank(all[i].kind) < rank(all[j].kind)
	})
	var b strings.Builder
	for _, m := range all {
		fmt.Fprintf(&b, "---\n# Source: %s\n%s\n", m.source, m.content)
	}
	return b.String(), nil
}
