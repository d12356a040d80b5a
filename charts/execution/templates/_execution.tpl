{{/*
The TCP port of an endpoint URL: the one it names, else 443 for https/wss and 80 for http/ws.
*/}}
{{- define "execution.urlPort" -}}
{{- $port := regexFind ":[0-9]+$" (regexFind "^[a-z]+://[^/?#]+" .) -}}
{{- if $port -}}
{{- trimPrefix ":" $port -}}
{{- else if regexMatch "^(https|wss)://" . -}}
443
{{- else -}}
80
{{- end -}}
{{- end -}}

{{/*
The ports the live venues of this chart's workloads are reached on, as YAML {ports: [...]} (read
it back with fromYaml); none when every workload runs on the paper venue, which is in the process.
A workload's settings are the chart's `config` under its shard's, as the library passes them. An
endpoint left empty is the adapter's documented one (libs/venue-trading): OKX REST
https://www.okx.com and the private WebSocket on 8443 (wspap.okx.com for demo, ws.okx.com for
live); Alpaca's Trading API on 443, its stream on the same host and port.
*/}}
{{- define "execution.venuePorts" -}}
{{- $root := . -}}
{{- $ports := dict -}}
{{- range (include "meridian-lib.workloads" . | fromYaml).workloads -}}
  {{- $c := dict -}}
  {{- range $k, $v := ($root.Values.config | default (dict)) }}{{ $_ := set $c $k $v }}{{ end -}}
  {{- range $k, $v := (.config | default (dict)) }}{{ $_ := set $c $k $v }}{{ end -}}
  {{- $endpoints := list -}}
  {{- if eq ($c.VENUE | default "paper") "okx" -}}
    {{- $ws := ternary "wss://ws.okx.com:8443/ws/v5/private" "wss://wspap.okx.com:8443/ws/v5/private" (eq ($c.OKX_ENV | default "demo") "live") -}}
    {{- $endpoints = list ($c.OKX_REST_URL | default "https://www.okx.com") ($c.OKX_WS_URL | default $ws) -}}
  {{- else if eq ($c.VENUE | default "paper") "alpaca" -}}
    {{- $trading := $c.ALPACA_TRADING_URL | default (ternary "https://api.alpaca.markets" "https://paper-api.alpaca.markets" (eq ($c.ALPACA_ENV | default "paper") "live")) -}}
    {{- $endpoints = list $trading ($c.ALPACA_STREAM_URL | default $trading) -}}
  {{- end -}}
  {{- range $endpoints -}}
    {{- $_ := set $ports (include "execution.urlPort" .) true -}}
  {{- end -}}
{{- end -}}
{{- toYaml (dict "ports" (keys $ports | sortAlpha)) -}}
{{- end -}}

{{/*
Checks of the execution settings the service would refuse at start, made when rendering so that a
bad value fails the install instead of a pod's start-up, naming the workload and the value. Renders
nothing. Per workload (the chart's `config` under its shard's):
  - VENUE okx or alpaca: each credential the service reads for it comes from venueCredentials.keys
    or secretEnv (not checked when envFromSecrets is set: those Secrets' keys are unknown here);
  - VENUE paper: every symbol of PAPER_INSTRUMENTS is one of the workload's own symbols.
*/}}
{{- define "execution.checks" -}}
{{- $root := . -}}
{{- $required := dict "okx" (list "OKX_API_KEY" "OKX_API_SECRET" "OKX_API_PASSPHRASE") "alpaca" (list "ALPACA_API_KEY_ID" "ALPACA_API_SECRET_KEY") -}}
{{- $provided := keys (($root.Values.venueCredentials | default (dict)).keys | default (dict)) -}}
{{- range ($root.Values.secretEnv | default (list)) }}{{ $provided = append $provided .name }}{{ end -}}
{{- range $w := (include "meridian-lib.workloads" . | fromYaml).workloads -}}
  {{- $c := dict -}}
  {{- range $k, $v := ($root.Values.config | default (dict)) }}{{ $_ := set $c $k $v }}{{ end -}}
  {{- range $k, $v := ($w.config | default (dict)) }}{{ $_ := set $c $k $v }}{{ end -}}
  {{- $venue := $c.VENUE | default "paper" -}}
  {{- if and (hasKey $required $venue) (not $root.Values.envFromSecrets) -}}
    {{- range $key := get $required $venue -}}
      {{- if not (has $key $provided) -}}
        {{- fail (printf "%s: VENUE %s needs %s; map it to a key of a Secret in venueCredentials.keys (with venueCredentials.existingSecret)" $w.name $venue $key) -}}
      {{- end -}}
    {{- end -}}
  {{- end -}}
  {{- if eq $venue "paper" -}}
    {{- range $part := splitList "," (toString ($c.PAPER_INSTRUMENTS | default "")) -}}
      {{- $symbol := trim (regexFind "^[^=]*" $part) -}}
      {{- if and $symbol (not (has $symbol $w.symbols)) -}}
        {{- fail (printf "%s: PAPER_INSTRUMENTS lists %s, which is not one of this workload's symbols (%s); the service would refuse to start" $w.name $symbol (join ", " $w.symbols)) -}}
      {{- end -}}
    {{- end -}}
  {{- end -}}
{{- end -}}
{{- end -}}
