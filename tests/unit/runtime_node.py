"""The player's runtime files loaded into one plain Node ``vm`` context, without a browser: what the runtime
unit tests evaluate their expressions against (the same files a package ships)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

RUNTIME = Path(__file__).resolve().parents[2] / "courseforge" / "themes" / "default" / "runtime"
SCRIPT = """
const vm = require("vm"), fs = require("fs");
const context = {String, Number, Math, Array, Object, JSON, Date, Boolean, isNaN, isFinite, parseInt, Error, Promise};
context.window = context;
context.courseforge = {tracking: {register() {}}};  // an adapter registers itself; nothing to connect here
vm.createContext(context);
for (const file of JSON.parse(process.argv[1])) vm.runInContext(fs.readFileSync(file, "utf8"), context);
console.log(JSON.stringify(vm.runInContext("(" + process.argv[2] + ")(courseforge)", context)));
"""


def run_runtime(files: Sequence[str], function: str) -> Any:
    """The JSON value of ``function(courseforge)`` evaluated with ``files`` (of runtime/) loaded in order."""
    paths = json.dumps([str(RUNTIME / name) for name in files])
    result = subprocess.run(["node", "-e", SCRIPT, paths, function], capture_output=True, text=True, check=True,
                            timeout=30)
    return json.loads(result.stdout)
