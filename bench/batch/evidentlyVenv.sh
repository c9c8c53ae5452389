#!/usr/bin/env bash
# Creates (once) the Python venv the batch benchmark compares against: Evidently 0.7.23 with
# pandas < 3 (3.x breaks its import) and numpy, kept outside the repository.
set -euo pipefail
VENV="${INFERMON_EVIDENTLY_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/infermon/evidently-venv}"
if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c 'import evidently, pandas, pyarrow' 2>/dev/null; then
  echo "$VENV"
  exit 0
fi
mkdir -p "$(dirname "$VENV")"
python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check "evidently==0.7.23" "pandas<3" pyarrow >&2
echo "$VENV"
