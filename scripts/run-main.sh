#!/usr/bin/env bash
# Set the checkout up (idempotent), then build every sample course in courses/ into build/.
# Arguments go to `courseforge build` unchanged.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
exec .venv/bin/courseforge build --locale all "$@"
