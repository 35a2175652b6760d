"""Acceptance: courseforge as a course team gets it. A wheel built from this checkout is installed in a fresh
venv (dependencies from the package index, as for a user) and used in a temp folder far from the checkout,
with the checkout off sys.path: ``courseforge new demo``, then from the project root and from the course
folder lint, build, start a German translation, translate one entry, declare it, build German; and the
repository's sample courses, copied into a new project, build byte-identical packages to the checkout's.

One venv per session (module fixture); pip's own cache makes reruns fast.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from babel.messages.pofile import read_po, write_po

pytestmark = pytest.mark.install

REPO = Path(__file__).resolve().parents[2]
EPOCH = "1700000000"
"""SOURCE_DATE_EPOCH for every build here, so packages can be compared byte for byte."""
PIP_TIMEOUT = 600
COMMAND_TIMEOUT = 120
STARTER = "first-course"
UNSET = ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONUSERBASE", "VIRTUAL_ENV", "PIP_NO_CACHE_DIR",
         "SOURCE_DATE_EPOCH")


def outside_env(extra_path: Path | None = None) -> dict[str, str]:
    """The environment of a user's shell: no PYTHONPATH, no active venv, the checkout's venv off PATH."""
    env = {key: value for key, value in os.environ.items() if key not in UNSET}
    checkout_bins = {str(REPO / ".venv" / "bin"), str(Path(sys.executable).parent)}
    path = [entry for entry in env.get("PATH", "").split(os.pathsep) if entry and entry not in checkout_bins]
    env["PATH"] = os.pathsep.join([str(extra_path), *path] if extra_path else path)
    env["SOURCE_DATE_EPOCH"] = EPOCH
    return env


def checked_run(command: list[str], *, cwd: Path, env: dict[str, str], timeout: float) -> str:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    assert result.returncode == 0, f"{command} in {cwd} exited {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result.stdout


def copy_checkout(target: Path) -> Path:
    """What a wheel is built from (the package and its metadata), without caches or the checkout's outputs."""
    target.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, target / name)
    shutil.copytree(REPO / "courseforge", target / "courseforge",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info"))
    return target


@dataclass(frozen=True)
class Installed:
    venv: Path

    @property
    def bin(self) -> Path:
        return self.venv / "bin"

    @property
    def env(self) -> dict[str, str]:
        return outside_env(self.bin)

    def run(self, *args: str, cwd: Path, expect: int = 0) -> subprocess.CompletedProcess[str]:
        """The venv's ``courseforge`` executable, run as a user would: by its path, from ``cwd``."""
        assert_far_from_checkout(cwd)
        result = subprocess.run([str(self.bin / "courseforge"), *args], cwd=cwd, env=self.env, capture_output=True,
                                text=True, timeout=COMMAND_TIMEOUT, check=False)
        assert result.returncode == expect, (
            f"courseforge {' '.join(args)} in {cwd}: exit {result.returncode}, expected {expect}\n"
            f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}")
        return result

    def json(self, *args: str, cwd: Path) -> Any:
        """A --json run: stdout must hold exactly one JSON document."""
        return json.loads(self.run(*args, "--json", cwd=cwd).stdout)


def assert_far_from_checkout(folder: Path) -> None:
    here = folder.resolve()
    assert REPO not in (here, *here.parents), f"{here} is inside the checkout"
    assert here not in REPO.parents, f"{here} contains the checkout"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    work = tmp_path_factory.mktemp("wheel")
    assert_far_from_checkout(work)
    source = copy_checkout(work / "source")
    env = outside_env()
    checked_run([sys.executable, "-m", "build", "--wheel", "--outdir", str(work / "dist"), str(source)],
                cwd=work, env=env, timeout=PIP_TIMEOUT)
    [wheel] = (work / "dist").glob("courseforge-*-py3-none-any.whl")
    venv = work / "venv"
    checked_run([sys.executable, "-m", "venv", str(venv)], cwd=work, env=env, timeout=PIP_TIMEOUT)
    checked_run([str(venv / "bin" / "python"), "-m", "pip", "install", "--disable-pip-version-check", "-q",
                 str(wheel)], cwd=work, env=env, timeout=PIP_TIMEOUT)
    return Installed(venv)


@pytest.fixture
def far(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("user")
    assert_far_from_checkout(folder)
    return folder


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def package_member(package: Path, name: str) -> str:
    with zipfile.ZipFile(package) as archive:
        return archive.read(name).decode("utf-8")


# ---------------------------------------------------------------------------------------------- the tests

def test_the_installed_tool_is_the_wheel_and_answers_its_version(installed: Installed, far: Path) -> None:
    version = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    location = checked_run([str(installed.bin / "python"), "-c", "import courseforge; print(courseforge.__file__)"],
                           cwd=far, env=installed.env, timeout=COMMAND_TIMEOUT).strip()
    assert Path(location).is_relative_to(installed.venv), location
    for command in ([str(installed.bin / "python"), "-m", "courseforge", "--version"],
                    [str(installed.bin / "courseforge"), "-V"]):
        assert version in checked_run(command, cwd=far, env=installed.env, timeout=COMMAND_TIMEOUT)


def translate_one_entry(po: Path, source: str, translation: str) -> None:
    with po.open("rb") as stream:
        catalog = read_po(stream)
    [message] = [m for m in catalog if m.id == source]
    message.string = translation
    with po.open("wb") as stream:
        write_po(stream, catalog, width=0)


def declare_translation(course_yaml: Path, language: str, required: int) -> None:
    """Add the language to course.yaml's translations, as an author would (the file keeps its comments)."""
    text = course_yaml.read_text(encoding="utf-8")
    declared = f"translations:\n  - language: {language}\n    required: {required}\n"
    course_yaml.write_text(text.replace("\nauthors:\n", f"\n{declared}authors:\n", 1), encoding="utf-8")
    assert yaml.safe_load(course_yaml.read_text(encoding="utf-8"))["translations"] == [
        {"language": language, "required": required}]


def page_title(page: Path) -> str:
    front_matter = page.read_text(encoding="utf-8").split("---\n")[1]
    return str(yaml.safe_load(front_matter)["title"])


def checked_packages(installed: Installed, packages: list[Path], cwd: Path) -> None:
    document = installed.json("check", *map(str, packages), cwd=cwd)
    assert document["ok"] is True, document
    assert len(document["packages"]) == len(packages)


@pytest.mark.parametrize("where", [".", f"courses/{STARTER}"], ids=["project-root", "course-folder"])
def test_new_project_lints_builds_and_builds_german_from(installed: Installed, far: Path, where: str) -> None:
    installed.run("new", "demo", cwd=far)
    demo = far / "demo"
    here = demo / where
    course = demo / "courses" / STARTER

    lint = installed.json("lint", "--strict", cwd=here)
    assert lint["ok"] is True and lint["courses"] == [f"courses/{STARTER}"], lint
    built = installed.json("build", "--format", "scorm12", cwd=here)
    assert [p["path"] for p in built["packages"]] == [f"build/{STARTER}/en/scorm12.zip"], built

    installed.run("i18n", "init", "de", cwd=here)
    po = demo / "locales" / "de" / "LC_MESSAGES" / f"{STARTER}.po"
    strays = sorted(p.relative_to(demo).as_posix() for p in demo.rglob("*.po*") if "locales" in p.parts
                    and not p.is_relative_to(demo / "locales"))
    assert po.is_file() and not strays, f"i18n init from {where} wrote {strays} instead of {po.relative_to(demo)}"
    title = page_title(course / "pages" / "welcome.md")
    translate_one_entry(po, title, "Willkommen")
    declare_translation(course / "course.yaml", "de", required=1)

    built = installed.json("build", "--locale", "de", "--format", "scorm12", cwd=here)
    assert built["ok"] is True
    paths = {p["locale"]: demo / p["path"] for p in built["packages"]}
    assert sorted(paths) == ["de", "en"]
    assert paths["de"] == demo / "build" / STARTER / "de" / "scorm12.zip"
    checked_packages(installed, sorted(paths.values()), cwd=here)

    german = package_member(paths["de"], "index.html")
    assert '<html lang="de"' in german
    assert "Willkommen" in german, "the translated entry is missing from the German package"
    assert "Weiter" in german, "the German player strings (built-in catalog) are missing"
    english = package_member(paths["en"], "index.html")
    assert '<html lang="en"' in english and "Willkommen" not in english and title in english


def test_the_installed_tool_serves_a_second_build_with_the_same_results(installed: Installed, far: Path) -> None:
    """The wheel's build server (``COURSEFORGE_SERVER=on`` and a runtime folder of the test's own: the suite turns
    the server off): the first build starts it; a build it serves (its log says so) prints and writes what the
    same build does in its own process."""
    installed.run("new", "served", cwd=far)
    project, runtime = far / "served", far / "runtime"
    runtime.mkdir(mode=0o700)
    env = {**installed.env, "COURSEFORGE_SERVER": "on", "XDG_RUNTIME_DIR": str(runtime)}

    def build(server: str) -> tuple[str, str, dict[str, bytes]]:
        result = subprocess.run([str(installed.bin / "courseforge"), "build", "--format", "scorm12", "--json"],
                                cwd=project, env={**env, "COURSEFORGE_SERVER": server}, capture_output=True,
                                text=True, timeout=COMMAND_TIMEOUT, check=True)
        return result.stdout, result.stderr, {p.name: p.read_bytes() for p in sorted(project.rglob("*.zip"))}

    try:
        first = build("on")
        deadline = time.monotonic() + COMMAND_TIMEOUT
        while not list(runtime.glob("courseforge/*.json")) and time.monotonic() < deadline:
            time.sleep(0.1)
        fresh = build("off")
        assert build("on") == fresh and fresh[2] == first[2]
        assert " served ['build', '--format', 'scorm12', '--json']" in "".join(
            log.read_text() for log in runtime.glob("courseforge/*.log"))
    finally:
        subprocess.run([str(installed.bin / "courseforge"), "server", "stop"], cwd=project, env=env,
                       capture_output=True, timeout=COMMAND_TIMEOUT, check=False)


def sample_project_files(project: Path) -> None:
    """This repository's sample courses and their catalogs (sources only: no compiled .mo)."""
    for course in sorted((REPO / "courses").glob("*/course.yaml")):
        shutil.copytree(course.parent, project / "courses" / course.parent.name)
    for catalog in sorted((REPO / "locales").rglob("*.po*")):
        target = project / "locales" / catalog.relative_to(REPO / "locales")
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            shutil.copy2(catalog, target)


def package_digests(report: dict[str, Any], root: Path, courses: set[str]) -> dict[tuple[str, str, str], str]:
    """(course, locale, format) -> sha256 of the file written, which must be the one the report names.
    Report paths are relative to the project root, or absolute for an --out outside it."""
    digests = {}
    for entry in report["packages"]:
        if entry["course"] in courses:
            written = sha256(root / entry["path"])
            assert written == entry["sha256"]
            digests[(entry["course"], entry["locale"], entry["format"])] = written
    return digests


def test_sample_courses_copied_into_a_new_project_build_the_same_packages(
        installed: Installed, far: Path) -> None:
    samples = {course.parent.name for course in (REPO / "courses").glob("*/course.yaml")}
    assert samples, "the checkout has no sample courses"
    checkout_out = far / "checkout-build"
    here = json.loads(checked_run([sys.executable, "-m", "courseforge", "build", "--locale", "all", "--out",
                                   str(checkout_out), "--json"], cwd=REPO, env=outside_env(), timeout=COMMAND_TIMEOUT))

    installed.run("new", "samples", cwd=far)
    project = far / "samples"
    sample_project_files(project)
    there = installed.json("build", "--locale", "all", cwd=project)

    expected = package_digests(here, REPO, samples)
    assert {course for course, _, _ in expected} == samples
    assert package_digests(there, project, samples) == expected


def test_preview_runs_from_the_installed_tool_in_a_new_project(installed: Installed, far: Path) -> None:
    """The LMS runtime comes from the project's own node_modules, as `npm install --save-exact
    scorm-again@3.4.3 axe-core@4.14.1 @learninglocker/xapi-validation@3.0.0` in the project leaves it (copied here:
    no network in tests)."""
    installed.run("new", "demo", cwd=far)
    project = far / "demo"
    for name in ("scorm-again", "axe-core", "@learninglocker/xapi-validation"):
        shutil.copytree(REPO / "node_modules" / name, project / "node_modules" / name)
    report = installed.json("preview", "--locale", "en", "--profile", "default", "--scenario", "pass", "--format",
                            "scorm12", cwd=project)  # a new project builds every format; SCORM 1.2 is enough here
    assert report["ok"] is True, report
    assert [(run["scenario"], run["verdict"]) for run in report["runs"]] == [("pass", "passed")]
    assert (project / "build" / "preview" / "report.html").is_file()
    assert (project / "build" / "preview" / "junit.xml").is_file()
    installed.run("build", "-q", cwd=project)
    smoke = installed.json("preview", f"build/{STARTER}/en/scorm12.zip", "--profile", "default", cwd=project)
    assert smoke["ok"] is True and smoke["runs"][0]["scenario"] == "smoke", smoke
