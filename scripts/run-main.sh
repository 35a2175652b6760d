#!/usr/bin/env bash
# Set the checkout up (idempotent), build every sample course in courses/ into build/, then publish the
# packages to the project's review LMS (its storage: build/review/) and print where to see them.
# Arguments go to `courseforge build` unchanged.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
courseforge=.venv/bin/courseforge
"$courseforge" build --locale all "$@"

# The review LMS runs only while the packages are published, on a free port of its own; `courseforge serve`
# shows them afterwards (same storage, port 8000).
mkdir -p build/review
address=$(mktemp)
"$courseforge" serve --port 0 >"$address" 2>build/review/publish-serve.log &
server=$!
stop() { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -f "$address"; }
trap stop EXIT
for _ in $(seq 600); do
  [[ -s "$address" ]] && break
  if ! kill -0 "$server" 2>/dev/null; then
    cat build/review/publish-serve.log >&2
    exit 1
  fi
  sleep 0.1
done
[[ -s "$address" ]] || { echo "run-main: the review LMS did not start (build/review/publish-serve.log)" >&2; exit 1; }
"$courseforge" publish --locale all --target "$(head -n 1 "$address")"
echo "review LMS: the sample courses are published; run '$courseforge serve' and open http://127.0.0.1:8000/"
