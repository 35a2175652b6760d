"""Hostile course sources, catalogs and settings: each is refused by an input rule with its diagnostic (code,
file, line), exit 1 (2 for a bad command-line value), nothing written, and the bombs within 10 s and 500 MB.

Every case writes its own project (courseforge.yaml + courses/) into tmp_path. Cases that could hang or
exhaust memory if a rule were missing run the command line in a subprocess with an address-space limit
and a timeout, so a regression fails instead of stalling the suite.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from courseforge.cli import EXIT_PROBLEMS, EXIT_USAGE, run
from tests.factory import base_manifest, page, write_course

COURSE = "hostile"
BOMB_MEMORY = 500 * 1024 * 1024
BOMB_SECONDS = 10.0
LIMITED_RUN = f"""
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({BOMB_MEMORY}, {BOMB_MEMORY}))
from courseforge.cli import run
sys.exit(run(sys.argv[1:]))
"""
UNPRIVILEGED = ["setpriv", "--bounding-set=-dac_override,-dac_read_search",
                "--inh-caps=-dac_override,-dac_read_search"]
"""As root, drop the capabilities that let root read any file (util-linux setpriv)."""
PO_HEADER = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n"Language: de\\n"\n\n'


# ------------------------------------------------------------------------------------------------ helpers


SCORM12_ONLY = "build: {formats: [scorm12]}\n"
"""What input handling is judged on: one format's build (every format reads the same inputs)."""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "project"
    (root / "courses").mkdir(parents=True)
    (root / "courseforge.yaml").write_text(f"courses: courses\n{SCORM12_ONLY}", encoding="utf-8")
    monkeypatch.chdir(root)
    return root


def course(root: Path, files: dict[str, Any] | None = None, **manifest: Any) -> Path:
    """A valid one-page course (plus ``files``) in the project's courses/ folder."""
    items = manifest.pop("items", ["pages/intro.md"])
    sources = {"pages/intro.md": page("intro", "Introduction"), **(files or {})}
    return write_course(root / "courses", base_manifest(COURSE, items, **manifest), sources)


def invoke(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, Any, str]:
    """Run the command line in-process; with --json the document is parsed."""
    code = run(list(args))
    captured = capsys.readouterr()
    document = json.loads(captured.out) if "--json" in args and captured.out.strip() else captured.out
    return code, document, captured.err


def diagnostics(document: Any, code: str) -> list[dict[str, Any]]:
    found = [d for d in document["diagnostics"] if d["code"] == code]
    assert found, [f"{d['path']}:{d['line']}: {d['message']} [{d['code']}]" for d in document["diagnostics"]]
    return found


def assert_nothing_written(root: Path) -> None:
    assert not (root / "build").exists()
    assert sorted(p.name for p in root.iterdir()) in (["courseforge.yaml", "courses"],
                                                      ["courseforge.yaml", "courses", "locales"])


@pytest.fixture
def limited() -> Iterator[Any]:
    """Runs ``courseforge ARGS`` in a subprocess under 500 MB of address space and a 10 s timeout; returns
    exit code, the JSON document, and the CPU seconds the child used."""
    def launch(root: Path, *args: str, unprivileged: bool = False) -> tuple[int, Any, float]:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.monotonic()
        prefix = UNPRIVILEGED if unprivileged and os.geteuid() == 0 else []
        result = subprocess.run([*prefix, sys.executable, "-c", LIMITED_RUN, *args], cwd=root, capture_output=True,
                                text=True, timeout=BOMB_SECONDS, check=False)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
        assert time.monotonic() - started < BOMB_SECONDS
        assert "Traceback" not in result.stderr, result.stderr
        document = json.loads(result.stdout) if result.stdout.strip() else None
        return result.returncode, document, cpu

    yield launch


# ----------------------------------------------------------------------------- regular files, inside only

def test_a_symlink_leaving_the_course_folder_is_refused_one_inside_is_read(capsys: pytest.CaptureFixture[str],
                                                                           project: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.svg"
    secret.write_text("<svg>not for the package</svg>", encoding="utf-8")
    body = "![Shared](../assets/shared.svg) ![Linked](../assets/linked.svg) ![Leak](../assets/leak.svg)\n"
    folder = course(project, {"pages/intro.md": page("intro", "Introduction", body),
                              "assets/shared.svg": "<svg>inside</svg>"})
    (folder / "assets" / "linked.svg").symlink_to("shared.svg")
    (folder / "assets" / "leak.svg").symlink_to(secret)
    (folder / "linked-folder").symlink_to(folder / "assets", target_is_directory=True)
    code, document, _ = invoke(capsys, "build", "--json")
    assert code == EXIT_PROBLEMS
    [leak] = diagnostics(document, "source.outside-folder")
    assert leak["path"] == f"courses/{COURSE}/assets/leak.svg" and str(secret) in leak["message"]
    [linked_folder] = diagnostics(document, "source.not-a-file")
    assert linked_folder["path"] == f"courses/{COURSE}/linked-folder" and "folder" in linked_folder["message"]
    assert len(document["diagnostics"]) == 2, "the refused image is not reported missing too"
    assert_nothing_written(project)

    (folder / "assets" / "leak.svg").unlink()
    (folder / "linked-folder").unlink()
    (folder / "pages" / "intro.md").write_text(page("intro", "Introduction", body.rsplit(" ", 1)[0] + "\n"))
    code, document, _ = invoke(capsys, "build", "--json")
    assert code == 0, document
    with zipfile.ZipFile(project / "build" / COURSE / "en" / "scorm12.zip") as package:
        assert package.read("content/assets/linked.svg") == b"<svg>inside</svg>"
        assert b"not for the package" not in b"".join(package.read(name) for name in package.namelist())


@pytest.mark.parametrize("kind", ["fifo", "socket", "device"])
def test_fifos_sockets_and_devices_are_refused_without_being_opened(project: Path, limited: Any, kind: str) -> None:
    folder = course(project)
    special = folder / "assets" / "special.svg"
    special.parent.mkdir()
    if kind == "fifo":
        os.mkfifo(special)
    elif kind == "socket":
        cwd = Path.cwd()
        os.chdir(special.parent)
        try:
            listener = socket.socket(socket.AF_UNIX)
            listener.bind(special.name)
        finally:
            os.chdir(cwd)
        listener.close()
    else:
        try:
            os.mknod(special, 0o600 | 0o020000, os.makedev(1, 3))
        except PermissionError:
            pytest.skip("creating a device node needs CAP_MKNOD")
    code, document, _ = limited(project, "lint", "--json")
    assert code == EXIT_PROBLEMS
    [refused] = diagnostics(document, "source.not-a-file")
    assert refused["path"] == f"courses/{COURSE}/assets/special.svg"
    assert {"fifo": "FIFO", "socket": "socket", "device": "character device"}[kind] in refused["message"]


def test_an_unreadable_file_is_a_diagnostic(project: Path, limited: Any) -> None:
    """As root, the command runs without the capabilities that bypass file permissions."""
    if os.geteuid() == 0 and shutil.which(UNPRIVILEGED[0]) is None:
        pytest.skip("running as root without setpriv: every file is readable")
    folder = course(project)
    (folder / "pages" / "intro.md").chmod(0o000)
    code, document, _ = limited(project, "build", "--json", unprivileged=True)
    assert code == EXIT_PROBLEMS
    [unreadable] = diagnostics(document, "source.unreadable")
    assert unreadable["path"] == f"courses/{COURSE}/pages/intro.md"
    assert "Permission denied" in unreadable["message"]
    assert_nothing_written(project)


def test_special_and_outside_files_are_refused_as_catalogs_and_branding_images(project: Path, tmp_path: Path,
                                                                               limited: Any) -> None:
    course(project, translations=[{"language": "de", "required": 0}])
    catalogs = project / "locales" / "de" / "LC_MESSAGES"
    catalogs.mkdir(parents=True)
    os.mkfifo(catalogs / f"{COURSE}.po")
    outside = tmp_path / "ui.po"
    outside.write_text(PO_HEADER, encoding="utf-8")
    (catalogs / "ui.po").symlink_to(outside)
    code, document, _ = limited(project, "i18n", "check", "--json")
    assert code == EXIT_PROBLEMS
    assert [d["path"] for d in diagnostics(document, "source.not-a-file")] == ["locales/de/LC_MESSAGES/hostile.po"]
    assert [d["path"] for d in diagnostics(document, "source.outside-folder")] == ["locales/de/LC_MESSAGES/ui.po"]
    code, document, _ = limited(project, "build", "--locale", "de", "--json")
    assert code == EXIT_PROBLEMS
    assert {d["path"] for d in document["diagnostics"]} == {f"locales/de/LC_MESSAGES/{COURSE}.po",
                                                           "locales/de/LC_MESSAGES/ui.po"}

    (project / "logo.svg").symlink_to("/dev/zero")
    os.mkfifo(project / "cover.png")
    with (project / "courseforge.yaml").open("a", encoding="utf-8") as config:
        config.write("branding:\n  logo: logo.svg\n  logo_alt: Logo\n  cover: cover.png\n  cover_alt: Cover\n")
    code, document, _ = limited(project, "build", "--json")
    assert code == EXIT_PROBLEMS
    messages = {d["message"] for d in document["diagnostics"]}
    assert messages == {"logo 'logo.svg' points outside the project (through a symbolic link)",
                        "cover 'cover.png' is a FIFO (named pipe); only regular files are read"}
    assert not (project / "build").exists()


def test_file_names_with_control_characters_are_refused(capsys: pytest.CaptureFixture[str], project: Path) -> None:
    folder = course(project)
    (folder / "assets").mkdir()
    (folder / "assets" / "bad\nname.svg").write_text("<svg/>", encoding="utf-8")
    code, document, _ = invoke(capsys, "lint", "--json")
    assert code == EXIT_PROBLEMS
    assert "control character" in diagnostics(document, "source.bad-name")[0]["message"]


# ------------------------------------------------------------------------------------------- size limits

def test_size_limits_per_file_and_per_course_name_the_key_to_raise(capsys: pytest.CaptureFixture[str],
                                                                  project: Path) -> None:
    folder = course(project)
    (folder / "pages" / "intro.md").write_text(page("intro", "Intro", "word " * 300_000), encoding="utf-8")
    (project / "courseforge.yaml").write_text(SCORM12_ONLY + "limits:\n  text_file_mb: 1\n", encoding="utf-8")
    code, document, _ = invoke(capsys, "build", "--json")
    assert code == EXIT_PROBLEMS
    [large] = diagnostics(document, "source.too-large")
    assert large["path"] == f"courses/{COURSE}/pages/intro.md"
    assert "1,500,0" in large["message"].replace(".", ",") or "1.5 MB" in large["message"]
    assert "limits.text_file_mb" in large["message"] and "1.0 MB" in large["message"]
    assert_nothing_written(project)

    (folder / "pages" / "intro.md").write_text(page("intro", "Intro"), encoding="utf-8")
    for name in ("a.bin", "b.bin", "c.bin"):
        (folder / "assets").mkdir(exist_ok=True)
        (folder / "assets" / name).write_bytes(b"\0" * 600_000)
    (project / "courseforge.yaml").write_text(SCORM12_ONLY + "limits:\n  course_mb: 1\n  asset_file_mb: 1\n",
                                              encoding="utf-8")
    code, document, _ = invoke(capsys, "lint", "--json")
    assert code == EXIT_PROBLEMS
    [total] = diagnostics(document, "source.too-large")
    assert total["path"] == f"courses/{COURSE}" and "limits.course_mb" in total["message"]

    (project / "courseforge.yaml").write_text("limits:\n  text_file_mb: 0\n", encoding="utf-8")
    code, document, err = invoke(capsys, "lint")
    assert code == EXIT_PROBLEMS and "courseforge.yaml:2:3" in err and "text_file_mb" in err


def test_huge_files_are_refused_from_their_size_before_reading(project: Path, limited: Any) -> None:
    """A 20 MB YAML list and a sparse 4 GB asset: refused from the stat, in bounded memory and time."""
    folder = course(project, items=["pages/intro.md", "checklists/list.yaml"])
    (folder / "checklists").mkdir()
    with (folder / "checklists" / "list.yaml").open("w", encoding="utf-8") as stream:
        stream.write("kind: checklist\nid: list\ntitle: List\nitems:\n")
        stream.writelines(f"  - {{id: i{n}, text: Item {n}}}\n" for n in range(700_000))
    assert (folder / "checklists" / "list.yaml").stat().st_size > 20_000_000
    (folder / "assets").mkdir()
    with (folder / "assets" / "video.mp4").open("wb") as stream:
        stream.truncate(4_000_000_000)
    code, document, cpu = limited(project, "lint", "--json")
    assert code == EXIT_PROBLEMS and cpu < BOMB_SECONDS
    paths = {d["path"]: d["message"] for d in diagnostics(document, "source.too-large")}
    assert "limits.text_file_mb" in paths[f"courses/{COURSE}/checklists/list.yaml"]
    assert "limits.asset_file_mb" in paths[f"courses/{COURSE}/assets/video.mp4"]
    assert {d["code"] for d in document["diagnostics"]} == {"source.too-large"}, "a refused file is not 'missing'"


# -------------------------------------------------------------------------------- text: UTF-8, no controls

CONTROL_CASES: dict[str, tuple[str, str | None, str, int, int]] = {
    "raw-in-yaml-title": ("course.yaml", None, "title: Bell \a here", 2, 13),
    "escape-in-yaml": ("course.yaml", None, 'title: "Bell \\a here"', 2, 8),
    "raw-in-markdown": ("pages/intro.md", page("intro", "Intro", "Fine.\nEsc\x1b[31m red\n"), "", 6, 4),
    "escape-in-front-matter": ("pages/intro.md", page("intro", '"Intro\\x07"'), "", 3, 8),
    "lone-carriage-return": ("pages/intro.md", page("intro", "Intro", "one\rtwo\n"), "", 5, 4),
    "c1-control": ("pages/intro.md", page("intro", "Intro", "price \x85 here\n"), "", 5, 7),
}


@pytest.mark.parametrize("case", sorted(CONTROL_CASES))
def test_control_characters_in_sources_are_reported_at_line_and_column(capsys: pytest.CaptureFixture[str],
                                                                     project: Path, case: str) -> None:
    relpath, content, title_line, line, col = CONTROL_CASES[case]
    folder = course(project)
    if content is not None:
        (folder / relpath).write_bytes(content.encode("utf-8"))
    else:
        text = (folder / relpath).read_text(encoding="utf-8")
        (folder / relpath).write_bytes(text.replace("title: Course hostile", title_line).encode("utf-8"))
    code, document, _ = invoke(capsys, "build", "--json")
    assert code == EXIT_PROBLEMS
    [found] = diagnostics(document, "source.control-char")
    assert (found["path"], found["line"], found["col"]) == (f"courses/{COURSE}/{relpath}", line, col)
    assert "U+00" in found["message"] and found["hint"]
    assert_nothing_written(project)


def test_bom_and_crlf_are_accepted_invalid_utf8_is_not(capsys: pytest.CaptureFixture[str], project: Path) -> None:
    folder = course(project)
    for path in (folder / "course.yaml", folder / "pages" / "intro.md"):
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    code, document, _ = invoke(capsys, "lint", "--json")
    assert code == 0, document["diagnostics"]
    (folder / "pages" / "intro.md").write_bytes(page("intro", "Intro", "caf\xe9\n").encode("latin-1"))
    code, document, _ = invoke(capsys, "lint", "--json")
    [bad] = diagnostics(document, "source.encoding")
    assert code == EXIT_PROBLEMS and (bad["line"], bad["col"]) == (5, 4) and "0xe9" in bad["message"]


@pytest.mark.parametrize(("translation", "line"), [("Kurs \a eins", 8), ("Kurs \\v eins", 7)],
                         ids=["raw", "escape"])
def test_control_characters_in_catalogs_fail_i18n_check_and_build(capsys: pytest.CaptureFixture[str],
                                                                 project: Path, translation: str, line: int) -> None:
    course(project, translations=[{"language": "de", "required": 0}])
    catalog = project / "locales" / "de" / "LC_MESSAGES" / f"{COURSE}.po"
    catalog.parent.mkdir(parents=True)
    catalog.write_text(f'{PO_HEADER}msgctxt "{COURSE}/title"\nmsgid "Course {COURSE}"\nmsgstr "{translation}"\n',
                       encoding="utf-8")
    written = catalog.read_bytes()
    for args in (("i18n", "check", "--json"), ("build", "--locale", "de", "--json")):
        code, document, _ = invoke(capsys, *args)
        assert code == EXIT_PROBLEMS, args
        [found] = diagnostics(document, "source.control-char")
        assert (found["path"], found["line"]) == (f"locales/de/LC_MESSAGES/{COURSE}.po", line)
    for args in (("i18n", "update"), ("i18n", "status")):
        code, _, err = invoke(capsys, *args)
        assert code == EXIT_PROBLEMS and f"locales/de/LC_MESSAGES/{COURSE}.po:{line}:" in err, err
    assert catalog.read_bytes() == written and sorted(p.name for p in (project / "locales").iterdir()) == ["de"]
    assert_nothing_written(project)


# --------------------------------------------------------------------------------------------- YAML bombs

def billion_laughs() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]")
    return "\n".join(lines) + "\n"


BOMBS = {
    "billion-laughs": (billion_laughs(), "yaml.too-large", 6),
    "recursive-alias": ("key: &loop\n  child: *loop\n", "yaml.recursive-alias", 2),
    "recursive-list": ("- &x [1, *x]\n", "yaml.recursive-alias", 1),
    "deep-nesting": ("[" * 150 + "]" * 150 + "\n", "yaml.too-deep", 1),
    "deep-through-aliases": (f"a: &a {'[' * 60}{']' * 60}\nb: {'[' * 50}*a{']' * 50}\n", "yaml.too-deep", 2),
}


@pytest.mark.parametrize("bomb", sorted(BOMBS))
def test_yaml_bombs_stop_at_the_alias_in_bounded_time_and_memory(project: Path, limited: Any, bomb: str) -> None:
    text, code_expected, line = BOMBS[bomb]
    folder = course(project)
    manifest = (folder / "course.yaml").read_text(encoding="utf-8")
    (folder / "course.yaml").write_text(manifest + "x_bomb:\n" + "".join(f"  {row}\n" for row in text.splitlines()),
                                        encoding="utf-8")
    offset = manifest.count("\n") + 1
    code, document, cpu = limited(project, "lint", "--json")
    assert code == EXIT_PROBLEMS and cpu < BOMB_SECONDS
    [found] = diagnostics(document, code_expected)
    assert (found["path"], found["line"]) == (f"courses/{COURSE}/course.yaml", offset + line)
    assert not (project / "build").exists()


def test_the_yaml_node_cap_is_configurable(capsys: pytest.CaptureFixture[str], project: Path) -> None:
    items = "".join(f"  - {{id: i{n}, text: Item {n}}}\n" for n in range(400))
    course(project, {"checklists/list.yaml": f"kind: checklist\nid: list\ntitle: List\nitems:\n{items}"},
           items=["pages/intro.md", "checklists/list.yaml"])
    assert invoke(capsys, "lint")[0] == 0
    (project / "courseforge.yaml").write_text(SCORM12_ONLY + "limits:\n  yaml_nodes: 1000\n", encoding="utf-8")
    code, document, _ = invoke(capsys, "lint", "--json")
    [found] = diagnostics(document, "yaml.too-large")
    assert code == EXIT_PROBLEMS and "1,000" in found["message"] and "limits.yaml_nodes" in found["hint"]


# ------------------------------------------------------------------------------------------ finite numbers

NUMBER_CASES: dict[str, tuple[str, list[str | int]]] = {
    "points": ("quiz", ["questions", 0, "points"]),
    "numeric-answer": ("quiz", ["questions", 1, "answer"]),
    "range-min": ("quiz", ["questions", 2, "min"]),
    "passing-score": ("quiz", ["passing_score"]),
    "mastery": ("course", ["mastery", "score"]),
    "coverage": ("course", ["translations", 0, "required"]),
}


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf")], ids=["nan", "inf", "-inf"])
@pytest.mark.parametrize("case", sorted(NUMBER_CASES))
def test_nan_and_infinity_are_schema_errors_at_their_key(capsys: pytest.CaptureFixture[str], project: Path,
                                                        case: str, value: float) -> None:
    quiz: dict[str, Any] = {"kind": "quiz", "id": "final", "title": "Final", "questions": [
        {"id": "q1", "type": "true-false", "prompt": "Yes?", "answer": True},
        {"id": "q2", "type": "numeric", "prompt": "How many?", "answer": 3},
        {"id": "q3", "type": "numeric", "prompt": "Roughly?", "min": 1, "max": 5}]}
    manifest: dict[str, Any] = {"mastery": {"score": 80, "quizzes": ["final"]},
                                "translations": [{"language": "de", "required": 50}]}
    where, key_path = NUMBER_CASES[case]
    target: Any = quiz if where == "quiz" else manifest
    for key in key_path[:-1]:
        target = target[key]
    target[key_path[-1]] = value
    course(project, {"quizzes/final.yaml": quiz}, items=["pages/intro.md", "quizzes/final.yaml"], **manifest)
    relpath = "quizzes/final.yaml" if where == "quiz" else "course.yaml"
    source = (project / "courses" / COURSE / relpath).read_text(encoding="utf-8").splitlines()
    written = ".nan" if value != value else (".inf" if value > 0 else "-.inf")
    line = next(n for n, text in enumerate(source, 1) if text.strip().endswith(f"{key_path[-1]}: {written}"))
    code, document, _ = invoke(capsys, "build", "--json")
    assert code == EXIT_PROBLEMS
    [found] = [d for d in diagnostics(document, "schema.type") if "finite" in d["message"]]
    assert (found["path"], found["line"]) == (f"courses/{COURSE}/{relpath}", line)
    assert_nothing_written(project)


# --------------------------------------------------------------------------- locales, ids, paths, epochs

@pytest.mark.parametrize("args", [
    ["build", "--locale", "../../../x"], ["build", "--locale", "zz-!!"], ["build", "--locale", "de,zz"],
    ["lint", "--locale", "../x"], ["i18n", "init", "../x"], ["i18n", "init", "en-XA"],
    ["i18n", "update", "--lang", "de/../.."], ["i18n", "check", "--lang", "zz"],
])
def test_bad_locales_on_the_command_line_are_usage_errors_naming_them(capsys: pytest.CaptureFixture[str],
                                                                     project: Path, args: list[str]) -> None:
    course(project)
    code, _, err = invoke(capsys, *args)
    assert code == EXIT_USAGE, err
    bad = args[-1].split(",")[-1]
    assert f"'{bad}'" in err
    assert_nothing_written(project)
    assert sorted(p.name for p in project.parent.iterdir()) == ["project"]


def test_bad_locales_in_course_and_project_files_are_schema_errors(capsys: pytest.CaptureFixture[str],
                                                                  project: Path) -> None:
    course(project, translations=[{"language": "zz-!!"}, {"language": "de-ch"}, {"language": "fr"}])
    code, document, _ = invoke(capsys, "lint", "--json")
    assert code == EXIT_PROBLEMS
    found = {d["line"]: d["message"] for d in diagnostics(document, "schema.type")}
    assert any("'zz-!!' is not a BCP 47" in m for m in found.values())
    assert any("'de-ch'" in m and "'de-CH'" in m for m in found.values())
    (project / "courseforge.yaml").write_text("build:\n  locales: [de, ../../x, en-xa]\n", encoding="utf-8")
    code, _, err = invoke(capsys, "build")
    assert code == EXIT_PROBLEMS and "courseforge.yaml:2:" in err and "'../../x'" in err
    assert_nothing_written(project)


def test_pseudo_locales_and_known_tags_are_accepted(capsys: pytest.CaptureFixture[str], project: Path) -> None:
    course(project)
    code, document, _ = invoke(capsys, "build", "--locale", "en-xa,ar-XB", "--json")
    assert code == 0, document
    assert sorted(p["locale"] for p in document["packages"]) == ["ar-XB", "en", "en-XA"]


def test_the_same_course_id_twice_is_an_error_naming_both_folders(capsys: pytest.CaptureFixture[str],
                                                                 project: Path) -> None:
    course(project)
    elsewhere = project / "elsewhere"
    write_course(elsewhere, base_manifest(COURSE, ["pages/intro.md"]), {"pages/intro.md": page("intro", "Other")})
    for command in ("build", "lint"):
        code, _, err = invoke(capsys, command, f"courses/{COURSE}", f"elsewhere/{COURSE}")
        assert code == EXIT_USAGE
        assert f"'courses/{COURSE}' and 'elsewhere/{COURSE}'" in err.replace("\n", " ")
    shutil.rmtree(elsewhere)
    write_course(project / "courses", base_manifest(COURSE.upper(), ["pages/intro.md"]),
                 {"pages/intro.md": page("intro", "Shouting")})
    code, _, err = invoke(capsys, "build")
    assert code == EXIT_USAGE and f"courses/{COURSE.upper()}" in err and f"courses/{COURSE}'" in err
    assert_nothing_written(project)


def test_a_course_id_that_differs_from_its_folder_is_a_lint_error(capsys: pytest.CaptureFixture[str],
                                                                 project: Path) -> None:
    folder = course(project)
    (project / "courses" / "other").mkdir()
    shutil.copytree(folder, project / "courses" / "other", dirs_exist_ok=True)
    code, document, _ = invoke(capsys, "build", "--json")
    assert code == EXIT_PROBLEMS
    [mismatch] = diagnostics(document, "course.id-mismatch")
    assert mismatch["path"] == "courses/other/course.yaml" and mismatch["line"] == 1
    assert_nothing_written(project)


@pytest.mark.parametrize("value", ["-1", "0", "315532799", "4354819199", "99999999999999999999999", "1e9", " 12x"])
def test_source_date_epoch_outside_what_a_zip_stores_is_a_usage_error(capsys: pytest.CaptureFixture[str],
                                                                     project: Path, monkeypatch: pytest.MonkeyPatch,
                                                                     value: str) -> None:
    course(project)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    code, _, err = invoke(capsys, "build")
    assert code == EXIT_USAGE
    assert "SOURCE_DATE_EPOCH" in err and "315532800" in err and "4354819198" in err
    assert_nothing_written(project)


@pytest.mark.parametrize(("value", "stamp"), [("315532800", (1980, 1, 1, 0, 0, 0)),
                                              ("4354819198", (2107, 12, 31, 23, 59, 58))])
def test_source_date_epoch_at_the_ends_of_the_range_builds(capsys: pytest.CaptureFixture[str], project: Path,
                                                          monkeypatch: pytest.MonkeyPatch, value: str,
                                                          stamp: tuple[int, ...]) -> None:
    course(project)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    code, _, err = invoke(capsys, "build")
    assert code == 0, err
    with zipfile.ZipFile(project / "build" / COURSE / "en" / "scorm12.zip") as package:
        assert {info.date_time for info in package.infolist()} == {stamp}


def test_asset_and_item_paths_never_leave_the_course(capsys: pytest.CaptureFixture[str], project: Path,
                                                    tmp_path: Path) -> None:
    (tmp_path / "outside.md").write_text(page("outside", "Outside"), encoding="utf-8")
    (tmp_path / "outside.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    body = f"![Outside](../../../../outside.png) ![Absolute]({tmp_path}/outside.png)\n"
    course(project, {"pages/intro.md": page("intro", "Introduction", body)},
           items=["pages/intro.md", "../../../outside.md", str(tmp_path / "outside.md")])
    code, document, _ = invoke(capsys, "build", "--json")
    assert code == EXIT_PROBLEMS
    assert len(diagnostics(document, "structure.missing-item")) == 2
    assert diagnostics(document, "page.outside-course")
    assert_nothing_written(project)
    assert yaml.safe_load((project / "courses" / COURSE / "course.yaml").read_text())["id"] == COURSE
