#!/usr/bin/env bash
# Installs the real peers tests run against (Debian packages), when missing.
set -euo pipefail
pkgs=()
command -v promtool >/dev/null || pkgs+=(prometheus)
command -v amtool >/dev/null || pkgs+=(prometheus-alertmanager)
command -v nginx >/dev/null || pkgs+=(nginx-light)
command -v wrk >/dev/null || pkgs+=(wrk)
if [ "${#pkgs[@]}" -gt 0 ]; then
  echo "installing peers: ${pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
fi
# the Debian packages start services on install; tests start their own on loopback
for s in prometheus prometheus-alertmanager prometheus-node-exporter nginx; do
  (systemctl stop "$s" 2>/dev/null || service "$s" stop 2>/dev/null || true) >/dev/null 2>&1
done
promtool --version | head -1
amtool --version 2>&1 | head -1
