"""``--shard I/N`` and ``--changed-since REF``: which courses a CI job builds, lints or previews.

The project is a copy of this repository's sample project in a real git repository (tmp_path); the
commands run in-process as users run them."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from courseforge.cli import EXIT_USAGE, run
from courseforge.commands.changes import CourseChanges
from courseforge.commands.selection import CourseSelector
from courseforge.commands.shards import Shard, parse_shard, split
from courseforge.diagnostics import DiagnosticSink
from courseforge.project import Project, load_project

REPO = Path(__file__).resolve().parents[2]
SAFETY, PRIVACY = "workplace-safety", "data-privacy"
BOTH = [PRIVACY, SAFETY]


def git(root: Path, *arguments: str) -> str:
    return subprocess.run(["git", "-C", str(root), *arguments], capture_output=True, text=True, check=True).stdout


def commit(root: Path, message: str) -> str:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)
    return git(root, "rev-parse", "HEAD").strip()


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The sample project (SCORM 1.2 only) committed once as ``base`` in a fresh repository."""
    for variable, value in {"GIT_CONFIG_GLOBAL": str(tmp_path / "gitconfig"), "GIT_CONFIG_NOSYSTEM": "1",
                            "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
                            "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}.items():
        monkeypatch.setenv(variable, value)
    root = tmp_path / "project"
    root.mkdir()
    for name in ("courses", "locales"):
        shutil.copytree(REPO / name, root / name)
    config = (REPO / "courseforge.yaml").read_text(encoding="utf-8").replace("formats: []", "formats: [scorm12]")
    (root / "courseforge.yaml").write_text(config, encoding="utf-8")
    (root / ".gitignore").write_text("build/\n*.tmp\n", encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    commit(root, "sample project")
    git(root, "tag", "base")
    monkeypatch.chdir(root)
    return root


def opened(root: Path) -> Project:
    found = load_project(root, DiagnosticSink())
    assert found is not None
    return found


def changes(root: Path, ref: str = "base") -> CourseChanges:
    selection = CourseSelector(changed_since=ref).select(opened(root), ())
    assert selection.changes is not None
    assert [folder.name for folder in selection.folders] == sorted(selection.changes.changed)
    return selection.changes


def selected(root: Path, ref: str = "base") -> dict[str, list[str]]:
    """Course id -> the changed files (project-relative) that select it."""
    found = changes(root, ref)
    return {course: [opened(root).display(path) for path in files] for course, files in found.changed.items()}


def invoke(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, object], str]:
    code = run([*args, "--json"])
    captured = capsys.readouterr()
    return code, json.loads(captured.out) if captured.out.strip() else {}, captured.err


def append(path: Path, text: str = "\nMore text.\n") -> None:
    with path.open("a", encoding="utf-8") as stream:
        stream.write(text)


# ------------------------------------------------------------------------------------------ --shard

@pytest.mark.parametrize("value", ["0/2", "3/2", "1/0", "2", "a/b", "1/2/3", "-1/2", ""])
def test_a_bad_shard_is_a_usage_error_that_says_the_form(capsys: pytest.CaptureFixture[str], project: Path,
                                                          value: str) -> None:
    code = run(["lint", "--shard", value])
    err = capsys.readouterr().err
    assert code == EXIT_USAGE
    assert "--shard" in err and "I/N" in err and "1 <= I <= N" in err


def test_shard_values_read_as_ci_matrices_write_them() -> None:
    assert parse_shard("2/4") == Shard(2, 4) and parse_shard(" 1 / 1 ") == Shard(1, 1)
    assert str(Shard(3, 8)) == "3/8"


def test_the_split_is_longest_first_to_the_lightest_shard_ties_by_id() -> None:
    costs = {"a": 10, "b": 9, "c": 8, "d": 1, "e": 1}
    assert split(costs, 2) == [["a", "d", "e"], ["b", "c"]]
    assert split({"x": 5, "w": 5, "v": 5}, 2) == [["v", "x"], ["w"]]  # equal costs: id order, shard order
    assert split(costs, 7)[5:] == [[], []]


def test_every_course_is_in_exactly_one_shard_and_shards_stay_even() -> None:
    costs = {f"course-{n:03}": (n * 7919) % 1000 + 1 for n in range(200)}
    for count in (1, 2, 3, 7, 50, 250):
        shards = split(costs, count)
        assert sorted(name for shard in shards for name in shard) == sorted(costs)
        loads = [sum(costs[name] for name in shard) for shard in shards]
        assert max(loads) <= sum(costs.values()) / count + max(costs.values())
        assert split(dict(reversed(list(costs.items()))), count) == shards  # input order does not matter


def test_shards_of_the_cli_partition_the_project_and_say_so(capsys: pytest.CaptureFixture[str],
                                                           project: Path) -> None:
    seen: list[str] = []
    for index in (1, 2):
        code, document, err = invoke(capsys, "lint", "--shard", f"{index}/2")
        assert code == 0, err
        selection = document["selection"]
        assert isinstance(selection, dict) and selection["changed_since"] is None
        shard = selection["shard"]
        assert shard["index"] == index and shard["count"] == 2 and shard["of_courses"] == 2
        assert shard["courses"] == selection["courses"] == [Path(c).name for c in document["courses"]]
        assert shard["cost_bytes"] > 0 and shard["total_cost_bytes"] > shard["cost_bytes"]
        seen.extend(selection["courses"])
    assert sorted(seen) == BOTH


def test_the_split_is_the_same_from_any_folder(capsys: pytest.CaptureFixture[str], project: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    top = invoke(capsys, "lint", "--shard", "1/2")[1]["selection"]
    monkeypatch.chdir(project / "courses" / SAFETY / "pages")
    assert invoke(capsys, "lint", "--shard", "1/2")[1]["selection"] == top


def test_an_empty_shard_succeeds_with_an_empty_result_and_writes_nothing(capsys: pytest.CaptureFixture[str],
                                                                        project: Path) -> None:
    code, document, err = invoke(capsys, "build", "--shard", "3/3")
    assert code == 0, err
    assert document["ok"] is True and document["packages"] == [] and document["errors"] == 0
    assert document["selection"]["courses"] == [] and document["selection"]["shard"]["courses"] == []
    assert not (project / "build").exists()
    code = run(["lint", "--shard", "3/3"])
    assert code == 0 and "shard 3/3 has no courses (2 course(s) over 3 shards)" in capsys.readouterr().err


# ---------------------------------------------------------------------------------- --changed-since

def test_nothing_changed_selects_nothing_and_succeeds(capsys: pytest.CaptureFixture[str], project: Path) -> None:
    assert selected(project) == {}
    code, document, err = invoke(capsys, "build", "--changed-since", "base")
    assert code == 0, err
    assert document["packages"] == [] and document["selection"]["courses"] == []
    since = document["selection"]["changed_since"]
    assert since["ref"] == "base" and since["commit"] == git(project, "rev-parse", "base").strip()
    assert not (project / "build").exists()


def test_committed_staged_unstaged_and_untracked_changes_select_their_course(project: Path) -> None:
    pages = project / "courses" / SAFETY / "pages"
    append(pages / "ppe.md")
    commit(project, "edit a page")
    append(pages / "evacuation.md")
    git(project, "add", str(pages / "evacuation.md"))
    append(pages / "first-aid.md")
    (pages / "new-page.md").write_text("# New\n", encoding="utf-8")
    (pages / "scratch.tmp").write_text("ignored by .gitignore\n", encoding="utf-8")
    assert selected(project) == {SAFETY: [f"courses/{SAFETY}/pages/{name}.md"
                                          for name in ("evacuation", "first-aid", "new-page", "ppe")]}


def test_a_course_catalog_selects_its_course_and_the_player_catalogs_every_course(project: Path) -> None:
    append(project / "locales" / "de" / "LC_MESSAGES" / f"{PRIVACY}.po", "\n")
    assert selected(project) == {PRIVACY: [f"locales/de/LC_MESSAGES/{PRIVACY}.po"]}
    append(project / "locales" / "templates" / f"{SAFETY}.pot", "\n")
    assert sorted(selected(project)) == BOTH
    git(project, "checkout", "--", "locales")
    ui = project / "locales" / "fr" / "LC_MESSAGES" / "ui.po"
    ui.write_text('msgid ""\nmsgstr ""\n', encoding="utf-8")
    assert selected(project) == {course: ["locales/fr/LC_MESSAGES/ui.po"] for course in BOTH}


def test_files_no_build_reads_select_nothing(project: Path) -> None:
    (project / "README.md").write_text("# Courses\n", encoding="utf-8")
    (project / "courses" / "NOTES.md").write_text("beside the course folders\n", encoding="utf-8")
    (project / "locales" / "de" / "LC_MESSAGES" / "notes.txt").write_text("not a catalog\n", encoding="utf-8")
    (project / "build").mkdir()
    (project / "build" / "out.zip").write_bytes(b"ignored")
    assert selected(project) == {}


def test_the_project_file_and_its_branding_images_select_every_course(project: Path) -> None:
    config = project / "courseforge.yaml"
    append(config, "# a comment\n")
    assert selected(project) == {course: ["courseforge.yaml"] for course in BOTH}
    brand = project / "brand"
    brand.mkdir()
    (brand / "logo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>", encoding="utf-8")
    append(config, "branding:\n  logo: brand/logo.svg\n  logo_alt: Example Corp\n")
    base = commit(project, "branding")
    (brand / "logo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg' width='2'/>", encoding="utf-8")
    (brand / "unused.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>", encoding="utf-8")
    assert selected(project, base) == {course: ["brand/logo.svg"] for course in BOTH}


def test_a_theme_folder_selects_the_courses_that_use_the_theme(project: Path) -> None:
    manifest = project / "courses" / SAFETY / "course.yaml"
    text = manifest.read_text(encoding="utf-8")
    assert "\ntheme: default\n" in text
    manifest.write_text(text.replace("\ntheme: default\n", "\ntheme: brand\n"), encoding="utf-8")
    theme = project / "themes" / "brand" / "theme"
    theme.mkdir(parents=True)
    (theme / "brand.css").write_text(":root { --cf-accent: #123456; }\n", encoding="utf-8")
    other = project / "courses" / PRIVACY / "course.yaml"  # names no theme: course.yaml's default applies
    other.write_text(other.read_text(encoding="utf-8").replace("\ntheme: default\n", "\n"), encoding="utf-8")
    (project / "themes" / "default").mkdir()
    (project / "themes" / "default" / "extra.css").write_text("p {}\n", encoding="utf-8")
    base = commit(project, "a brand theme for one course, an override of the default for the other")
    append(theme / "brand.css", "p { margin: 0; }\n")
    assert selected(project, base) == {SAFETY: ["themes/brand/theme/brand.css"]}
    append(project / "themes" / "default" / "extra.css", "h1 {}\n")
    assert selected(project, base)[PRIVACY] == ["themes/default/extra.css"]


def test_a_course_whose_theme_cannot_be_read_is_not_ruled_out(project: Path) -> None:
    (project / "themes" / "brand").mkdir(parents=True)
    (project / "themes" / "brand" / "x.css").write_text("p {}\n", encoding="utf-8")
    (project / "courses" / PRIVACY / "course.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    found = selected(project)
    assert found[PRIVACY] == [f"courses/{PRIVACY}/course.yaml", "themes/brand/x.css"]
    assert SAFETY not in found


def test_the_layout_comes_from_the_project_file(project: Path) -> None:
    git(project, "mv", "courses", "content")
    git(project, "mv", "locales", "catalogs")
    config = project / "courseforge.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("courses: courses", "courses: content")
                      .replace("locales: locales", "locales: catalogs"), encoding="utf-8")
    base = commit(project, "move the folders")
    append(project / "content" / SAFETY / "pages" / "ppe.md")
    append(project / "catalogs" / "fr" / "LC_MESSAGES" / f"{PRIVACY}.po", "\n")
    assert selected(project, base) == {PRIVACY: [f"catalogs/fr/LC_MESSAGES/{PRIVACY}.po"],
                                       SAFETY: [f"content/{SAFETY}/pages/ppe.md"]}


def test_a_deleted_course_is_reported_not_built(capsys: pytest.CaptureFixture[str], project: Path) -> None:
    git(project, "rm", "-q", "-r", f"courses/{PRIVACY}", f"locales/de/LC_MESSAGES/{PRIVACY}.po")
    append(project / "courses" / SAFETY / "pages" / "ppe.md")
    code, document, err = invoke(capsys, "build", "--changed-since", "base")
    assert code == 0, err
    since = document["selection"]["changed_since"]
    assert since["courses"] == {SAFETY: [f"courses/{SAFETY}/pages/ppe.md"]}
    assert f"courses/{PRIVACY}/course.yaml" in since["deleted"][PRIVACY]
    assert f"locales/de/LC_MESSAGES/{PRIVACY}.po" in since["deleted"][PRIVACY]
    assert {entry["course"] for entry in document["packages"]} == {SAFETY}
    run(["build", "--changed-since", "base"])
    assert f"course '{PRIVACY}' was deleted since base: nothing to build" in capsys.readouterr().err


def test_changed_first_then_shard(capsys: pytest.CaptureFixture[str], project: Path) -> None:
    append(project / "courses" / SAFETY / "pages" / "ppe.md")
    documents = [invoke(capsys, "lint", "--changed-since", "base", "--shard", f"{i}/2")[1] for i in (1, 2)]
    assert [d["selection"]["courses"] for d in documents] == [[SAFETY], []]
    assert all(d["selection"]["shard"]["of_courses"] == 1 for d in documents)
    assert documents[0]["selection"]["changed_since"]["courses"] == {SAFETY: [f"courses/{SAFETY}/pages/ppe.md"]}


def test_named_courses_are_narrowed_not_widened(project: Path) -> None:
    append(project / "courses" / SAFETY / "pages" / "ppe.md")
    selection = CourseSelector(changed_since="base").select(opened(project), (PRIVACY,))
    assert selection.folders == () and selection.changes is not None and selection.changes.changed == {}


def test_an_unknown_ref_is_a_usage_error_with_the_fix(capsys: pytest.CaptureFixture[str], project: Path) -> None:
    for ref in ("no-such-branch", "-p", "0" * 40):
        assert run(["lint", "--changed-since", ref]) == EXIT_USAGE
        err = capsys.readouterr().err
        assert "--changed-since" in err and f"'{ref}'" in err
    run(["lint", "--changed-since", "no-such-branch"])
    err = capsys.readouterr().err
    assert "is not a commit of this repository" in err and "git fetch" in err and "fetch-depth: 0" in err


def test_outside_a_git_repository_is_a_usage_error(capsys: pytest.CaptureFixture[str], project: Path) -> None:
    shutil.rmtree(project / ".git")
    assert run(["build", "--changed-since", "main"]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "is not in a git repository" in err and "without --changed-since" in err
    assert not (project / "build").exists()


def test_without_git_it_is_a_usage_error(capsys: pytest.CaptureFixture[str], project: Path,
                                        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs-here"))
    assert run(["lint", "--changed-since", "base"]) == EXIT_USAGE
    assert "git is not installed (or not on PATH)" in capsys.readouterr().err


def test_preview_takes_the_options_and_an_empty_selection_runs_nothing(capsys: pytest.CaptureFixture[str],
                                                                       project: Path) -> None:
    code, document, err = invoke(capsys, "preview", "--changed-since", "base")
    assert code == 0, err
    assert document == {"ok": True, "runs": [], "selection": {
        "courses": [], "shard": None,
        "changed_since": {"ref": "base", "commit": git(project, "rev-parse", "base").strip(), "courses": {},
                          "deleted": {}}}}
    (project / "vendor.zip").write_bytes(b"PK\x05\x06" + bytes(18))
    assert run(["preview", "vendor.zip", "--shard", "1/2"]) == EXIT_USAGE
    assert "only package zips were named" in capsys.readouterr().err


def test_a_project_in_a_sub_folder_of_the_repository(project: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.rmtree(project / ".git")
    repository = tmp_path / "monorepo"
    shutil.move(project, repository / "learning" / "project")
    nested = repository / "learning" / "project"
    (repository / "app").mkdir()
    (repository / "app" / "main.py").write_text("print('other code')\n", encoding="utf-8")
    git(repository, "init", "-q", "-b", "main")
    base = commit(repository, "a monorepo")
    append(nested / "courses" / PRIVACY / "pages" / "breaches.md")
    append(repository / "app" / "main.py", "print('more')\n")
    monkeypatch.chdir(nested / "courses")
    assert selected(nested, base) == {PRIVACY: [f"courses/{PRIVACY}/pages/breaches.md"]}


@pytest.mark.parametrize(("arguments", "imported"), [((), False), (("--shard", "1/2"), True)],
                         ids=["no-shard", "shard"])
def test_the_shard_planner_is_imported_only_for_shard(tmp_path: Path, arguments: tuple[str, ...],
                                                       imported: bool) -> None:
    """Every lint and build parses ``--shard``; only one given it imports commands/shards.py (its dataclasses, some
    2 ms of a run). Outside a project the command stops, after its options, with a usage error."""
    probe = ("import sys; from courseforge.cli import run; code = run(sys.argv[1:]); "
             "print(code, 'courseforge.commands.shards' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", probe, "lint", *arguments], cwd=tmp_path, capture_output=True,
                            text=True, check=True)
    assert result.stdout.split() == [str(EXIT_USAGE), str(imported)]
