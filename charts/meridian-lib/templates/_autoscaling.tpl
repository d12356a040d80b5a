{{/*
Autoscaling of a service whose replicas may share its durable consumers (the recorder: every
write is idempotent and positions are read and written under a row lock, so any replica may
take any message). The trading-path services may not: their state is rebuilt by replaying the
streams and their per-symbol consumers allow one message in flight, so they scale by shards.

autoscaling.mode:
  keda  a KEDA ScaledObject with one nats-jetstream trigger per durable consumer of the service,
        on consumer lag (pending + ack pending) as read from the NATS monitoring endpoint;
  hpa   a HorizontalPodAutoscaler (autoscaling/v2) on CPU utilisation;
  auto  keda when the cluster serves keda.sh/v1alpha1 (KEDA's CRDs are installed), else hpa.

Usage, in a chart whose values have an `autoscaling` block:
  {{ include "meridian-lib.autoscaling" . }}
*/}}
{{- define "meridian-lib.autoscalingMode" -}}
{{- $a := .Values.autoscaling | default (dict) -}}
{{- if $a.enabled -}}
{{- $mode := $a.mode | default "auto" -}}
{{- if eq $mode "auto" -}}
{{- ternary "keda" "hpa" (.Capabilities.APIVersions.Has "keda.sh/v1alpha1") -}}
{{- else -}}
{{- $mode -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "meridian-lib.autoscaling" -}}
{{- $a := .Values.autoscaling | default (dict) -}}
{{- $mode := include "meridian-lib.autoscalingMode" . -}}
{{- $full := include "meridian-lib.fullname" . -}}
{{- if $mode -}}
{{- if lt (int $a.maxReplicas) (int $a.minReplicas) -}}
{{- fail (printf "%s: autoscaling.maxReplicas (%d) must be at least autoscaling.minReplicas (%d)" $full (int $a.maxReplicas) (int $a.minReplicas)) -}}
{{- end -}}
{{- if eq $mode "keda" }}
{{- $k := $a.keda | default (dict) -}}
{{- $g := .Values.global | default (dict) -}}
{{- $prefix := ternary "" (printf "%s_" $g.natsNamespace) (empty $g.natsNamespace) -}}
{{- $endpoint := required (printf "%s: autoscaling.keda.natsServerMonitoringEndpoint is required (host:port of the NATS monitoring port, on a cluster its headless Service, e.g. nats-headless.nats.svc.cluster.local:8222)" $full) $k.natsServerMonitoringEndpoint }}
---
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: {{ $full }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "meridian-lib.labels" . | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ $full }}
  minReplicaCount: {{ int $a.minReplicas }}
  maxReplicaCount: {{ int $a.maxReplicas }}
  pollingInterval: {{ int ($k.pollingInterval | default 15) }}
  cooldownPeriod: {{ int ($k.cooldownPeriod | default 300) }}
  triggers:
    {{- range $c := $a.consumers }}
    - type: nats-jetstream
      metadata:
        natsServerMonitoringEndpoint: {{ $endpoint | quote }}
        account: {{ $k.account | default "$G" | quote }}
        stream: {{ printf "%s%s" $prefix $c.stream | quote }}
        consumer: {{ $c.consumer | quote }}
        lagThreshold: {{ $k.lagThreshold | default 1000 | toString | quote }}
        activationLagThreshold: {{ $k.activationLagThreshold | default 0 | toString | quote }}
        useHttps: {{ ternary "true" "false" (eq (toString $k.useHttps) "true") | quote }}
    {{- end }}
{{- else if eq $mode "hpa" }}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ $full }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "meridian-lib.labels" . | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ $full }}
  minReplicas: {{ int $a.minReplicas }}
  maxReplicas: {{ int $a.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ int (($a.hpa | default (dict)).targetCPUUtilizationPercentage | default 70) }}
{{- else }}
{{- fail (printf "%s: autoscaling.mode must be auto, keda or hpa, got %q" $full $mode) }}
{{- end }}
{{- end }}
{{- end -}}
