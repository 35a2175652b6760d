"""The repository's sample project copied for a test, and which modules a command run on it imports.

Import guards (``test_*_imports.py``) run the command in a fresh interpreter, so what it imports is what a user's
process would, not what this test session happened to load already.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from courseforge.cli import EXIT_OK

REPO = Path(__file__).resolve().parents[1]
PROBE = """
import json, sys
from courseforge.cli import run
code = run(sys.argv[1:])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def copy_sample_project(root: Path, config: str | None = None) -> Path:
    """``courses/``, ``locales/`` and ``courseforge.yaml`` (or ``config`` as its text) under ``root``."""
    root.mkdir()
    for name in ("courses", "locales"):
        shutil.copytree(REPO / name, root / name)
    if config is None:
        shutil.copy(REPO / "courseforge.yaml", root / "courseforge.yaml")
    else:
        (root / "courseforge.yaml").write_text(config, encoding="utf-8")
    return root


def command_modules(project: Path, cache: Path, *args: str) -> set[str]:
    """The modules ``courseforge ARGS`` imports in ``project`` with ``cache`` as its build cache (it must pass)."""
    environment = {**os.environ, "COURSEFORGE_CACHE_DIR": str(cache)}
    result = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, check=True,
                            cwd=project, env=environment)
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["code"] == EXIT_OK, result.stderr
    return set(report["modules"])


def loaded(modules: set[str], names: tuple[str, ...]) -> list[str]:
    """Which of ``names`` (packages count with their sub-modules) are among ``modules``."""
    return [name for name in names if any(m == name or m.startswith(f"{name}.") for m in modules)]
