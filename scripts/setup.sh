#!/usr/bin/env bash
# Prepare this checkout for building and testing, on a fresh machine or an old one.
#
# Idempotent: each step checks what is already there and does nothing when it is up to date,
# so run-main.sh and run-tests.sh can call it every time. Needs root (or sudo) only when a
# Debian package is missing. Never downloads a browser: tests drive Debian's /usr/bin/chromium.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# Playwright's pip/npm packages must never fetch their own browser build (no network for that here).
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

VENV=.venv
# Inputs whose change means the venv or node_modules must be refreshed.
PY_STAMP="$VENV/.courseforge-setup"
NODE_STAMP=node_modules/.courseforge-setup
SCORM_AGAIN=node_modules/scorm-again/dist/scorm-again.min.js

log() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [[ $(id -u) -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "need root to run: $*"
  fi
}

# --- Debian packages -------------------------------------------------------------------------------
debs=()
# Chromium drives the browser tests; DejaVu keeps its text readable in screenshots.
[[ -x /usr/bin/chromium ]] || debs+=(chromium fonts-dejavu-core)
# msgfmt checks compiled translation catalogs.
command -v msgfmt >/dev/null 2>&1 || debs+=(gettext)
# sshd and ssh-keygen: the SFTP publisher's tests run a real OpenSSH server on a loopback port.
[[ -x /usr/sbin/sshd && -x /usr/bin/ssh-keygen ]] || debs+=(openssh-server openssh-client)
if ((${#debs[@]})); then
  log "installing Debian packages: ${debs[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${debs[@]}" >/dev/null
fi
log "chromium: $(/usr/bin/chromium --version 2>/dev/null || echo 'present')"

# --- Python virtual environment -------------------------------------------------------------------
python_bin=""
for candidate in python3.11 python3; do
  if command -v "$candidate" >/dev/null 2>&1 &&
    "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    python_bin=$candidate
    break
  fi
done
[[ -n $python_bin ]] || die "Python 3.11 or newer not found (tried python3.11, python3)"

if ! "$VENV/bin/python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  log "creating $VENV with $python_bin"
  rm -rf "$VENV"
  "$python_bin" -m venv "$VENV"
fi

# Reinstall when pyproject.toml changed (new dependency, entry point) or the install is incomplete.
py_want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [[ $(cat "$PY_STAMP" 2>/dev/null) != "$py_want" || ! -x $VENV/bin/courseforge || ! -x $VENV/bin/pytest ]]; then
  log "installing courseforge (editable) with test extras into $VENV"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -e '.[test]'
  printf '%s\n' "$py_want" >"$PY_STAMP"
else
  log "$VENV up to date"
fi

# --- Node packages (scorm-again: the LMS side of the browser tests) --------------------------------
command -v npm >/dev/null 2>&1 || die "npm not found (Node.js 20 or newer is needed)"
node_want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ $(cat "$NODE_STAMP" 2>/dev/null) != "$node_want" || ! -f $SCORM_AGAIN ]]; then
  log "installing Node packages from package-lock.json (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
  [[ -f $SCORM_AGAIN ]] || die "$SCORM_AGAIN missing after npm ci"
  printf '%s\n' "$node_want" >"$NODE_STAMP"
else
  log "node_modules up to date"
fi

log "ready"
