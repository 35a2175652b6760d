"""Property: whatever an author or translator writes, courseforge answers with diagnostics, never a crash,
and a build that fails writes nothing; a course that lints clean builds.

Hypothesis mutates a real sample course three ways: raw bytes of a source file, the YAML structure of a
document (keys dropped, values replaced by hostile ones), and catalog entries. Bounded to about a minute;
CI runs a fixed, derandomized sequence so a red run can be replayed.
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from courseforge.cli import EXIT_OK, EXIT_PROBLEMS, run

REPO = Path(__file__).resolve().parents[2]
COURSE = "workplace-safety"
SOURCES = sorted(p.relative_to(REPO / "courses" / COURSE).as_posix()
                 for p in (REPO / "courses" / COURSE).rglob("*") if p.suffix in (".yaml", ".md"))
YAML_SOURCES = [s for s in SOURCES if s.endswith(".yaml")]
CATALOG = f"locales/de/LC_MESSAGES/{COURSE}.po"
EXAMPLES = int(os.environ.get("COURSEFORGE_FUZZ_EXAMPLES", "45"))

HOSTILE_VALUES: list[Any] = [
    "", " ", "x" * 5000, -1, 0, 10**30, 1e308, float("nan"), float("inf"), -0.0, True, None, [], {}, [[[]]],
    "../../../etc/passwd", "/etc/passwd", "C:\\\\windows", "\x07bell", "\u202eRTL override", "\ufeffbom",
    "javascript:alert(1)", "<script>alert(1)</script>", "{{ 7*7 }}", "{% raw %}", "%(x)s", "]]>", "&#0;",
    "pages/welcome.md", "assets/fire-triangle.svg", "zz-!!", "de", "all", "en-XA", "a" * 65, "q1",
]


def project_copy(root: Path) -> Path:
    (root / "courses").mkdir()
    shutil.copytree(REPO / "courses" / COURSE, root / "courses" / COURSE)
    shutil.copytree(REPO / "locales" / "de", root / "locales" / "de")
    shutil.copy(REPO / "courseforge.yaml", root / "courseforge.yaml")
    return root


def invoke(*args: str) -> tuple[int, str]:
    err = io.StringIO()
    with redirect_stdout(io.StringIO()), redirect_stderr(err):
        code = run(list(args))
    return code, err.getvalue()


def walk(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path into a parsed YAML document."""
    paths = [path]
    if isinstance(data, dict):
        for key, value in data.items():
            paths.extend(walk(value, (*path, key)))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            paths.extend(walk(value, (*path, index)))
    return paths


def replace_at(data: Any, path: tuple[Any, ...], value: Any, drop: bool) -> Any:
    if not path:
        return value
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    if drop:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return data


@st.composite
def byte_mutation(draw: st.DrawFn) -> tuple[str, bytes]:
    relpath = draw(st.sampled_from(SOURCES))
    data = (REPO / "courses" / COURSE / relpath).read_bytes()
    start = draw(st.integers(0, len(data)))
    end = draw(st.integers(start, min(len(data), start + 40)))
    junk = draw(st.binary(max_size=24) | st.sampled_from([b"\x00", b"\x07", b"\xff\xfe", b"\r", b"---\n", b": [",
                                                          b"&a [*a, *a]", b"!!python/object:os.system ''"]))
    return relpath, data[:start] + junk + data[end:]


@st.composite
def structure_mutation(draw: st.DrawFn) -> tuple[str, bytes]:
    relpath = draw(st.sampled_from(YAML_SOURCES))
    document = yaml.safe_load((REPO / "courses" / COURSE / relpath).read_text(encoding="utf-8"))
    for _ in range(draw(st.integers(1, 3))):
        paths = walk(document)
        path = draw(st.sampled_from(paths))
        drop = bool(path) and draw(st.booleans()) and draw(st.booleans())
        document = replace_at(document, path, draw(st.sampled_from(HOSTILE_VALUES)), drop)
    return relpath, yaml.safe_dump(document, allow_unicode=True, sort_keys=False).encode("utf-8")


def text_leaves(data: Any) -> list[tuple[Any, ...]]:
    return [path for path in walk(data) if path and isinstance(lookup(data, path), str)]


def lookup(data: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        data = data[key]
    return data


DANGEROUS = [chr(c) for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F, 0x85, 0x2028, 0xFFFE,
                              0xFFFF, 0x202E)] + ["\r", "\t", "`", "*", "[", "](", "<", "&", "{{", "%"]


@st.composite
def text_mutation(draw: st.DrawFn) -> tuple[str, bytes]:
    """A hostile character inside a text an author wrote (course.yaml half of the time: its texts also
    reach the XML manifest)."""
    relpath = draw(st.sampled_from(["course.yaml"]) | st.sampled_from(YAML_SOURCES))
    document = yaml.safe_load((REPO / "courses" / COURSE / relpath).read_text(encoding="utf-8"))
    path = draw(st.sampled_from(text_leaves(document)))
    text = lookup(document, path)
    where = draw(st.integers(0, len(text)))
    document = replace_at(document, path, text[:where] + draw(st.sampled_from(DANGEROUS)) + text[where:], False)
    return relpath, yaml.safe_dump(document, allow_unicode=True, sort_keys=False).encode("utf-8")


@st.composite
def catalog_mutation(draw: st.DrawFn) -> tuple[str, bytes]:
    lines = (REPO / CATALOG).read_text(encoding="utf-8").splitlines(keepends=True)
    targets = [i for i, line in enumerate(lines) if line.startswith("msgstr ")]
    index = draw(st.sampled_from(targets))
    value = draw(st.sampled_from(['msgstr ""\n', 'msgstr "\\a"\n', 'msgstr "%(x)s [link](../x)"\n',
                                  'msgstr "<script>x</script>"\n', 'msgstr "x\\ny"\n', "msgstr \n",
                                  'msgstr "' + "z" * 3000 + '"\n', 'msgid "dup"\n']))
    lines[index] = value
    return "../../" + CATALOG, "".join(lines).encode("utf-8")


def seeded(relpath: str, path: tuple[Any, ...], value: Any) -> tuple[str, bytes]:
    """A mutation that once crashed courseforge, replayed on every run."""
    document = yaml.safe_load((REPO / "courses" / COURSE / relpath).read_text(encoding="utf-8"))
    document = replace_at(document, path, value, False)
    return relpath, yaml.safe_dump(document, allow_unicode=True, sort_keys=False).encode("utf-8")


SEEDS = [
    seeded("course.yaml", ("title",), "Workplace \x07safety"),
    seeded("quizzes/safety-quiz.yaml", ("questions", 0, "points"), float("nan")),
    seeded("course.yaml", ("mastery", "score"), float("inf")),
    ("course.yaml", b"id: &a [*a]\n"),
]


@example(mutation=SEEDS[0])
@example(mutation=SEEDS[1])
@example(mutation=SEEDS[2])
@example(mutation=SEEDS[3])
@settings(max_examples=EXAMPLES, deadline=None, derandomize=bool(os.environ.get("CI")), database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(mutation=st.one_of(byte_mutation(), structure_mutation(), text_mutation(), catalog_mutation()))
def test_mutated_sources_never_crash_and_a_failed_build_writes_nothing(mutation: tuple[str, bytes]) -> None:
    relpath, data = mutation
    previous = Path.cwd()
    with tempfile.TemporaryDirectory(prefix="cf-fuzz-") as folder:
        root = project_copy(Path(folder))
        target = (root / "courses" / COURSE / relpath).resolve()
        target.write_bytes(data)
        os.chdir(root)
        try:
            lint_code, lint_err = invoke("lint", "--locale", "all")
            build_code, build_err = invoke("build", "--locale", "all")
        finally:
            os.chdir(previous)
        for code, err in ((lint_code, lint_err), (build_code, build_err)):
            assert code in (EXIT_OK, EXIT_PROBLEMS), err
            assert "Traceback" not in err, err
        if lint_code == EXIT_OK:
            assert build_code == EXIT_OK, f"lint passed but build failed:\n{build_err}"
        if build_code != EXIT_OK:
            assert not (root / "build").exists(), "a failed build wrote outputs"
