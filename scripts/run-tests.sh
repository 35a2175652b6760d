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
# Two workers (pytest-xdist; --dist loadfile keeps a file's tests on one worker with its browser): the suite
# takes about 10 minutes on 2 cores, against 15 in one process. COURSEFORGE_TEST_WORKERS=0 runs it in one.
run pytest .venv/bin/python -m pytest -q -n "${COURSEFORGE_TEST_WORKERS:-2}" --dist loadfile "$@"

if ((${#failed[@]})); then
  printf '\nrun-tests: FAILED: %s\n' "${failed[*]}" >&2
  exit 1
fi
