"""The command line as CI and users rely on it: exit codes, one JSON document, the project root from any
sub-folder, the translation gate, and what an internal error looks like."""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import click
import pytest
from babel.messages.pofile import read_po, write_po

from courseforge import __version__
from courseforge.cache import FINGERPRINTS, DiskStore
from courseforge.cli import COMMANDS, EXIT_INTERNAL, EXIT_PROBLEMS, EXIT_USAGE, cli, run
from courseforge.commands.outputs import CACHE_DIR

REPO = Path(__file__).resolve().parents[2]
I18N_COURSE = REPO / "tests" / "roots" / "i18n-course"


def invoke(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of this repository's sample project (courses, catalogs, courseforge.yaml) in a temp folder,
    building SCORM 1.2 only: these tests are about command-line conventions, the same for every format."""
    root = tmp_path / "project"
    root.mkdir()
    for name in ("courses", "locales"):
        shutil.copytree(REPO / name, root / name)
    config = (REPO / "courseforge.yaml").read_text(encoding="utf-8")
    assert "\n  formats: []" in config
    (root / "courseforge.yaml").write_text(config.replace("\n  formats: []", "\n  formats: [scorm12]"),
                                           encoding="utf-8")
    monkeypatch.chdir(root)
    return root


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def outputs_and_cache(out: Path) -> tuple[dict[str, bytes], Counter[str]]:
    """A build's outputs byte for byte, and what its cache folder holds by namespace: the cache's small entries
    are packed in files named by the writing process, so its layout is not the same from one build to the next;
    and courseforge's code fingerprint is written by the first build of a process only (later ones know it)."""
    outputs = {name: data for name, data in tree(out).items() if not name.startswith(f"{CACHE_DIR}/")}
    kept = DiskStore(out / CACHE_DIR).namespaces()
    del kept[FINGERPRINTS]
    return outputs, kept


def commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], click.Command]]:
    found = []
    context = click.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        assert command is not None
        if isinstance(command, click.Group):
            found.extend(commands(command, (*prefix, name)))
        else:
            found.append(((*prefix, name), command))
    return found


SERVERS = {("lrs",)}
"""Commands that serve until stopped instead of reporting (they print their URL)."""


@pytest.mark.parametrize("path", [p for p, _ in commands(cli) if p not in SERVERS], ids=" ".join)
def test_every_reporting_command_takes_json_and_ends_its_help_with_an_example(path: tuple[str, ...]) -> None:
    command = dict(commands(cli))[path]
    options = {opt for param in command.params for opt in getattr(param, "opts", [])}
    assert "--json" in options, options
    package_format_commands = {("build",), ("lint",), ("preview",), ("publish",)}
    assert "--format" not in options or path in package_format_commands, "--format names package formats only"
    help_text = command.help or ""
    assert "Example" in help_text and "courseforge " in help_text.split("Example")[-1], help_text


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_the_help_summary_of_each_lazy_command_is_its_own_first_paragraph(name: str) -> None:
    command = COMMANDS[name].load()
    assert COMMANDS[name].summary == inspect.cleandoc(command.help or "").split("\n\n")[0].replace("\n", " ")


def test_help_imports_no_command_module() -> None:
    """Not even the reporting helpers (commands.output, with the diagnostics, dataclasses and json it imports)."""
    probe = ("import sys; from courseforge.cli import run; code = run(['--help']); "
             "print(sorted(m for m in sys.modules if m.startswith('courseforge.commands') or m in "
             "('courseforge.diagnostics', 'dataclasses', 'json')))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip().splitlines()[-1] == "[]"
    assert "lint" in result.stdout and "Check course sources" in result.stdout


@pytest.mark.parametrize("flag", ["-V", "--version"])
def test_version(capsys: pytest.CaptureFixture[str], flag: str) -> None:
    code, out, _ = invoke(capsys, flag)
    assert (code, out.strip()) == (0, f"courseforge, version {__version__}")


def test_python_dash_m_runs_the_same_command_line() -> None:
    result = subprocess.run([sys.executable, "-m", "courseforge", "--version"], capture_output=True, text=True,
                            check=False)
    assert (result.returncode, result.stdout.strip()) == (0, f"courseforge, version {__version__}")


@pytest.mark.parametrize("args", [["lint", "--no-such-option"], ["build", "--format", "nope"], ["frobnicate"],
                                  ["build", "not-a-course"], ["lint", "--quiet", "--verbose"]])
def test_usage_errors_exit_2_not_1(capsys: pytest.CaptureFixture[str], project: Path, args: list[str]) -> None:
    code, out, err = invoke(capsys, *args)
    assert code == EXIT_USAGE, err
    assert out == "" and "Error" in err


@pytest.mark.parametrize("args", [["lint"], ["build"], ["i18n", "extract"], ["i18n", "status"]])
def test_outside_a_project_is_a_usage_error_that_writes_nothing(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch,
                                                                  args: list[str]) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = invoke(capsys, *args)
    assert code == EXIT_USAGE and "courseforge.yaml" in err
    assert list(tmp_path.iterdir()) == []


def test_an_invalid_project_file_is_reported_at_its_line(capsys: pytest.CaptureFixture[str], project: Path) -> None:
    (project / "courseforge.yaml").write_text("courses: courses\nlocals: locales\noutput: ../elsewhere\n")
    code, _, err = invoke(capsys, "lint")
    assert code == EXIT_PROBLEMS
    assert "courseforge.yaml:2:1: error: unknown key 'locals'" in err and "did you mean 'locales'?" in err
    assert "courseforge.yaml:3:" in err and "inside the project" in err


def test_every_command_works_the_same_from_a_sub_folder(capsys: pytest.CaptureFixture[str], project: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    code, top, err = invoke(capsys, "build", "--locale", "de", "--json")
    assert code == 0, err
    first, first_cache = outputs_and_cache(project / "build")
    shutil.rmtree(project / "build")
    monkeypatch.chdir(project / "courses" / "workplace-safety" / "pages")
    code, nested, err = invoke(capsys, "build", "--locale", "de", "--json")
    assert code == 0, err
    assert json.loads(nested) == json.loads(top)
    assert outputs_and_cache(project / "build") == (first, first_cache)
    assert not (project / "courses" / "build").exists() and not (project / "courses" / "locales").exists()
    german = json.loads(nested)["packages"]
    assert [p["locale"] for p in german if p["course"] == "workplace-safety"] == ["en", "de"]


def test_a_course_is_named_by_folder_name_or_path_from_any_sub_folder(capsys: pytest.CaptureFixture[str],
                                                                       project: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project / "courses")
    by_name = invoke(capsys, "lint", "workplace-safety", "--json")
    by_path = invoke(capsys, "lint", "./workplace-safety", "--json")
    assert by_name[0] == by_path[0] == 0
    assert json.loads(by_name[1]) == json.loads(by_path[1])
    assert json.loads(by_name[1])["courses"] == ["courses/workplace-safety"]


@pytest.mark.parametrize("args", [["lint"], ["lint", "--strict"], ["build", "--locale", "all"],
                                  ["i18n", "status"], ["i18n", "check"]])
def test_json_output_is_exactly_one_document(capsys: pytest.CaptureFixture[str], project: Path,
                                             args: list[str]) -> None:
    code, out, _ = invoke(capsys, *args, "--json")
    document = json.loads(out)
    assert code in (0, EXIT_PROBLEMS)
    assert isinstance(document, dict) and document["ok"] is (code == 0)


def test_check_json_is_one_document_with_every_package(capsys: pytest.CaptureFixture[str], project: Path) -> None:
    assert invoke(capsys, "build", "-q")[0] == 0
    zips = sorted(str(p) for p in (project / "build").glob("*/*/*.zip"))
    code, out, _ = invoke(capsys, "check", *zips, "--json")
    assert code == 0 and len(json.loads(out)["packages"]) == len(zips) == 2


def test_results_go_to_stdout_and_diagnostics_to_stderr(capsys: pytest.CaptureFixture[str], project: Path) -> None:
    code, out, err = invoke(capsys, "build", "--locale", "fr")
    assert code == 0
    assert all(line.startswith("build/") and line.endswith("verified") for line in out.splitlines()), out
    assert "[i18n.fallback]" in err and "built 4 package(s)" in err
    code, out, err = invoke(capsys, "build", "--locale", "fr", "--quiet")
    assert code == 0 and len(out.splitlines()) == 4 and err == ""


def test_no_colour_when_piped_or_with_no_color(project: Path) -> None:
    environment = {**os.environ, "NO_COLOR": "1", "FORCE_COLOR": ""}
    result = subprocess.run([sys.executable, "-m", "courseforge", "lint", str(I18N_COURSE.parent / "broken-quiz")],
                            capture_output=True, text=True, check=False, env=environment, cwd=project)
    assert result.returncode == EXIT_PROBLEMS
    assert "\x1b[" not in result.stderr and ": error: " in result.stderr


def test_an_internal_error_exits_3_with_one_line_and_a_log(capsys: pytest.CaptureFixture[str], project: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("injected fault")

    monkeypatch.setattr("courseforge.build_plan.prepare_course", broken)
    code, out, err = invoke(capsys, "build")
    assert code == EXIT_INTERNAL
    (line,) = err.strip().splitlines()
    assert "internal error: RuntimeError: injected fault" in line and "nothing was written" in line
    log = Path(line.rsplit(" ", 1)[-1])
    assert "Traceback" in log.read_text() and "injected fault" in log.read_text()
    assert out == "" and not (project / "build").exists()
    code, out, _ = invoke(capsys, "build", "--json")
    assert code == EXIT_INTERNAL and json.loads(out)["internal_error"] == "RuntimeError: injected fault"


def gap_project(project: Path, required: str) -> Path:
    """The i18n test course with German required at ``required`` % and one German entry removed."""
    course = project / "courses" / "i18n-course"
    shutil.copytree(I18N_COURSE, course)
    manifest = course / "course.yaml"
    manifest.write_text(manifest.read_text().replace("  - language: de\n    required: 100\n",
                                                     f"  - language: de\n    required: {required}\n"))
    catalog_path = project / "locales" / "de" / "LC_MESSAGES" / "i18n-course.po"
    code = run(["i18n", "init", "de", "i18n-course"])
    assert code == 0
    with catalog_path.open("rb") as stream:
        catalog = read_po(stream)
    for message in catalog:
        if message.id:
            message.string = tuple(f"DE {m}" for m in message.id) if isinstance(message.id, tuple) \
                else f"DE {message.id}"
    first = next(m for m in catalog if m.id)
    first.string = ""
    with catalog_path.open("wb") as stream:
        write_po(stream, catalog, width=0)
    return course


def test_a_translation_below_its_required_coverage_fails_the_build(capsys: pytest.CaptureFixture[str],
                                                                   project: Path) -> None:
    gap_project(project, "100")
    capsys.readouterr()
    code, _, err = invoke(capsys, "build", "i18n-course", "--locale", "de")
    assert code == EXIT_PROBLEMS
    assert "locales/de/LC_MESSAGES/i18n-course.po: error: de: the course catalog is" in err
    assert "100% required (1 missing of " in err and "[i18n.below-required]" in err
    assert not (project / "build").exists()
    code, out, err = invoke(capsys, "build", "i18n-course", "--locale", "de", "--allow-incomplete", "--json")
    assert code == 0, err
    report = json.loads((project / "build" / "reports" / "build.json").read_text())
    (german,) = [p for p in report["packages"] if p["locale"] == "de"]
    assert german["translation"]["allowed_incomplete"] is True and german["translation"]["passed"] is False
    assert german == next(p for p in json.loads(out)["packages"] if p["locale"] == "de")


def test_the_player_catalog_counts_too(capsys: pytest.CaptureFixture[str], project: Path) -> None:
    """Spanish has no built-in player catalog: a fully translated course still fails on 'Next'."""
    course = project / "courses" / "workplace-safety"
    manifest = course / "course.yaml"
    manifest.write_text(manifest.read_text().replace("  - language: ar\n", "  - language: es\n"))
    shutil.copytree(project / "locales" / "fr", project / "locales" / "es")
    for po in (project / "locales" / "es").rglob("*.po"):
        po.write_text(po.read_text().replace('"Language: fr\\n"', '"Language: es\\n"'))
    code, _, err = invoke(capsys, "build", "workplace-safety", "--locale", "es")
    assert code == EXIT_PROBLEMS
    assert "es: the player (ui) catalog is 0.0% translated, 100% required" in err
    assert "es: the course catalog" not in err


def test_a_locale_without_any_catalog_is_not_shipped_in_the_source_language(capsys: pytest.CaptureFixture[str],
                                                                           project: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project / "courses")
    code, _, err = invoke(capsys, "build", "workplace-safety", "--locale", "es")
    assert code == EXIT_PROBLEMS
    assert "locales/es/LC_MESSAGES/workplace-safety.po: error: workplace-safety: no catalog for 'es'" in err
    assert not (project / "build").exists()
    code, _, err = invoke(capsys, "build", "workplace-safety", "--locale", "es", "--allow-incomplete")
    assert code == 0 and "[i18n.no-catalog]" in err


def test_building_one_course_keeps_the_other_courses_packages(capsys: pytest.CaptureFixture[str],
                                                               project: Path) -> None:
    assert invoke(capsys, "build", "--locale", "all", "-q")[0] == 0
    out = project / "build"
    before = json.loads((out / "reports" / "build.json").read_text())["packages"]
    privacy = {p["path"]: p["sha256"] for p in before if p["course"] == "data-privacy"}
    (project / "courses" / "workplace-safety" / "pages" / "welcome.md").write_text(
        (project / "courses" / "workplace-safety" / "pages" / "welcome.md").read_text() + "\nOne more line.\n")
    assert invoke(capsys, "build", "workplace-safety", "-q")[0] == 0
    after = json.loads((out / "reports" / "build.json").read_text())["packages"]
    assert {p["path"]: p["sha256"] for p in after if p["course"] == "data-privacy"} == privacy
    for path, digest in privacy.items():
        assert hashlib.sha256((project / path).read_bytes()).hexdigest() == digest
    safety = [p["locale"] for p in after if p["course"] == "workplace-safety"]
    assert safety == ["en"] and not (out / "workplace-safety" / "de").exists()
    listed = {p["path"] for p in after}
    assert {f.relative_to(project).as_posix() for f in out.rglob("*.zip")} == listed
