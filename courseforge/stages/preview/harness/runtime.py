"""Where the LMS-side JavaScript comes from: scorm-again, axe-core and the xAPI statement validator, found on
disk, never fetched behind the user's back and never committed to git.

Each package is looked up in these folders, first match wins (a folder matches when it holds the
package at exactly the pinned version):

1. ``--lms-runtime DIR`` (``explicit``): a ``node_modules`` folder, or a folder holding one;
2. ``$COURSEFORGE_NODE_MODULES``: the same, from the environment;
3. ``<project>/node_modules``: the course project's own npm install;
4. this checkout's ``node_modules`` (a development install of courseforge; skipped for a wheel);
5. the user cache ``$XDG_CACHE_HOME/courseforge/lms-runtime`` (default ``~/.cache/...``), which
   ``courseforge preview install-runtime`` fills by running ``npm install --prefix <cache> <pins>``.

When a package is found nowhere, :class:`RuntimeMissing` names every folder tried and the fix.
The pinned versions live here only (:data:`PINNED`); package.json's devDependencies pin the same.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

ENVIRONMENT_VARIABLE = "COURSEFORGE_NODE_MODULES"
_ABOVE_PACKAGE = Path(__file__).resolve().parents[4]
CHECKOUT_ROOT: Path | None = _ABOVE_PACKAGE if (_ABOVE_PACKAGE / "pyproject.toml").is_file() else None
"""The checkout's root in a development install (the folder above ``courseforge/`` holds pyproject.toml);
None when courseforge is installed from a wheel."""


@dataclass(frozen=True)
class NodePackage:
    name: str
    version: str
    file: str
    """The one file the harness serves, relative to the package folder."""

    @property
    def spec(self) -> str:
        return f"{self.name}@{self.version}"


SCORM_AGAIN = NodePackage("scorm-again", "3.4.3", "dist/scorm-again.min.js")
AXE_CORE = NodePackage("axe-core", "4.14.1", "axe.min.js")
XAPI_VALIDATION = NodePackage("@learninglocker/xapi-validation", "3.0.0", "dist/index.js")
"""The independent validator every xAPI and cmi5 statement a package sends goes through (run by node)."""
PINNED: tuple[NodePackage, ...] = (SCORM_AGAIN, AXE_CORE, XAPI_VALIDATION)


@dataclass(frozen=True)
class Candidate:
    origin: str
    """Where this folder came from: ``--lms-runtime``, ``$COURSEFORGE_NODE_MODULES``, ``project`` ..."""
    node_modules: Path


@dataclass(frozen=True)
class FoundFile:
    package: NodePackage
    path: Path
    origin: str

    @property
    def node_modules(self) -> Path:
        """The ``node_modules`` folder the file was found in."""
        depth = len(PurePosixPath(self.package.name).parts) + len(PurePosixPath(self.package.file).parts)
        return self.path.parents[depth - 1]


@dataclass(frozen=True)
class LmsRuntime:
    """The JavaScript files the host page serves, each with where it was found."""

    scorm_again: FoundFile
    axe_core: FoundFile
    xapi_validation: FoundFile


class RuntimeMissing(Exception):
    """A pinned package is in none of the folders looked at; the message names them and the fix."""


def user_cache_dir(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    base = env.get("XDG_CACHE_HOME") or str(Path(env.get("HOME") or Path.home()) / ".cache")
    return Path(base) / "courseforge" / "lms-runtime"


def _node_modules(folder: Path) -> Path:
    """``folder`` itself when it is a node_modules folder, else its node_modules (an npm prefix)."""
    nested = folder / "node_modules"
    return nested if folder.name != "node_modules" and nested.is_dir() else folder


def candidates(explicit: Path | None = None, project_root: Path | None = None,
               environ: Mapping[str, str] | None = None, checkout: Path | None = CHECKOUT_ROOT,
               ) -> tuple[Candidate, ...]:
    """The folders looked at, in order (see the module docstring)."""
    env = os.environ if environ is None else environ
    found: list[Candidate] = []
    if explicit is not None:
        found.append(Candidate("--lms-runtime", _node_modules(explicit)))
    if env.get(ENVIRONMENT_VARIABLE):
        found.append(Candidate(f"${ENVIRONMENT_VARIABLE}", _node_modules(Path(env[ENVIRONMENT_VARIABLE]))))
    if project_root is not None:
        found.append(Candidate("project", project_root / "node_modules"))
    if checkout is not None:
        found.append(Candidate("courseforge checkout", checkout / "node_modules"))
    found.append(Candidate("user cache", user_cache_dir(env) / "node_modules"))
    return tuple(found)


def installed_version(node_modules: Path, package: NodePackage) -> str | None:
    """The version npm installed in ``node_modules``, or None when the package is not there."""
    try:
        manifest = json.loads((node_modules / package.name / "package.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    version = manifest.get("version") if isinstance(manifest, dict) else None
    return version if isinstance(version, str) else None


def _find(package: NodePackage, looked_at: Sequence[Candidate]) -> FoundFile | str:
    """The package's file from the first folder holding the pinned version, or why none did."""
    reasons: list[str] = []
    for candidate in looked_at:
        version = installed_version(candidate.node_modules, package)
        path = candidate.node_modules / package.name / package.file
        if version == package.version and path.is_file():
            return FoundFile(package, path, candidate.origin)
        why = "not installed" if version is None else f"version {version}" if version != package.version \
            else f"{package.file} missing"
        reasons.append(f"  {candidate.origin}: {candidate.node_modules} ({why})")
    return "\n".join(reasons)


def find_runtime(explicit: Path | None = None, project_root: Path | None = None,
                 environ: Mapping[str, str] | None = None, checkout: Path | None = CHECKOUT_ROOT) -> LmsRuntime:
    """scorm-again and axe-core at their pinned versions, or :class:`RuntimeMissing` naming the fix."""
    looked_at = candidates(explicit, project_root, environ, checkout)
    results = {package.name: _find(package, looked_at) for package in PINNED}
    missing = {name: why for name, why in results.items() if isinstance(why, str)}
    if missing:
        raise RuntimeMissing(missing_message(missing))
    scorm_again, axe_core, xapi_validation = (results[package.name] for package in PINNED)
    assert isinstance(scorm_again, FoundFile) and isinstance(axe_core, FoundFile)
    assert isinstance(xapi_validation, FoundFile)
    return LmsRuntime(scorm_again=scorm_again, axe_core=axe_core, xapi_validation=xapi_validation)


def missing_message(missing: Mapping[str, str]) -> str:
    pins = " ".join(package.spec for package in PINNED)
    lines = [f"the LMS runtime for courseforge preview is not installed: {', '.join(sorted(missing))} "
             f"(pinned: {pins})"]
    for name, why in sorted(missing.items()):
        lines.append(f"looked for {name} in:\n{why}")
    lines.append("fix: run `courseforge preview install-runtime` (runs npm install into the user cache), "
                 "or `npm install --save-exact " + pins + "` in the project, or point --lms-runtime / "
                 f"${ENVIRONMENT_VARIABLE} at a node_modules folder holding them")
    return "\n".join(lines)


def install_command(prefix: Path, npm: str = "npm", *, offline: bool = False) -> list[str]:
    """The one command ``install-runtime`` runs: the pinned packages into ``prefix``/node_modules
    (``offline``: from npm's own cache only)."""
    return [npm, "install", "--prefix", str(prefix), "--save-exact", "--no-audit", "--no-fund",
            *(["--offline"] if offline else []), *(package.spec for package in PINNED)]


def install_runtime(prefix: Path | None = None, npm: str | None = None, environ: Mapping[str, str] | None = None,
                    *, offline: bool = False) -> LmsRuntime:
    """Install the pinned packages with the user's own npm (``courseforge preview install-runtime``).

    ``prefix`` defaults to the user cache. Raises :class:`RuntimeMissing` when npm is missing or fails.
    """
    target = prefix if prefix is not None else user_cache_dir(environ)
    executable = npm or shutil.which("npm")
    if executable is None:
        raise RuntimeMissing("npm not found: install Node.js (20.19 or newer, with npm), then run "
                             "`courseforge preview install-runtime` again")
    target.mkdir(parents=True, exist_ok=True)
    command = install_command(target, executable, offline=offline)
    try:
        code = subprocess.run(command, check=False).returncode
    except OSError as error:
        raise RuntimeMissing(f"cannot run npm ({executable}): {error}") from None
    if code != 0:
        raise RuntimeMissing(f"`{' '.join(command)}` failed with exit code {code}")
    return find_runtime(explicit=target, environ={}, checkout=None)
