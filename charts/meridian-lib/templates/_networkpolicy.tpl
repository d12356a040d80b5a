{{/*
One NetworkPolicy for all the service's pods.

Ingress:
  - http (/healthz, /readyz, /metrics): from networkPolicy.metricsFrom (default: any pod of the
    cluster, so Prometheus can scrape; nothing there changes state).
  - http and grpc: from the pods of this release labelled app.kubernetes.io/part-of: meridian
    (the other services, the helm test pod), and from networkPolicy.grpcFrom. gRPC carries
    commands (SetKillSwitch), so it is closed to the rest of the cluster by default.
  - networkPolicy.extraIngress, as written.
Egress:
  - DNS (53/UDP and 53/TCP) to anywhere;
  - NATS client port (networkPolicy.natsPort) to networkPolicy.natsTo, or anywhere when empty;
  - PostgreSQL (networkPolicy.databasePort) for charts that use their `database` block;
  - networkPolicy.extraEgress, as written (a live venue's HTTPS endpoints, an OTLP collector).
Kubelet probes come from the node and most CNIs do not filter them; if yours does, add the
node CIDR to extraIngress.

Usage: {{ include "meridian-lib.networkpolicy" . }}
*/}}
{{- define "meridian-lib.networkpolicy" -}}
{{- $np := .Values.networkPolicy | default (dict) -}}
{{- if $np.enabled }}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ include "meridian-lib.fullname" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "meridian-lib.labels" . | nindent 4 }}
spec:
  podSelector:
    matchLabels:
      {{- include "meridian-lib.selectorLabels" . | nindent 6 }}
  policyTypes:
    - Ingress
    - Egress
  ingress:
    - ports:
        - port: http
          protocol: TCP
      {{- with $np.metricsFrom }}
      from:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    - ports:
        - port: http
          protocol: TCP
        - port: grpc
          protocol: TCP
      from:
        - podSelector:
            matchLabels:
              app.kubernetes.io/part-of: meridian
              app.kubernetes.io/instance: {{ .Release.Name }}
        {{- with $np.grpcFrom }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    {{- with $np.extraIngress }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  egress:
    - ports:
        - port: 53
          protocol: UDP
        - port: 53
          protocol: TCP
    - ports:
        - port: {{ int ($np.natsPort | default 4222) }}
          protocol: TCP
      {{- with $np.natsTo }}
      to:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    {{- if include "meridian-lib.usesDatabase" . }}
    - ports:
        - port: {{ int ($np.databasePort | default 5432) }}
          protocol: TCP
      {{- with $np.databaseTo }}
      to:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    {{- end }}
    {{- with $np.extraEgress }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
{{- end }}
{{- end -}}
