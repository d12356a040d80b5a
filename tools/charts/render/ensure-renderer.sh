#!/usr/bin/env bash
# Makes a chart renderer available to the chart tests: helm when it is on PATH, otherwise the
# Go stand-in in this directory (text/template + sprig, as Helm uses them), built from Debian's
# packages, which this script installs when they are missing. No network beyond Debian's mirror.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/../dist/helm-render"
gopath=/usr/share/gocode

if command -v helm >/dev/null 2>&1 && [ -z "${MERIDIAN_CHART_RENDERER:-}" ]; then
  exit 0
fi

missing=()
command -v go >/dev/null 2>&1 || missing+=(golang-go)
[ -d "$gopath/src/github.com/Masterminds/sprig" ] || missing+=(golang-github-masterminds-sprig-dev)
[ -d "$gopath/src/gopkg.in/yaml.v3" ] || missing+=(golang-gopkg-yaml.v3-dev)
[ -d "$gopath/src/github.com/xeipuuv/gojsonschema" ] || missing+=(golang-github-xeipuuv-gojsonschema-dev)
if ((${#missing[@]})); then
  echo "ensure-renderer: installing ${missing[*]} (Debian packages)" >&2
  sudo=()
  if [ "$(id -u)" != 0 ]; then sudo=(sudo -n); fi
  export DEBIAN_FRONTEND=noninteractive
  if ! "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >&2; then
    # A machine whose package lists are stale or absent: refresh them once and retry.
    "${sudo[@]}" apt-get update -q >&2
    "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
  fi
fi

# Rebuild when the binary is missing or older than any source.
if [ ! -x "$out" ] || [ -n "$(find "$here" -name '*.go' -newer "$out" -print -quit)" ]; then
  mkdir -p "$(dirname "$out")"
  (cd "$here" && GO111MODULE=off GOPATH="$gopath" GOFLAGS= go build -o "$out" .)
fi
