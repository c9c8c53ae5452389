#!/usr/bin/env bash
# Builds Jaeger (the real OTLP gRPC receiver the tracing tests read spans back from) from the Go
# module proxy, pinned by the tools module in .ci/tools/jaeger, and caches the binary. Idempotent:
# a cached binary whose tools-module checksum matches is reused.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
tools="$here/tools/jaeger"
bin_dir="${XDG_CACHE_HOME:-$HOME/.cache}/infermon/bin"
bin="$bin_dir/jaeger"
stamp="$bin_dir/jaeger.sum"
want="$(cat "$tools/go.mod" "$tools/go.sum" | sha256sum | cut -d' ' -f1)"
if [ -x "$bin" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "jaeger: cached $bin"
  exit 0
fi
command -v go >/dev/null || { echo "jaeger: Go toolchain missing (needed to build the OTLP receiver)" >&2; exit 1; }
mkdir -p "$bin_dir"
echo "jaeger: building from the Go module proxy (first run takes several minutes)"
# -p 2 matches the 2-core machine; Go build caches in ~/.cache/go-build persist between runs
(cd "$tools" && go build -p "${JAEGER_BUILD_JOBS:-2}" -trimpath -o "$bin.tmp" github.com/jaegertracing/jaeger/cmd/jaeger)
mv "$bin.tmp" "$bin"
echo "$want" >"$stamp"
echo "jaeger: built $bin"
