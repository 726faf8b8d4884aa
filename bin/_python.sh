# Sourced by the bin/ scripts: find a Python >= 3.12 and make the project's virtualenv with it.
# Order: $PYTHON if set, python3.13/python3.12/python3 on PATH, then pyenv's installed versions.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${SMSN_VENV:-$ROOT/.venv}"

_ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; }

find_python() {
  local c
  for c in ${PYTHON:-} python3.14 python3.13 python3.12 python3; do
    if command -v "$c" >/dev/null 2>&1 && _ok "$(command -v "$c")"; then command -v "$c"; return 0; fi
  done
  local root="${PYENV_ROOT:-$HOME/.pyenv}"
  for c in $(ls -d "$root"/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV); do
    if _ok "$c"; then echo "$c"; return 0; fi
  done
  if command -v uv >/dev/null 2>&1; then uv python find '>=3.12' 2>/dev/null && return 0; fi
  return 1
}

ensure_venv() {
  local stamp="$VENV/.smsn-lock.sha"
  local want
  want="$(cat "$ROOT/requirements/dev.lock" | sha256sum | cut -d' ' -f1)"
  if [ -x "$VENV/bin/python" ] && _ok "$VENV/bin/python" && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    return 0
  fi
  local py
  if ! py="$(find_python)"; then
    echo "smsn needs Python 3.12 or newer. Install one (or uv), or set PYTHON=/path/to/python3.12." >&2
    exit 1
  fi
  echo "Using $py ($("$py" --version))" >&2
  [ -x "$VENV/bin/python" ] && _ok "$VENV/bin/python" || { rm -rf "$VENV"; "$py" -m venv "$VENV"; }
  "$VENV/bin/python" -m pip install -q --upgrade pip
  "$VENV/bin/python" -m pip install -q --require-hashes -r "$ROOT/requirements/dev.lock"
  echo "$want" >"$stamp"
}
