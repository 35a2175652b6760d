#!/usr/bin/env bash
# Set the checkout up (idempotent), then run the linters, the type checker and the whole test
# suite, browser tests included. Every check runs even when an earlier one fails, so one run shows
# all problems; the exit status is non-zero when any failed. Arguments go to pytest.
# Nothing is printed after pytest on success, so its summary stays the closing line.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh

failed=()
run() {
  local name=$1
  shift
  printf '\n== %s: %s\n' "$name" "$*"
  if ! "$@"; then
    failed+=("$name")
  fi
}

run ruff .venv/bin/ruff check courseforge tests
run mypy .venv/bin/mypy
# One process by default: on two workers (COURSEFORGE_TEST_WORKERS=2, each test file on one worker with its own
# browser) the suite takes about 10 minutes, but three timing-sensitive browser tests (interactions kept across
# launches under strict/write-only-interactions, cmi5 Browse/Review exit) failed once under that load.
run pytest .venv/bin/python -m pytest -q -n "${COURSEFORGE_TEST_WORKERS:-0}" --dist loadfile "$@"

if ((${#failed[@]})); then
  printf '\nrun-tests: FAILED: %s\n' "${failed[*]}" >&2
  exit 1
fi
