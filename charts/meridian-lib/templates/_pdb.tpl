{{/*
One PodDisruptionBudget per workload, maxUnavailable 1 (as the NATS chart does): a node drain may
evict the single pod of a shard, and then waits for nothing; with minAvailable it would block.
It exists so that a future second replica (or KEDA scaling) is bounded from the start.

Usage: {{ include "meridian-lib.pdbs" . }}
*/}}
{{- define "meridian-lib.pdbs" -}}
{{- $root := . -}}
{{- $pdb := $root.Values.pdb | default (dict) -}}
{{- if $pdb.enabled }}
{{- range $w := (include "meridian-lib.workloads" $root | fromYaml).workloads }}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ $w.name }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "meridian-lib.workloadLabels" (dict "ctx" $root "workload" $w) | nindent 4 }}
spec:
  maxUnavailable: {{ $pdb.maxUnavailable | default 1 }}
  selector:
    matchLabels:
      {{- include "meridian-lib.workloadSelectorLabels" (dict "ctx" $root "workload" $w) | nindent 6 }}
{{- end }}
{{- end }}
{{- end -}}
