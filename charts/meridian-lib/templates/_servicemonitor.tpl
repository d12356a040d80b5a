{{/*
One ServiceMonitor (Prometheus Operator CRD) for all the service's workloads: it selects the
Services by the service's selector labels and scrapes /metrics on the http port. The shard label
of each Service is copied onto its metrics (targetLabels). Off by default: the CRD must exist.

Usage: {{ include "meridian-lib.servicemonitor" . }}
*/}}
{{- define "meridian-lib.servicemonitor" -}}
{{- $sm := .Values.serviceMonitor | default (dict) -}}
{{- if $sm.enabled }}
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: {{ include "meridian-lib.fullname" . }}
  namespace: {{ $sm.namespace | default .Release.Namespace }}
  labels:
    {{- include "meridian-lib.labels" . | nindent 4 }}
    {{- with $sm.labels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  namespaceSelector:
    matchNames:
      - {{ .Release.Namespace }}
  selector:
    matchLabels:
      {{- include "meridian-lib.selectorLabels" . | nindent 6 }}
  targetLabels:
    - meridian.io/shard
  endpoints:
    - port: http
      path: /metrics
      scheme: http
      interval: {{ $sm.interval | default "15s" }}
      scrapeTimeout: {{ $sm.scrapeTimeout | default "10s" }}
{{- end }}
{{- end -}}
