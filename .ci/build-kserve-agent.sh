#!/usr/bin/env bash
# Builds KServe's agent (the sidecar with the payload logger, `cmd/agent`) from the Go module proxy
# at a pinned release, for the ingest's test against the real logger (batched marshaller bodies).
# The module is built in a copy of its own source tree, so its go.mod replace directives apply as
# in KServe's own build. Idempotent: a cached binary stamped with the same version is reused.
set -euo pipefail
version="${KSERVE_AGENT_VERSION:-v0.20.0}"
bin_dir="${XDG_CACHE_HOME:-$HOME/.cache}/infermon/bin"
bin="$bin_dir/kserve-agent"
stamp="$bin_dir/kserve-agent.version"
if [ -x "$bin" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$version" ]; then
  echo "kserve-agent: cached $bin ($version)"
  exit 0
fi
command -v go >/dev/null || { echo "kserve-agent: Go toolchain missing" >&2; exit 1; }
mkdir -p "$bin_dir"
echo "kserve-agent: building github.com/kserve/kserve@$version ./cmd/agent (first run takes many minutes)"
dir="$(go mod download -json "github.com/kserve/kserve@$version" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
[ -n "$dir" ] && [ -d "$dir" ] || { echo "kserve-agent: go mod download gave no source directory" >&2; exit 1; }
work="$(mktemp -d)"
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
cp -r "$dir/." "$work/"
chmod -R u+w "$work"
(cd "$work" && GOFLAGS=-mod=mod go build -p "${GO_BUILD_JOBS:-2}" -trimpath -o "$bin.tmp" ./cmd/agent)
mv "$bin.tmp" "$bin"
echo "$version" >"$stamp"
echo "kserve-agent: built $bin ($version)"
