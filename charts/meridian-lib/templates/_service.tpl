{{/*
One ClusterIP Service per workload, named like it: a symbol's gRPC questions (GetBook, Predict…)
go to the shard that owns the symbol. Ports keep the container's names, http and grpc.

Usage: {{ include "meridian-lib.services" . }}
*/}}
{{- define "meridian-lib.services" -}}
{{- $root := . -}}
{{- $svc := $root.Values.service | default (dict) -}}
{{- range $w := (include "meridian-lib.workloads" $root | fromYaml).workloads }}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ $w.name }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "meridian-lib.workloadLabels" (dict "ctx" $root "workload" $w) | nindent 4 }}
  {{- with $svc.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  type: ClusterIP
  selector:
    {{- include "meridian-lib.workloadSelectorLabels" (dict "ctx" $root "workload" $w) | nindent 4 }}
  ports:
    - name: http
      port: {{ int $root.Values.ports.http }}
      targetPort: http
      protocol: TCP
    - name: grpc
      port: {{ int $root.Values.ports.grpc }}
      targetPort: grpc
      protocol: TCP
{{- end }}
{{- end -}}
