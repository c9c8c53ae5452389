#!/usr/bin/env bash
# Installs the real model servers the conformance tests (test/conformance/) run on loopback, from
# PyPI into cached venvs, pinned by the lock files beside this script:
#   ~/.cache/infermon/venv-model-servers  MLServer 1.7.1 + mlserver-sklearn 1.7.1 + scikit-learn 1.7.2
#   ~/.cache/infermon/venv-kserve         KServe 0.21.0 (its Python model server) + scikit-learn 1.7.2
# Two venvs: KServe ≥ 0.17 needs starlette ≥ 0.49, MLServer 1.7.1 fastapi < 0.116 (starlette < 0.47);
# one venv would hold KServe 0.16 at the newest, and users run today's KServe.
# Idempotent: a venv whose stamp matches its lock file is reused. Python ≥ 3.9 (3.11 here).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/infermon"
python="${PYTHON:-python3}"
mkdir -p "$cache"
install() {
  local name="$1" lock="$here/model-servers/$2"
  local venv="$cache/$name" stamp="$cache/$name/.infermon-lock.sha256"
  local want
  want="$(sha256sum "$lock" | cut -d' ' -f1)"
  if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    echo "$name: cached $venv"
    return
  fi
  echo "$name: installing $(grep -ciE '^[a-z0-9]' "$lock") pinned packages from PyPI (first run: several minutes)"
  local start=$SECONDS
  # built in place (a venv is not relocatable); the stamp is written last, so a failed install is
  # redone from scratch
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check --no-input -r "$lock"
  echo "$want" >"$stamp"
  echo "$name: installed in $((SECONDS - start)) s"
}
install venv-model-servers mlserver.txt
install venv-kserve kserve.txt
