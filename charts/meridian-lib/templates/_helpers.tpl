{{/*
meridian-lib: helpers shared by every service chart.

Every template here takes the chart's root context (`.`), or a dict `{ctx, workload}` where it
needs one workload (a shard). Where a helper reads .Release, .Chart and .Values only, a dict with
those three keys works as well: the umbrella chart's test pod uses that to compute the names of
its subcharts' workloads with the same code that names them.

Nothing here uses `dig`: it fails on subchart values (helm/helm#9266), so nested lookups go
through `| default (dict)` one level at a time.
*/}}

{{/* The service name: the chart name unless nameOverride. */}}
{{- define "meridian-lib.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* <release>-<service>, or the release name alone when it already contains the service name. */}}
{{- define "meridian-lib.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := include "meridian-lib.name" . -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "meridian-lib.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Selector labels of the whole service (every shard): stable, never helm.sh/chart. */}}
{{- define "meridian-lib.selectorLabels" -}}
app.kubernetes.io/name: {{ include "meridian-lib.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Labels of every object of the chart. */}}
{{- define "meridian-lib.labels" -}}
helm.sh/chart: {{ include "meridian-lib.chart" . }}
{{ include "meridian-lib.selectorLabels" . }}
app.kubernetes.io/component: {{ .Values.component | default "service" }}
app.kubernetes.io/part-of: meridian
{{- with .Chart.AppVersion }}
app.kubernetes.io/version: {{ . | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Selector labels of one workload: the service's, plus the shard when there is one. */}}
{{- define "meridian-lib.workloadSelectorLabels" -}}
{{ include "meridian-lib.selectorLabels" .ctx }}
{{- if .workload.shard }}
meridian.io/shard: {{ .workload.shard }}
{{- end }}
{{- end -}}

{{- define "meridian-lib.workloadLabels" -}}
{{ include "meridian-lib.labels" .ctx }}
{{- if .workload.shard }}
meridian.io/shard: {{ .workload.shard }}
{{- end }}
{{- end -}}

{{/*
The workloads of the chart, as YAML `{workloads: [{name, shard, symbols, config}]}` (read it back
with fromYaml). With `shards`, one per shard, named <fullname>-<shard>; without, one named
<fullname> that owns `symbols`, or global.symbols.

Fails, naming the value, when a shard name is bad or repeated, when a symbol is in two shards
(two replicas would bind the same per-symbol consumers and rebuild diverging state), when a
symbol is not in global.symbols (bootstrap would declare no consumers for it) or when a symbol
of global.symbols is owned by no shard (its messages would wait forever).
*/}}
{{- define "meridian-lib.workloads" -}}
{{- $full := include "meridian-lib.fullname" . -}}
{{- $v := .Values -}}
{{- $g := $v.global | default (dict) -}}
{{- $globalSymbols := $g.symbols | default (list) -}}
{{- $out := list -}}
{{- if $v.shards -}}
  {{- $names := dict -}}
  {{- $owner := dict -}}
  {{- range $s := $v.shards -}}
    {{- $shard := toString $s.name -}}
    {{- if not (regexMatch "^[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?$" $shard) -}}
      {{- fail (printf "%s: shard name %q must be 1-15 lower-case letters, digits or '-', starting and ending with a letter or digit (it becomes part of object names)" $full $shard) -}}
    {{- end -}}
    {{- if hasKey $names $shard -}}
      {{- fail (printf "%s: shard name %q is used twice" $full $shard) -}}
    {{- end -}}
    {{- $_ := set $names $shard true -}}
    {{- if not $s.symbols -}}
      {{- fail (printf "%s: shard %q has no symbols" $full $shard) -}}
    {{- end -}}
    {{- range $sym := $s.symbols -}}
      {{- if hasKey $owner (toString $sym) -}}
        {{- fail (printf "%s: symbol %s is in shard %q and in shard %q; a symbol belongs to exactly one shard" $full $sym (get $owner (toString $sym)) $shard) -}}
      {{- end -}}
      {{- $_ := set $owner (toString $sym) $shard -}}
      {{- if and $globalSymbols (not (has $sym $globalSymbols)) -}}
        {{- fail (printf "%s: shard %q owns %s, which global.symbols does not list (bootstrap declares streams and consumers for global.symbols only)" $full $shard $sym) -}}
      {{- end -}}
    {{- end -}}
    {{- $name := printf "%s-%s" $full $shard -}}
    {{- if gt (len $name) 63 -}}
      {{- fail (printf "%s: workload name %q is longer than 63 characters; use a shorter release name, fullnameOverride or shard name" $full $name) -}}
    {{- end -}}
    {{- $out = append $out (dict "name" $name "shard" $shard "symbols" $s.symbols "config" ($s.config | default (dict))) -}}
  {{- end -}}
  {{- range $sym := $globalSymbols -}}
    {{- if not (hasKey $owner (toString $sym)) -}}
      {{- fail (printf "%s: global.symbols lists %s but no shard owns it" $full $sym) -}}
    {{- end -}}
  {{- end -}}
{{- else -}}
  {{- $symbols := $v.symbols | default $globalSymbols -}}
  {{- if not $symbols -}}
    {{- fail (printf "%s: no symbols: set symbols (or shards) in this chart, or global.symbols" $full) -}}
  {{- end -}}
  {{- range $sym := $symbols -}}
    {{- if and $globalSymbols (not (has $sym $globalSymbols)) -}}
      {{- fail (printf "%s: symbols lists %s, which global.symbols does not list (bootstrap declares streams and consumers for global.symbols only)" $full $sym) -}}
    {{- end -}}
  {{- end -}}
  {{- $out = append $out (dict "name" $full "shard" "" "symbols" $symbols "config" (dict)) -}}
{{- end -}}
{{- toYaml (dict "workloads" $out) -}}
{{- end -}}

{{/* registry/repository:tag (or @digest); registry and tag fall back to global.image. */}}
{{- define "meridian-lib.image" -}}
{{- $g := .Values.global | default (dict) -}}
{{- $gi := $g.image | default (dict) -}}
{{- $i := .Values.image | default (dict) -}}
{{- $repository := required (printf "%s: image.repository is required" (include "meridian-lib.fullname" .)) $i.repository -}}
{{- $registry := $i.registry | default $gi.registry -}}
{{- $tag := $i.tag | default $gi.tag | default .Chart.AppVersion -}}
{{- $ref := $repository -}}
{{- if $registry -}}
{{- $ref = printf "%s/%s" (trimSuffix "/" $registry) $repository -}}
{{- end -}}
{{- if $i.digest -}}
{{- printf "%s@%s" $ref $i.digest -}}
{{- else -}}
{{- printf "%s:%s" $ref (toString (required (printf "%s: image.tag, global.image.tag or the chart's appVersion is required" (include "meridian-lib.fullname" .)) $tag)) -}}
{{- end -}}
{{- end -}}

{{- define "meridian-lib.imagePullPolicy" -}}
{{- $g := .Values.global | default (dict) -}}
{{- $gi := $g.image | default (dict) -}}
{{- $i := .Values.image | default (dict) -}}
{{- $i.pullPolicy | default $gi.pullPolicy | default "IfNotPresent" -}}
{{- end -}}

{{/* imagePullSecrets: the chart's, then global.image.pullSecrets. */}}
{{- define "meridian-lib.imagePullSecrets" -}}
{{- $g := .Values.global | default (dict) -}}
{{- $gi := $g.image | default (dict) -}}
{{- $secrets := list -}}
{{- range (.Values.imagePullSecrets | default (list)) }}{{ $secrets = append $secrets . }}{{ end -}}
{{- range ($gi.pullSecrets | default (list)) }}{{ $secrets = append $secrets . }}{{ end -}}
{{- range $secrets }}
- name: {{ if kindIs "string" . }}{{ . }}{{ else }}{{ .name }}{{ end }}
{{- end }}
{{- end -}}

{{- define "meridian-lib.priorityClassName" -}}
{{- $g := .Values.global | default (dict) -}}
{{- .Values.priorityClassName | default $g.priorityClassName | default "" -}}
{{- end -}}

{{- define "meridian-lib.serviceAccountName" -}}
{{- $sa := .Values.serviceAccount | default (dict) -}}
{{- if $sa.create -}}
{{- $sa.name | default (include "meridian-lib.fullname" .) -}}
{{- else -}}
{{- $sa.name | default "default" -}}
{{- end -}}
{{- end -}}

{{/*
An env value as the service's config parser wants it. Helm reads numbers in values files as
float64, which print as 1e+06; whole numbers are printed as integers instead. A map (e.g.
RISK_LIMITS_PER_SYMBOL) is passed as JSON.
*/}}
{{- define "meridian-lib.envValue" -}}
{{- if kindIs "map" . -}}
{{- toJson . -}}
{{- else if kindIs "float64" . -}}
{{- if eq . (floor .) -}}{{- int64 . -}}{{- else -}}{{- . -}}{{- end -}}
{{- else if kindIs "invalid" . -}}
{{- else -}}
{{- toString . -}}
{{- end -}}
{{- end -}}

{{/*
The container's env list for one workload, input {ctx, workload}.

Order of precedence, lowest first: `config` (the service's own keys), `env`, the shard's
`config`, then the keys this library owns (NATS_URL, BUS_NAMESPACE, JS_REPLICAS, SYMBOLS, HOST,
HTTP_PORT, GRPC_PORT, LOG_LEVEL, SHUTDOWN_TIMEOUT_MS, ADMIN_AUTH, ADMIN_CLIENT_CNS), which values cannot override (the schema
rejects them in `env`). Then the paths of the files mounted from Secrets (meridian-lib.secretFiles),
`secretEnv`, DATABASE_URL/DATABASE_SCHEMA for charts that use their `database` block
(meridian-lib.usesDatabase), and MODEL_DIR for charts whose `models` block is enabled.
*/}}
{{- define "meridian-lib.env" -}}
{{- $ctx := .ctx -}}
{{- $w := .workload -}}
{{- $v := $ctx.Values -}}
{{- $g := $v.global | default (dict) -}}
{{- $gNats := $g.nats | default (dict) -}}
{{- $gJs := $g.jetstream | default (dict) -}}
{{- $nats := $v.nats | default (dict) -}}
{{- $full := include "meridian-lib.fullname" $ctx -}}
{{- $env := dict -}}
{{- range $k, $val := ($v.config | default (dict)) }}{{ $_ := set $env $k $val }}{{ end -}}
{{- range $k, $val := ($v.env | default (dict)) }}{{ $_ := set $env $k $val }}{{ end -}}
{{- range $k, $val := ($w.config | default (dict)) }}{{ $_ := set $env $k $val }}{{ end -}}
{{- $_ := set $env "NATS_URL" (required (printf "%s: set nats.url or global.nats.url (e.g. nats://nats:4222)" $full) ($nats.url | default $gNats.url)) -}}
{{- $_ := set $env "BUS_NAMESPACE" ($g.natsNamespace | default "") -}}
{{- $_ := set $env "JS_REPLICAS" ($gJs.replicas | default 1) -}}
{{- $_ := set $env "SYMBOLS" (join "," $w.symbols) -}}
{{- $_ := set $env "HOST" "0.0.0.0" -}}
{{- $_ := set $env "HTTP_PORT" $v.ports.http -}}
{{- $_ := set $env "GRPC_PORT" $v.ports.grpc -}}
{{- $_ := set $env "LOG_LEVEL" ($v.logLevel | default $g.logLevel | default "info") -}}
{{- $_ := set $env "SHUTDOWN_TIMEOUT_MS" $v.shutdownTimeoutMs -}}
{{- $gAdmin := $g.admin | default (dict) -}}
{{- $admin := $v.admin | default (dict) -}}
{{- $_ := set $env "ADMIN_AUTH" ($admin.auth | default $gAdmin.auth | default "required") -}}
{{- with ($admin.clientCns | default $gAdmin.clientCns) }}{{ $_ := set $env "ADMIN_CLIENT_CNS" (join "," .) }}{{ end -}}
{{- range $k, $val := $env }}
- name: {{ $k }}
  value: {{ include "meridian-lib.envValue" $val | quote }}
{{- end }}
{{- range (include "meridian-lib.secretFiles" $ctx | fromYaml).env }}
- name: {{ .name }}
  value: {{ .value | quote }}
{{- end }}
{{- range ($v.secretEnv | default (list)) }}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ .secretName }}
      key: {{ .key }}
      {{- if .optional }}
      optional: true
      {{- end }}
{{- end }}
{{- if include "meridian-lib.usesDatabase" $ctx }}
{{- $db := $v.database | default (dict) }}
{{- $gDb := $g.database | default (dict) }}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ required (printf "%s: set database.existingSecret or global.database.existingSecret: a Secret holding the PostgreSQL URL" $full) ($db.existingSecret | default $gDb.existingSecret) }}
      key: {{ $db.existingSecretKey | default $gDb.existingSecretKey | default "url" }}
- name: DATABASE_SCHEMA
  value: {{ $db.schema | default "meridian" | quote }}
{{- end }}
{{- if include "meridian-lib.modelsEnabled" $ctx }}
- name: MODEL_DIR
  value: {{ include "meridian-lib.modelsPath" $ctx | quote }}
{{- end }}
{{- end -}}

{{/*
"true" when the chart reaches PostgreSQL: it has a `database` block and, if it also has a
`models` block (inference), that block is enabled (its model registry is what needs the database).
*/}}
{{- define "meridian-lib.usesDatabase" -}}
{{- if and (hasKey .Values "database") (or (not (hasKey .Values "models")) (include "meridian-lib.modelsEnabled" .)) -}}true{{- end -}}
{{- end -}}

{{/* "true" when the chart has an enabled `models` block (inference's model registry files). */}}
{{- define "meridian-lib.modelsEnabled" -}}
{{- if and (hasKey .Values "models") (.Values.models | default (dict)).enabled -}}true{{- end -}}
{{- end -}}

{{/* Where the model files are mounted: MODEL_DIR. */}}
{{- define "meridian-lib.modelsPath" -}}/models{{- end -}}

{{/* envFrom: NATS credentials (nats.existingSecret or global.nats.existingSecret) and envFromSecrets. */}}
{{- define "meridian-lib.envFrom" -}}
{{- $v := .Values -}}
{{- $g := $v.global | default (dict) -}}
{{- $gNats := $g.nats | default (dict) -}}
{{- $nats := $v.nats | default (dict) -}}
{{- with ($nats.existingSecret | default $gNats.existingSecret) }}
- secretRef:
    name: {{ . }}
{{- end }}
{{- range ($v.envFromSecrets | default (list)) }}
- secretRef:
    name: {{ . }}
{{- end }}
{{- end -}}

{{/*
NATS credentials and TLS as files from Secrets, input a context with .Values (a service chart's,
or {Values: {global: ...}} for the bootstrap Job). Output YAML {env, volumes, mounts}, read back
with fromYaml:
  - a decentralised-auth credentials file from nats.credsSecret (else global.nats.credsSecret),
    key global.nats.credsSecretKey: mounted, and named by NATS_CREDS_FILE;
  - TLS from nats.tls.secret (else global.nats.tls.secret), keys ca.crt and, with
    global.nats.tls.mutual, tls.crt and tls.key (the layout of cert-manager and of
    kubernetes.io/tls Secrets): mounted, and named by NATS_TLS_*_FILE.
Files rather than env, so a rotated Secret reaches the pod without a restart (the credentials file
is read at every reconnect) and the values never sit in the process environment.
*/}}
{{- define "meridian-lib.natsFiles" -}}
{{- $g := .Values.global | default (dict) -}}
{{- $gNats := $g.nats | default (dict) -}}
{{- $gTls := $gNats.tls | default (dict) -}}
{{- $nats := .Values.nats | default (dict) -}}
{{- $tls := $nats.tls | default (dict) -}}
{{- $credsSecret := $nats.credsSecret | default $gNats.credsSecret -}}
{{- $credsKey := $gNats.credsSecretKey | default "nats.creds" -}}
{{- $tlsSecret := $tls.secret | default $gTls.secret -}}
{{- $env := list -}}
{{- $volumes := list -}}
{{- $mounts := list -}}
{{- if $credsSecret -}}
  {{- $env = append $env (dict "name" "NATS_CREDS_FILE" "value" (printf "/etc/meridian/nats/creds/%s" $credsKey)) -}}
  {{- $volumes = append $volumes (dict "name" "nats-creds" "secret" (dict "secretName" $credsSecret "defaultMode" 288 "items" (list (dict "key" $credsKey "path" $credsKey)))) -}}
  {{- $mounts = append $mounts (dict "name" "nats-creds" "mountPath" "/etc/meridian/nats/creds" "readOnly" true) -}}
{{- end -}}
{{- if $tlsSecret -}}
  {{- $items := list (dict "key" "ca.crt" "path" "ca.crt") -}}
  {{- $env = append $env (dict "name" "NATS_TLS_CA_FILE" "value" "/etc/meridian/nats/tls/ca.crt") -}}
  {{- if $gTls.mutual -}}
    {{- $items = concat $items (list (dict "key" "tls.crt" "path" "tls.crt") (dict "key" "tls.key" "path" "tls.key")) -}}
    {{- $env = append $env (dict "name" "NATS_TLS_CERT_FILE" "value" "/etc/meridian/nats/tls/tls.crt") -}}
    {{- $env = append $env (dict "name" "NATS_TLS_KEY_FILE" "value" "/etc/meridian/nats/tls/tls.key") -}}
  {{- end -}}
  {{- $volumes = append $volumes (dict "name" "nats-tls" "secret" (dict "secretName" $tlsSecret "defaultMode" 288 "items" $items)) -}}
  {{- $mounts = append $mounts (dict "name" "nats-tls" "mountPath" "/etc/meridian/nats/tls" "readOnly" true) -}}
{{- end -}}
{{- toYaml (dict "env" $env "volumes" $volumes "mounts" $mounts) -}}
{{- end -}}

{{/*
Venue API credentials as files from an existing Secret (charts whose values have a
`venueCredentials` block: the services that talk to venues). Each entry of venueCredentials.keys,
<ENV KEY>: <Secret key>, mounts that key read-only under /etc/meridian/venue and sets
<ENV KEY>_FILE to its path; the service reads the file (never the value from env or values), so
the credential appears neither in the pod spec nor in the process environment.
Output YAML {env, volumes, mounts}, as meridian-lib.natsFiles.
*/}}
{{- define "meridian-lib.venueCredentialFiles" -}}
{{- $vc := .Values.venueCredentials | default (dict) -}}
{{- $env := list -}}
{{- $volumes := list -}}
{{- $mounts := list -}}
{{- if and $vc.existingSecret $vc.keys -}}
  {{- $items := list -}}
  {{- range $envKey, $secretKey := $vc.keys -}}
    {{- $items = append $items (dict "key" $secretKey "path" $secretKey) -}}
    {{- $env = append $env (dict "name" (printf "%s_FILE" $envKey) "value" (printf "/etc/meridian/venue/%s" $secretKey)) -}}
  {{- end -}}
  {{- $volumes = append $volumes (dict "name" "venue-credentials" "secret" (dict "secretName" $vc.existingSecret "defaultMode" 288 "items" $items)) -}}
  {{- $mounts = append $mounts (dict "name" "venue-credentials" "mountPath" "/etc/meridian/venue" "readOnly" true) -}}
{{- else if $vc.keys -}}
  {{- fail (printf "%s: venueCredentials.keys is set but venueCredentials.existingSecret is empty" (include "meridian-lib.fullname" .)) -}}
{{- end -}}
{{- toYaml (dict "env" $env "volumes" $volumes "mounts" $mounts) -}}
{{- end -}}

{{/*
gRPC TLS and the admin tokens file as files from Secrets, output as meridian-lib.natsFiles:
  - TLS from grpc.tls.secret (else global.grpc.tls.secret), keys tls.crt and tls.key and, with
    global.grpc.tls.mutual, ca.crt (cert-manager's layout): mounted, and named by GRPC_TLS_*_FILE;
  - the admin tokens file from admin.tokensSecret (else global.admin.tokensSecret), key
    global.admin.tokensSecretKey: mounted, and named by ADMIN_TOKENS_FILE.
Refuses what the service would refuse or what could not work: kubelet gRPC probes against a TLS
port (they speak plaintext), and admin client CNs without mutual TLS.
*/}}
{{- define "meridian-lib.grpcFiles" -}}
{{- $full := include "meridian-lib.fullname" . -}}
{{- $g := .Values.global | default (dict) -}}
{{- $gGrpc := $g.grpc | default (dict) -}}
{{- $gTls := $gGrpc.tls | default (dict) -}}
{{- $gAdmin := $g.admin | default (dict) -}}
{{- $grpc := .Values.grpc | default (dict) -}}
{{- $tls := $grpc.tls | default (dict) -}}
{{- $admin := .Values.admin | default (dict) -}}
{{- $tlsSecret := $tls.secret | default $gTls.secret -}}
{{- $tokensSecret := $admin.tokensSecret | default $gAdmin.tokensSecret -}}
{{- $tokensKey := $gAdmin.tokensSecretKey | default "admin-tokens" -}}
{{- $cns := $admin.clientCns | default $gAdmin.clientCns | default (list) -}}
{{- $env := list -}}
{{- $volumes := list -}}
{{- $mounts := list -}}
{{- if and $tlsSecret (.Values.probes | default (dict)).grpc -}}
  {{- fail (printf "%s: probes.grpc cannot be used with gRPC TLS (grpc.tls.secret or global.grpc.tls.secret): kubelet gRPC probes speak plaintext; set probes.grpc false" $full) -}}
{{- end -}}
{{- if and $cns (not (and $tlsSecret $gTls.mutual)) -}}
  {{- fail (printf "%s: admin client CNs need mutual TLS on the gRPC port (a grpc.tls.secret and global.grpc.tls.mutual)" $full) -}}
{{- end -}}
{{- if $tlsSecret -}}
  {{- $items := list (dict "key" "tls.crt" "path" "tls.crt") (dict "key" "tls.key" "path" "tls.key") -}}
  {{- $env = append $env (dict "name" "GRPC_TLS_CERT_FILE" "value" "/etc/meridian/grpc/tls/tls.crt") -}}
  {{- $env = append $env (dict "name" "GRPC_TLS_KEY_FILE" "value" "/etc/meridian/grpc/tls/tls.key") -}}
  {{- if $gTls.mutual -}}
    {{- $items = append $items (dict "key" "ca.crt" "path" "ca.crt") -}}
    {{- $env = append $env (dict "name" "GRPC_TLS_CLIENT_CA_FILE" "value" "/etc/meridian/grpc/tls/ca.crt") -}}
  {{- end -}}
  {{- $volumes = append $volumes (dict "name" "grpc-tls" "secret" (dict "secretName" $tlsSecret "defaultMode" 288 "items" $items)) -}}
  {{- $mounts = append $mounts (dict "name" "grpc-tls" "mountPath" "/etc/meridian/grpc/tls" "readOnly" true) -}}
{{- end -}}
{{- if $tokensSecret -}}
  {{- $env = append $env (dict "name" "ADMIN_TOKENS_FILE" "value" (printf "/etc/meridian/admin/%s" $tokensKey)) -}}
  {{- $volumes = append $volumes (dict "name" "admin-tokens" "secret" (dict "secretName" $tokensSecret "defaultMode" 288 "items" (list (dict "key" $tokensKey "path" $tokensKey)))) -}}
  {{- $mounts = append $mounts (dict "name" "admin-tokens" "mountPath" "/etc/meridian/admin" "readOnly" true) -}}
{{- end -}}
{{- toYaml (dict "env" $env "volumes" $volumes "mounts" $mounts) -}}
{{- end -}}

{{/* The files a pod mounts from Secrets (NATS, gRPC TLS, admin tokens, venue credentials), merged: {env, volumes, mounts}. */}}
{{- define "meridian-lib.secretFiles" -}}
{{- $nats := include "meridian-lib.natsFiles" . | fromYaml -}}
{{- $grpc := include "meridian-lib.grpcFiles" . | fromYaml -}}
{{- $venue := include "meridian-lib.venueCredentialFiles" . | fromYaml -}}
{{- toYaml (dict "env" (concat $nats.env $grpc.env $venue.env) "volumes" (concat $nats.volumes $grpc.volumes $venue.volumes) "mounts" (concat $nats.mounts $grpc.mounts $venue.mounts)) -}}
{{- end -}}

{{/* The hugepage size when performance.hugepages is set (e.g. 2Mi), else empty. */}}
{{- define "meridian-lib.hugepagesSize" -}}
{{- $p := .Values.performance | default (dict) -}}
{{- $h := $p.hugepages | default (dict) -}}
{{- if $h.amount -}}
{{- $h.size | default "2Mi" -}}
{{- end -}}
{{- end -}}

{{/*
Container resources. With performance.pinned, requests = limits with a whole number of CPUs and
performance.memory, so the pod is Guaranteed and the kubelet's static CPU manager gives it
exclusive cores; `resources` is then ignored. With performance.hugepages, hugepages-<size> is
added to requests and limits (equal, as Kubernetes requires).
*/}}
{{- define "meridian-lib.resources" -}}
{{- $v := .Values -}}
{{- $p := $v.performance | default (dict) -}}
{{- $full := include "meridian-lib.fullname" . -}}
{{- $requests := dict -}}
{{- $limits := dict -}}
{{- if $p.pinned -}}
  {{- $cpus := $p.cpus | default 0 -}}
  {{- if or (lt (float64 $cpus) 1.0) (ne (float64 $cpus) (floor $cpus)) -}}
    {{- fail (printf "%s: performance.cpus must be a whole number of CPUs (1, 2, ...) when performance.pinned is true, got %v" $full $cpus) -}}
  {{- end -}}
  {{- $memory := required (printf "%s: performance.memory is required when performance.pinned is true" $full) $p.memory -}}
  {{- $_ := set $requests "cpu" (toString (int64 $cpus)) -}}
  {{- $_ := set $requests "memory" $memory -}}
  {{- $_ := set $limits "cpu" (toString (int64 $cpus)) -}}
  {{- $_ := set $limits "memory" $memory -}}
{{- else -}}
  {{- $r := $v.resources | default (dict) -}}
  {{- range $k, $val := ($r.requests | default (dict)) }}{{ $_ := set $requests $k $val }}{{ end -}}
  {{- range $k, $val := ($r.limits | default (dict)) }}{{ $_ := set $limits $k $val }}{{ end -}}
{{- end -}}
{{- $hp := include "meridian-lib.hugepagesSize" . -}}
{{- if $hp -}}
  {{- $amount := toString $p.hugepages.amount -}}
  {{- $mi := 0 -}}
  {{- if hasSuffix "Gi" $amount }}{{ $mi = mul (trimSuffix "Gi" $amount | int) 1024 }}{{ else if hasSuffix "Mi" $amount }}{{ $mi = trimSuffix "Mi" $amount | int }}{{ end -}}
  {{- $page := ternary 1024 2 (eq $hp "1Gi") -}}
  {{- if or (le (int64 $mi) 0) (ne (mod $mi $page) 0) -}}
    {{- fail (printf "%s: performance.hugepages.amount %q must be a positive multiple of the page size %s (in Mi or Gi)" $full $amount $hp) -}}
  {{- end -}}
  {{- $_ := set $requests (printf "hugepages-%s" $hp) $amount -}}
  {{- $_ := set $limits (printf "hugepages-%s" $hp) $amount -}}
{{- end -}}
{{- $out := dict -}}
{{- if $requests }}{{ $_ := set $out "requests" $requests }}{{ end -}}
{{- if $limits }}{{ $_ := set $out "limits" $limits }}{{ end -}}
{{- toYaml $out -}}
{{- end -}}

{{/*
Probes. Liveness is always HTTP /healthz (gRPC health follows readiness, and a liveness probe
that follows readiness restarts pods that are only waiting for NATS). Startup and readiness are
HTTP /healthz and /readyz, or gRPC health with probes.grpc: true (service "" for startup,
grpcHealthService for readiness; Kubernetes 1.27+ for grpc probes).

The HTTP and gRPC servers start listening only after the service has rebuilt its state from the
streams (see docs/architecture.md, "State by replay"), so the startup probe's budget
(periodSeconds x failureThreshold) must cover the longest replay.
*/}}
{{- define "meridian-lib.probes" -}}
{{- $v := .Values -}}
{{- $p := $v.probes | default (dict) -}}
{{- $s := $p.startup | default (dict) -}}
{{- $r := $p.readiness | default (dict) -}}
{{- $l := $p.liveness | default (dict) -}}
startupProbe:
  {{- if $p.grpc }}
  grpc:
    port: {{ int $v.ports.grpc }}
  {{- else }}
  httpGet:
    path: /healthz
    port: http
  {{- end }}
  periodSeconds: {{ int ($s.periodSeconds | default 5) }}
  timeoutSeconds: {{ int ($s.timeoutSeconds | default 2) }}
  failureThreshold: {{ int ($s.failureThreshold | default 120) }}
readinessProbe:
  {{- if $p.grpc }}
  grpc:
    port: {{ int $v.ports.grpc }}
    service: {{ required (printf "%s: grpcHealthService is required with probes.grpc" (include "meridian-lib.fullname" .)) $v.grpcHealthService | quote }}
  {{- else }}
  httpGet:
    path: /readyz
    port: http
  {{- end }}
  periodSeconds: {{ int ($r.periodSeconds | default 5) }}
  timeoutSeconds: {{ int ($r.timeoutSeconds | default 2) }}
  failureThreshold: {{ int ($r.failureThreshold | default 2) }}
livenessProbe:
  httpGet:
    path: /healthz
    port: http
  periodSeconds: {{ int ($l.periodSeconds | default 10) }}
  timeoutSeconds: {{ int ($l.timeoutSeconds | default 2) }}
  failureThreshold: {{ int ($l.failureThreshold | default 3) }}
{{- end -}}
