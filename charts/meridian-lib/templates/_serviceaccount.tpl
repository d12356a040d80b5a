{{/*
The service's ServiceAccount. No service talks to the Kubernetes API, so its token is never
mounted (here and in the pod spec).

Usage: {{ include "meridian-lib.serviceaccount" . }}
*/}}
{{- define "meridian-lib.serviceaccount" -}}
{{- $sa := .Values.serviceAccount | default (dict) -}}
{{- if $sa.create }}
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "meridian-lib.serviceAccountName" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "meridian-lib.labels" . | nindent 4 }}
  {{- with $sa.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
automountServiceAccountToken: false
{{- end }}
{{- end -}}
