#!/usr/bin/env bash
# Builds the Go tools .ci/run and the tests use (kubeconform, helm, actionlint) from the Go module
# proxy, each pinned by its tools module in .ci/tools/<name> (`go get -tool`), and caches the
# binaries in ${XDG_CACHE_HOME:-$HOME/.cache}/infermon/bin. Idempotent: a cached binary whose
# tools-module checksum matches is reused. Usage: build-go-tools.sh [name ...] (default: all).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin_dir="${XDG_CACHE_HOME:-$HOME/.cache}/infermon/bin"
mkdir -p "$bin_dir"
declare -A pkg=(
  [kubeconform]=github.com/yannh/kubeconform/cmd/kubeconform
  [helm]=helm.sh/helm/v3/cmd/helm
  [actionlint]=github.com/rhysd/actionlint/cmd/actionlint
)
names=("$@")
[ "${#names[@]}" -gt 0 ] || names=(kubeconform helm actionlint)
for name in "${names[@]}"; do
  tools="$here/tools/$name"
  bin="$bin_dir/$name"
  stamp="$bin_dir/$name.sum"
  want="$(cat "$tools/go.mod" "$tools/go.sum" | sha256sum | cut -d' ' -f1)"
  if [ -x "$bin" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    echo "$name: cached $bin"
    continue
  fi
  command -v go >/dev/null || { echo "$name: Go toolchain missing" >&2; exit 1; }
  echo "$name: building from the Go module proxy"
  (cd "$tools" && go build -p "${GO_BUILD_JOBS:-2}" -trimpath -o "$bin.tmp" "${pkg[$name]}")
  mv "$bin.tmp" "$bin"
  echo "$want" >"$stamp"
  echo "$name: built $bin ($("$bin" version 2>/dev/null | head -1 || true))"
done
