{{/* Helpers of the umbrella chart; names and images come from meridian-lib. */}}

{{/* The service charts, in the order of the flow. */}}
{{- define "meridian.services" -}}
ingestion order-book inference coordinator risk execution recorder
{{- end -}}

{{/* Labels of the umbrella's own objects (bootstrap Job, test pod), input {ctx, name}. */}}
{{- define "meridian.labels" -}}
helm.sh/chart: {{ include "meridian-lib.chart" .ctx }}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
app.kubernetes.io/part-of: meridian
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
{{- end -}}

{{/* The hardened pod and container security contexts, as the library sets them. */}}
{{- define "meridian.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .uid | default 1000 }}
runAsGroup: {{ .uid | default 1000 }}
fsGroup: {{ .uid | default 1000 }}
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "meridian.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
privileged: false
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/*
The URLs of every enabled workload's /readyz, one per line. Workload names come from
meridian-lib.workloads, called with a context that looks like the subchart's (its values plus
global), so they are the names the subcharts render.
*/}}
{{- define "meridian.readyzUrls" -}}
{{- $root := . -}}
{{- range $svc := splitList " " (include "meridian.services" $root) }}
{{- $sv := index $root.Values $svc | default (dict) }}
{{- if ne (toString $sv.enabled) "false" }}
{{- $values := dict }}
{{- range $k, $val := $sv }}{{ $_ := set $values $k $val }}{{ end }}
{{- $_ := set $values "global" $root.Values.global }}
{{- if or (not (hasKey $values "replicas")) (gt (int $values.replicas) 0) }}
{{- $ctx := dict "Release" $root.Release "Chart" (dict "Name" $svc) "Values" $values }}
{{- $port := int (($values.ports | default (dict)).http | default 8080) }}
{{- range $w := (include "meridian-lib.workloads" $ctx | fromYaml).workloads }}
{{ printf "http://%s.%s.svc:%d/readyz" $w.name $root.Release.Namespace $port }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- end -}}
