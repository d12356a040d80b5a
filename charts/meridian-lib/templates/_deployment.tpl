{{/*
One Deployment per workload (per shard, or one for the whole service).

Every workload runs one replica with the Recreate strategy: the services rebuild their state by
replaying the streams and bind per-symbol durable consumers with max_ack_pending 1, so two pods
of one shard (a second replica, or a rolling update's surge pod) would take turns on the same
consumer with diverging state. `replicas: 0` stops a service. Scale by adding shards. The
exception is a chart with an `autoscaling` block (the recorder), whose replicas may share its
consumers: any replica count, rolling updates, and with autoscaling on the autoscaler owns the
count.

Usage, in a service chart's templates/deployment.yaml:
  {{ include "meridian-lib.deployments" . }}
*/}}
{{- define "meridian-lib.deployments" -}}
{{- $root := . -}}
{{- range $w := (include "meridian-lib.workloads" $root | fromYaml).workloads }}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ $w.name }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "meridian-lib.workloadLabels" (dict "ctx" $root "workload" $w) | nindent 4 }}
  {{- with $root.Values.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  {{- if not (include "meridian-lib.autoscalingMode" $root) }}
  replicas: {{ int $root.Values.replicas }}
  {{- end }}
  strategy:
    {{- /* Replicas of a chart with `autoscaling` share its consumers, so a surge pod is harmless. */}}
    type: {{ ternary "RollingUpdate" "Recreate" (hasKey $root.Values "autoscaling") }}
  revisionHistoryLimit: 3
  selector:
    matchLabels:
      {{- include "meridian-lib.workloadSelectorLabels" (dict "ctx" $root "workload" $w) | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "meridian-lib.podLabels" (dict "ctx" $root "workload" $w) | nindent 8 }}
      {{- with $root.Values.podAnnotations }}
      annotations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    spec:
      {{- include "meridian-lib.podSpec" (dict "ctx" $root "workload" $w) | nindent 6 }}
{{- end }}
{{- end -}}

{{/* Pod labels: podLabels from values, then the workload's labels (which win). */}}
{{- define "meridian-lib.podLabels" -}}
{{- $labels := dict -}}
{{- range $k, $val := (.ctx.Values.podLabels | default (dict)) }}{{ $_ := set $labels $k (toString $val) }}{{ end -}}
{{- $own := include "meridian-lib.workloadLabels" . | fromYaml -}}
{{- range $k, $val := $own }}{{ $_ := set $labels $k (toString $val) }}{{ end -}}
{{- toYaml $labels -}}
{{- end -}}

{{/* The pod spec of one workload, input {ctx, workload}. */}}
{{- define "meridian-lib.podSpec" -}}
{{- $ctx := .ctx -}}
{{- $v := $ctx.Values -}}
{{- $sc := $v.securityContext | default (dict) -}}
{{- $hugepages := include "meridian-lib.hugepagesSize" $ctx -}}
{{- $secretFiles := include "meridian-lib.secretFiles" $ctx | fromYaml -}}
{{- $grace := int $v.terminationGracePeriodSeconds -}}
{{- if le (mul $grace 1000) (add (int $v.shutdownTimeoutMs) (mul (int ($v.preStopSleepSeconds | default 0)) 1000)) -}}
{{- fail (printf "%s: terminationGracePeriodSeconds (%d s) must exceed shutdownTimeoutMs (%d ms) plus preStopSleepSeconds, or the kubelet kills a pod that is still draining" (include "meridian-lib.fullname" $ctx) $grace (int $v.shutdownTimeoutMs)) -}}
{{- end -}}
serviceAccountName: {{ include "meridian-lib.serviceAccountName" $ctx }}
automountServiceAccountToken: false
enableServiceLinks: false
{{- with (include "meridian-lib.priorityClassName" $ctx) }}
priorityClassName: {{ . }}
{{- end }}
{{- with (include "meridian-lib.imagePullSecrets" $ctx) }}
imagePullSecrets:
  {{- . | trim | nindent 2 }}
{{- end }}
terminationGracePeriodSeconds: {{ int $v.terminationGracePeriodSeconds }}
securityContext:
  runAsNonRoot: true
  runAsUser: {{ int ($sc.runAsUser | default 1000) }}
  runAsGroup: {{ int ($sc.runAsGroup | default 1000) }}
  fsGroup: {{ int ($sc.fsGroup | default 1000) }}
  seccompProfile:
    type: RuntimeDefault
containers:
  - name: {{ include "meridian-lib.name" $ctx }}
    image: {{ include "meridian-lib.image" $ctx | quote }}
    imagePullPolicy: {{ include "meridian-lib.imagePullPolicy" $ctx }}
    ports:
      - name: http
        containerPort: {{ int $v.ports.http }}
        protocol: TCP
      - name: grpc
        containerPort: {{ int $v.ports.grpc }}
        protocol: TCP
    env:
      {{- include "meridian-lib.env" . | trim | nindent 6 }}
    {{- with (include "meridian-lib.envFrom" $ctx) }}
    envFrom:
      {{- . | trim | nindent 6 }}
    {{- end }}
    {{- include "meridian-lib.probes" $ctx | nindent 4 }}
    {{- if gt (int ($v.preStopSleepSeconds | default 0)) 0 }}
    lifecycle:
      preStop:
        exec:
          command: ["sleep", {{ int $v.preStopSleepSeconds | toString | quote }}]
    {{- end }}
    resources:
      {{- include "meridian-lib.resources" $ctx | nindent 6 }}
    securityContext:
      allowPrivilegeEscalation: false
      {{- /* Only Tilt's live update (dev values) turns it off: it syncs built files into /app. */}}
      readOnlyRootFilesystem: {{ ne (toString $sc.readOnlyRootFilesystem) "false" }}
      runAsNonRoot: true
      privileged: false
      capabilities:
        drop: ["ALL"]
      seccompProfile:
        type: RuntimeDefault
    volumeMounts:
      - name: tmp
        mountPath: /tmp
      {{- if $hugepages }}
      - name: hugepages
        mountPath: /hugepages
      {{- end }}
      {{- with $secretFiles.mounts }}
      {{- toYaml . | nindent 6 }}
      {{- end }}
      {{- if include "meridian-lib.modelsEnabled" $ctx }}
      - name: models
        mountPath: {{ include "meridian-lib.modelsPath" $ctx }}
        readOnly: true
        {{- with $v.models.subPath }}
        subPath: {{ . }}
        {{- end }}
      {{- end }}
volumes:
  - name: tmp
    emptyDir:
      sizeLimit: {{ $v.tmpSizeLimit | default "64Mi" }}
  {{- if $hugepages }}
  - name: hugepages
    emptyDir:
      medium: HugePages-{{ $hugepages }}
  {{- end }}
  {{- with $secretFiles.volumes }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
  {{- if include "meridian-lib.modelsEnabled" $ctx }}
  {{- /* The service only reads the files (a training job writes them): mounted read-only. */}}
  - name: models
    persistentVolumeClaim:
      claimName: {{ required (printf "%s: set models.existingClaim: the PersistentVolumeClaim holding <name>/<version>.onnx" (include "meridian-lib.fullname" $ctx)) $v.models.existingClaim }}
      readOnly: true
  {{- end }}
{{- with $v.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $v.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $v.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $v.topologySpreadConstraints }}
topologySpreadConstraints:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}
