"""@xapi/xapi (npm) as an independent client over every resource."""

from __future__ import annotations

import json

from lrs_harness import KEY, SECRET, ThreadedLrs, run_node


def test_xapi_js_round_trips_every_resource(lrs: ThreadedLrs, node: str) -> None:
    result = run_node("xapi_roundtrip.mjs", lrs.endpoint, KEY, SECRET)
    steps = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    failed = [step for step in steps if not step["ok"]]
    assert not failed, json.dumps(failed, indent=1) + result.stderr
    assert len(steps) == 11, result.stdout + result.stderr
    assert result.returncode == 0, result.stderr
