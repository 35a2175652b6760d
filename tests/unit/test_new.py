"""``courseforge new``: a project with every file, a course skeleton that lints clean and builds, refusals
that leave the disk alone, exit codes and the JSON document."""

from __future__ import annotations

import inspect
import itertools
import json
import re
import shlex
import typing
import zipfile
from pathlib import Path
from typing import Any

import click
import pytest
import yaml
from pydantic import BaseModel

from courseforge.cli import EXIT_OK, EXIT_USAGE, cli, run
from courseforge.diagnostics import DiagnosticSink
from courseforge.model.branding import DEFAULT_COLORS
from courseforge.model.package import PackageFormat
from courseforge.model.project import ProjectConfig
from courseforge.project import load_config

PROJECT_FILES = {
    "courseforge.yaml", "README.md", ".gitignore", ".github/workflows/courseforge.yml",
    ".github/workflows/publish.yml",
    "courses/first-course/course.yaml", "courses/first-course/pages/welcome.md",
    "courses/first-course/quizzes/check.yaml", "courses/first-course/checklists/ready.yaml",
    "courses/first-course/surveys/feedback.yaml",
    "locales/templates/first-course.pot",
}


def invoke(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def files_below(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Path:
    """A project made by ``courseforge new demo``, with the working folder at its root."""
    monkeypatch.chdir(tmp_path)
    code, _, err = invoke(capsys, "new", "demo", "-q")
    assert code == EXIT_OK, err
    monkeypatch.chdir(tmp_path / "demo")
    return tmp_path / "demo"


# ------------------------------------------------------------------------------------- new PROJECT_DIR

def test_new_project_writes_every_file_and_lists_them_in_one_json_document(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = invoke(capsys, "new", "demo", "--json")
    assert code == EXIT_OK, err
    document = json.loads(out)
    assert document["ok"] is True
    assert set(document["created"]) == PROJECT_FILES == set(files_below(tmp_path / "demo"))
    assert document["kept"] == []
    assert document["project"] == (tmp_path / "demo").resolve().as_posix()
    assert document["next_steps"][0] == "cd demo"


def test_new_project_prints_created_files_and_next_steps(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = invoke(capsys, "new", "my-courses")
    assert code == EXIT_OK, err
    assert sorted(out.splitlines()) == sorted(f"created my-courses/{path}" for path in PROJECT_FILES)
    assert "next steps:" in err and "cd my-courses" in err and "courseforge build" in err


@pytest.mark.parametrize(("args", "folder"), [
    (["./course", "-q"], "course"),            # a folder named like the sub-command
    (["--json", "demo"], "demo"),              # options before the folder
    (["project", "./project", "-q"], "project"),
])
def test_project_folder_forms(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                              args: list[str], folder: str) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = invoke(capsys, "new", *args)
    assert code == EXIT_OK, err
    assert [p.parent.name for p in tmp_path.glob("*/courseforge.yaml")] == [folder]


NAMED_BY_USER = "*"
"""A key of a mapping whose keys the user chooses (publish.targets.<name>), in the paths compared below."""


def key_paths(node: Any, prefix: str = "", named: frozenset[str] = frozenset()) -> set[str]:
    """Every key path of a YAML document; under a path in ``named``, each key counts as ``*``."""
    if not isinstance(node, dict):
        return set()
    paths: set[str] = set()
    for key, value in node.items():
        path = f"{prefix}{NAMED_BY_USER if prefix[:-1] in named else key}"
        paths |= {path, *key_paths(value, f"{path}.", named)}
    return paths


def named_mappings(model: type[BaseModel], prefix: str = "") -> frozenset[str]:
    """The paths of ``dict[str, Model]`` fields: their keys are names the user chooses."""
    found: set[str] = set()
    for name, info in model.model_fields.items():
        if typing.get_origin(info.annotation) is dict:
            found.add(f"{prefix}{name}")
        elif (inner := nested_model(info.annotation)) is not None:
            found |= named_mappings(inner, f"{prefix}{name}.")
    return frozenset(found)


def nested_model(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds, also when it is optional (``Branding | None``)."""
    for candidate in (annotation, *typing.get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def model_key_paths(model: type[BaseModel], prefix: str = "") -> set[str]:
    paths = set()
    for name, info in model.model_fields.items():
        if info.exclude:
            continue
        paths.add(f"{prefix}{name}")
        if (inner := nested_model(info.annotation)) is not None:
            named = f".{NAMED_BY_USER}" if typing.get_origin(info.annotation) is dict else ""
            paths |= model_key_paths(inner, f"{prefix}{name}.") if not named else {
                f"{prefix}{name}{named}", *model_key_paths(inner, f"{prefix}{name}{named}.")}
    return paths


COMMENTED_KEY = re.compile(r"^# (\s*[a-z_]+:(?: .*)?)$", re.MULTILINE)


def test_courseforge_yaml_names_every_key_with_its_default_and_a_comment(project: Path, tmp_path: Path) -> None:
    """Keys with a default are written with it; keys that are off by default (branding) are written
    commented out, except base_iri, which a new project gets as an example address to replace (without one,
    lint warns for xapi and cmi5); a key courseforge.yaml gains in the model but not here fails this test."""
    text = (project / "courseforge.yaml").read_text(encoding="utf-8")
    named = named_mappings(ProjectConfig)
    active = key_paths(yaml.safe_load(text), named=named)
    uncommented = COMMENTED_KEY.sub(r"\1", text)
    assert key_paths(yaml.safe_load(uncommented), named=named) == model_key_paths(ProjectConfig)
    assert active < model_key_paths(ProjectConfig)
    sink = DiagnosticSink()
    config = load_config(project, sink)
    assert not sink.items and config is not None
    assert config.base_iri == "https://learning.example.com/courses/"
    assert config.model_dump() == ProjectConfig(base_iri=config.base_iri).model_dump()
    (tmp_path / "courseforge.yaml").write_text(uncommented, encoding="utf-8")
    everything = load_config(tmp_path, sink)
    assert not sink.items and everything is not None and everything.branding is not None
    assert everything.branding.colors is not None and everything.branding.colors.chosen() == dict(DEFAULT_COLORS)
    lines = [line for line in text.splitlines() if line.strip()]
    for before, line in itertools.pairwise(lines):
        if not line.lstrip().startswith("#"):
            assert before.lstrip().startswith("#"), f"no comment above {line!r}"


def test_ci_workflow_installs_courseforge_then_lints_checks_translations_builds_and_keeps_the_packages(
        project: Path) -> None:
    workflow = yaml.safe_load((project / ".github" / "workflows" / "courseforge.yml").read_text(encoding="utf-8"))
    steps = workflow["jobs"]["courses"]["steps"]
    setup = next(step for step in steps if step.get("uses", "").startswith("actions/setup-python@"))
    assert setup["with"]["python-version"] == "3.11"
    runs = [step["run"] for step in steps if "run" in step]
    install = next(index for index, command in enumerate(runs) if "pip install" in command)
    assert "courseforge" in runs[install]
    commands = ["courseforge lint --strict --json", "courseforge i18n status", "courseforge build --locale all"]
    assert [runs.index(command) for command in commands] == sorted(runs.index(command) for command in commands)
    assert runs.index(commands[0]) > install
    upload = next(step for step in steps if step.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["with"]["path"] == "build/"


def test_the_publish_workflow_runs_on_merges_to_main_and_publishes_what_the_merge_changed(project: Path) -> None:
    text = (project / ".github" / "workflows" / "publish.yml").read_text(encoding="utf-8")
    workflow = yaml.safe_load(text)
    assert workflow[True]["push"]["branches"] == ["main"]  # YAML 1.1 reads the key "on" as true
    assert workflow["concurrency"]["cancel-in-progress"] is False
    job = workflow["jobs"]["publish"]
    checkout = next(step for step in job["steps"] if step.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0  # --changed-since needs the commit before the push
    runs = [step["run"] for step in job["steps"] if "run" in step]
    order = ["courseforge lint", "courseforge i18n status", "courseforge build", "courseforge preview ",
             "courseforge publish"]  # the last of each (the preview's runtime is installed before the lint)
    places = [max(index for index, command in enumerate(runs) if command.startswith(start)) for start in order]
    assert places == sorted(places)
    assert all("--changed-since" in runs[place] for place in places[2:])
    assert all("--locale all" in runs[place] for place in (places[2], places[4]))  # what is built is published
    assert job["env"]["SINCE"] == "${{ github.event.before }}"
    assert all(value.startswith(("${{ secrets.", "${{ vars.", "${{ github.")) for value in job["env"].values())
    reports = next(step for step in job["steps"] if step.get("uses", "").startswith("actions/upload-artifact@"))
    assert reports["if"] == "always()"


def test_the_ci_commands_pass_on_a_new_project(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    workflow = yaml.safe_load((project / ".github" / "workflows" / "courseforge.yml").read_text(encoding="utf-8"))
    commands = [shlex.split(step["run"]) for step in workflow["jobs"]["courses"]["steps"]
                if step.get("run", "").startswith("courseforge ")]
    assert len(commands) == 3
    for command in commands:
        code, out, err = invoke(capsys, *command[1:])
        assert code == EXIT_OK, f"{command}: {err}"
        if "--json" in command:
            assert json.loads(out)["ok"] is True
    assert (project / "build" / "first-course" / "en" / "scorm12.zip").is_file()


def test_gitignore_leaves_outputs_out(project: Path) -> None:
    ignored = (project / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "build/" in ignored


def test_starter_course_lints_clean_strictly_and_builds_a_verified_package(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = invoke(capsys, "lint", "--strict", "--json")
    assert code == EXIT_OK, err
    assert json.loads(out)["diagnostics"] == []
    code, out, err = invoke(capsys, "build", "--strict", "--json")
    assert code == EXIT_OK, err
    packages = json.loads(out)["packages"]
    assert [p["path"] for p in packages] == [f"build/first-course/en/{f.value}.zip" for f in PackageFormat]
    assert all(package["verified"] for package in packages)
    with zipfile.ZipFile(project / packages[0]["path"]) as archive:
        assert "imsmanifest.xml" in archive.namelist()


def test_templates_written_by_new_are_what_extract_writes(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = files_below(project / "locales")
    code, out, err = invoke(capsys, "i18n", "extract")
    assert code == EXIT_OK, err
    assert "(updated)" not in out
    assert files_below(project / "locales") == before


def test_refuses_a_folder_that_is_not_empty_and_writes_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "README.md").write_text("mine\n")
    code, out, err = invoke(capsys, "new", "repo", "--json")
    assert code == EXIT_USAGE
    assert out == "" and "is not empty" in err and "--force" in err
    assert files_below(tmp_path / "repo") == {"README.md": b"mine\n"}


def test_force_adds_the_project_beside_existing_files_and_never_overwrites_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "README.md").write_text("mine\n")
    (repo / ".gitignore").write_text("node_modules/\n")
    monkeypatch.chdir(repo)
    code, out, err = invoke(capsys, "new", ".", "--force", "--json")
    assert code == EXIT_OK, err
    document = json.loads(out)
    assert sorted(document["kept"]) == [".gitignore", "README.md"]
    assert set(document["created"]) == PROJECT_FILES - {"README.md", ".gitignore"}
    assert (repo / "README.md").read_text() == "mine\n" and (repo / ".gitignore").read_text() == "node_modules/\n"
    steps = document["next_steps"]
    assert not any(step.startswith("cd ") for step in steps)
    assert any("build/" in step and ".gitignore" in step for step in steps)
    assert any(step.startswith("git add .") for step in steps) and not any("git init" in step for step in steps)


def test_refuses_a_project_inside_a_project_unless_forced(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = invoke(capsys, "new", "courses/nested")
    assert code == EXIT_USAGE
    assert "inside the courseforge project" in err
    assert not (project / "courses" / "nested").exists()
    code, _, err = invoke(capsys, "new", "nested", "--force", "-q")
    assert code == EXIT_OK, err
    assert (project / "nested" / "courseforge.yaml").is_file()


def test_refuses_an_existing_project_even_when_forced(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = files_below(project)
    code, _, err = invoke(capsys, "new", ".", "--force")
    assert code == EXIT_USAGE
    assert "courseforge new course ID" in err
    assert files_below(project) == before


def test_refuses_a_file_as_project_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_text("x")
    code, _, err = invoke(capsys, "new", "notes.txt", "--force")
    assert code == EXIT_USAGE and "not a folder" in err


@pytest.mark.parametrize("option", [["--course", "Bad Id"], ["--course", "-x"], ["--language", "English"]])
def test_bad_course_id_or_language_is_a_usage_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], option: list[str]) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, _ = invoke(capsys, "new", "demo", *option)
    assert code == EXIT_USAGE
    assert not (tmp_path / "demo").exists()


# ------------------------------------------------------------------------------------- new course ID

def course_items(course_yaml: Path) -> list[str]:
    manifest = yaml.safe_load(course_yaml.read_text(encoding="utf-8"))
    return [item for module in manifest["modules"] for lesson in module["lessons"] for item in lesson["items"]]


def test_new_course_adds_a_linked_skeleton_that_lints_clean_and_builds(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = invoke(capsys, "new", "course", "safety-basics", "--json")
    assert code == EXIT_OK, err
    document = json.loads(out)
    course = project / "courses" / "safety-basics"
    files = {path for path in files_below(course) if path != "course.yaml"}
    assert set(course_items(course / "course.yaml")) == files
    assert {Path(path).parts[0] for path in files} == {"pages", "quizzes", "checklists", "surveys"}
    assert set(document["created"]) == {f"courses/safety-basics/{p}" for p in [*files, "course.yaml"]} | {
        "locales/templates/safety-basics.pot"}
    quiz = yaml.safe_load((course / "quizzes" / "check.yaml").read_text(encoding="utf-8"))
    assert len({question["type"] for question in quiz["questions"]}) >= 2
    code, _, err = invoke(capsys, "lint", "safety-basics", "--strict")
    assert code == EXIT_OK, err
    code, out, err = invoke(capsys, "build", "safety-basics", "--strict", "--json", "--format", "scorm12")
    assert code == EXIT_OK, err
    assert [p["path"] for p in json.loads(out)["packages"]] == ["build/safety-basics/en/scorm12.zip"]


def test_new_course_from_a_sub_folder_lands_in_the_projects_courses_folder(
        project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(project / "courses" / "first-course" / "pages")
    code, _, err = invoke(capsys, "new", "course", "second", "-q")
    assert code == EXIT_OK, err
    assert (project / "courses" / "second" / "course.yaml").is_file()
    assert not (project / "courses" / "first-course" / "pages" / "courses").exists()


def test_title_language_and_an_id_yaml_would_misread_are_written_as_text(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    title = 'Safety: "the basics" #1'
    code, _, err = invoke(capsys, "new", "course", "yes", "--title", title, "--language", "no", "-q")
    assert code == EXIT_OK, err
    manifest = yaml.safe_load((project / "courses" / "yes" / "course.yaml").read_text(encoding="utf-8"))
    assert (manifest["id"], manifest["title"], manifest["language"]) == ("yes", title, "no")
    code, _, err = invoke(capsys, "lint", "yes", "--strict")
    assert code == EXIT_OK, err


def test_new_course_refuses_an_existing_course_and_changes_nothing(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = files_below(project)
    code, out, err = invoke(capsys, "new", "course", "first-course", "--json")
    assert code == EXIT_USAGE
    assert out == "" and "exists already" in err
    assert files_below(project) == before


def test_new_course_writes_its_own_template_only(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = (project / "locales" / "templates" / "first-course.pot").read_bytes()
    code, _, err = invoke(capsys, "new", "course", "another", "-q")
    assert code == EXIT_OK, err
    assert sorted(p.name for p in (project / "locales" / "templates").iterdir()) == ["another.pot", "first-course.pot"]
    assert (project / "locales" / "templates" / "first-course.pot").read_bytes() == first


def test_new_course_needs_a_project(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = invoke(capsys, "new", "course", "lonely")
    assert code == EXIT_USAGE
    assert "courseforge.yaml" in err
    assert list(tmp_path.iterdir()) == []


def test_bad_course_id_for_new_course_is_a_usage_error(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = invoke(capsys, "new", "course", "über")
    assert code == EXIT_USAGE and "not a valid course id" in err


@pytest.mark.parametrize("path", [["new"], ["new", "project"], ["new", "course"]])
def test_help_ends_with_an_example(path: list[str]) -> None:
    command: click.Command = cli
    for name in path:
        assert isinstance(command, click.Group)
        command = command.commands[name]
    lines = inspect.cleandoc(command.help or "").splitlines()
    examples = lines[lines.index("Example:") + 1:] if "Example:" in lines else []
    assert examples and all(line.strip().startswith("courseforge new") for line in examples)
