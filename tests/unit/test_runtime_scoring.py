"""The runtime's number parsing, run in Node (the same file the player ships)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

SCORING = Path(__file__).resolve().parents[2] / "courseforge" / "themes" / "default" / "runtime" / "scoring.js"
SCRIPT = """
const vm = require("vm");
const context = {String, Number, Math, Array, Object, JSON};
context.window = context;
vm.createContext(context);
vm.runInContext(require("fs").readFileSync(process.argv[1], "utf8"), context);
const inputs = JSON.parse(process.argv[2]);
console.log(JSON.stringify(inputs.map((t) => {
  const value = context.courseforge.scoring.parseNumber(t);
  return Number.isNaN(value) ? null : value;
})));
"""


def parse(*texts: str) -> list[float | None]:
    result = subprocess.run(["node", "-e", SCRIPT, str(SCORING), json.dumps(texts)], capture_output=True,
                            text=True, check=True)
    parsed: list[float | None] = json.loads(result.stdout)
    return parsed


def test_numbers_in_any_script_and_decimal_comma() -> None:
    assert parse("110", "١١٠", "۱۲٫۵", "3,5", " 42 ", "−3", "1e3", "12 rungs", "") == [
        110, 110, 12.5, 3.5, 42, -3, None, None, None]
