"""@learninglocker/xapi-validation over every statement the session's LRS stored (runs last; see conftest)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from lrs_harness import all_statements, dump, rich_statements, run_node


def test_every_stored_statement_passes_xapi_validation(client: httpx.Client, tmp_path: Path, node: str) -> None:
    assert client.post("statements", json=rich_statements()).status_code == 200
    statements = all_statements(client, ascending="true")
    assert len(statements) >= len(rich_statements())
    result = run_node("validate_statements.mjs", str(dump(tmp_path / "stored.json", statements)))
    report = json.loads(result.stdout)
    assert report["count"] == len(statements)
    assert report["errors"] == [], json.dumps(report["errors"][:20], indent=1)
    assert result.returncode == 0, result.stderr
