#!/usr/bin/env bash
# Makes Debian's Chromium available at /usr/bin/chromium for the tests that render HTML reports
# in a headless browser (libs/research). A fresh machine has no browser and no internet beyond
# the package mirrors, so the browser comes from apt, never from a browser download of
# playwright's own. Idempotent: does nothing when the binary is already there.
set -euo pipefail

CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
  echo "ensure-chromium: $CHROMIUM present ($("$CHROMIUM" --version 2>/dev/null || echo 'version unknown'))"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "ensure-chromium: $CHROMIUM is missing and this is not root; install Debian's 'chromium' package" >&2
  exit 1
fi

echo "ensure-chromium: $CHROMIUM missing, installing Debian's chromium package"
export DEBIAN_FRONTEND=noninteractive
# Another apt run on the machine holds the dpkg lock for a while; wait for it rather than fail.
apt-get -o DPkg::Lock::Timeout=600 update -qq
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends chromium >/dev/null

if [ ! -x "$CHROMIUM" ]; then
  echo "ensure-chromium: apt-get finished but $CHROMIUM is still missing" >&2
  exit 1
fi
echo "ensure-chromium: installed $("$CHROMIUM" --version 2>/dev/null || echo chromium)"
