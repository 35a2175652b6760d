"""``courseforge build --jobs N`` in real processes: the same packages and JSON as a one-process build, a failing
locale's diagnostics with their location and nothing written, and a worker that dies, raises or is interrupted
ends the build at once with nothing written and no process left behind."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from courseforge.build_plan import Task, halves, plan, split, split_units
from courseforge.cli import EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_OK, EXIT_PROBLEMS
from courseforge.model.package import PackageFormat
from courseforge.standards import profile_for

REPO = Path(__file__).resolve().parents[2]
HOOKED = textwrap.dedent("""
    import os, signal, sys, time
    from pathlib import Path
    import courseforge.build_plan as plan
    from courseforge.cli import main

    target = os.environ.get("TEST_TARGET", "fresh_units")
    parent, real, hook = os.getpid(), getattr(plan, target), os.environ["TEST_HOOK"]

    def hooked(*args, **kwargs):
        if os.getpid() != parent:
            Path(os.environ["TEST_MARKS"], str(os.getpid())).touch()
            if hook == "die":
                os.kill(os.getpid(), signal.SIGKILL)
            if hook == "raise":
                raise RuntimeError("injected in a worker")
            if hook == "slow":
                time.sleep(30)
        return real(*args, **kwargs)

    setattr(plan, target, hooked)
    if target == "outlined":
        plan.MIN_CHARS_TO_SHARE = 0  # the sample courses' pages are too few to be shared otherwise
    sys.argv[0] = "courseforge"
    main()
""")
"""``courseforge`` with each worker's task (or the TEST_TARGET function of ``build_plan`` a forked process runs)
replaced by a fault (TEST_HOOK): die by SIGKILL, raise, or hang."""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    for name in ("courses", "locales"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "courseforge.yaml", root)
    return root


def courseforge(root: Path, *args: str, hook: str = "", marks: Path | None = None,
                target: str = "fresh_units") -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "TEST_HOOK": hook, "TEST_MARKS": str(marks or root), "TEST_TARGET": target}
    environment.pop("COURSEFORGE_CACHE_DIR", None)
    command = [sys.executable, "-c", HOOKED, *args] if hook else [sys.executable, "-m", "courseforge", *args]
    return subprocess.run(command, cwd=root, capture_output=True, text=True, check=False, env=environment,
                          timeout=300)


def tree(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*"))
            if path.is_file()}


def document(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(result.stdout)
    parsed.pop("out")
    return parsed


def assert_nothing_written(root: Path) -> None:
    """No output folder, no spool or staging folder beside it."""
    assert sorted(path.name for path in root.iterdir()) == ["courseforge.yaml", "courses", "locales"]


def test_two_jobs_build_what_one_builds_byte_for_byte_with_the_same_json(project: Path) -> None:
    one = courseforge(project, "build", "--locale", "all", "--no-cache", "--jobs", "1", "--json")
    built_by_one = tree(project / "build")
    shutil.rmtree(project / "build")
    two = courseforge(project, "build", "--locale", "all", "--no-cache", "--jobs", "2", "--json")
    assert one.returncode == two.returncode == EXIT_OK, one.stderr + two.stderr
    assert tree(project / "build") == built_by_one and len(built_by_one) == 36
    assert document(one) == document(two) and one.stderr == two.stderr
    shown = courseforge(project, "build", "--locale", "all", "--no-cache", "--jobs", "2", "-v")
    assert "on 2 process(es)" in shown.stderr, shown.stderr
    assert tree(project / "build") == built_by_one


def test_a_failing_locale_fails_a_parallel_build_with_its_location_and_writes_nothing(project: Path) -> None:
    catalog = project / "locales" / "fr" / "LC_MESSAGES" / "workplace-safety.po"
    lines = catalog.read_text(encoding="utf-8").splitlines(keepends=True)
    broken = next(number for number, line in enumerate(lines) if line.startswith("msgstr ") and number > 20)
    lines[broken] = 'this is not PO\n'
    catalog.write_text("".join(lines), encoding="utf-8")
    results = [courseforge(project, "build", "--locale", "all", "--jobs", jobs) for jobs in ("2", "1")]
    for result in results:
        assert result.returncode == EXIT_PROBLEMS, result.stderr
        assert "locales/fr/LC_MESSAGES/workplace-safety.po:" in result.stderr and "[i18n.po-syntax]" in result.stderr
        assert "nothing was written" in result.stderr
    error = next(line for line in results[0].stderr.splitlines() if "[i18n.po-syntax]" in line)
    assert error.split(":")[1].isdigit() and error.split(":")[2].isdigit(), error
    assert results[0].stderr == results[1].stderr
    assert_nothing_written(project)


@pytest.mark.parametrize(("hook", "expected", "target"), [("die", "WorkerCrashed: worker ", "fresh_units"),
                                                           ("raise", "WorkerError: task ", "fresh_units"),
                                                           ("die", "WorkerCrashed: worker ", "outlined"),
                                                           ("raise", "WorkerError: task ", "outlined")])
def test_a_worker_that_dies_or_raises_is_an_internal_error_with_nothing_written(
        project: Path, tmp_path: Path, hook: str, expected: str, target: str) -> None:
    """Also the helper that parses half of the pages before validation (``outlined``)."""
    marks = tmp_path / "marks"
    marks.mkdir()
    result = courseforge(project, "build", "--locale", "all", "--no-cache", "--jobs", "2", hook=hook, marks=marks,
                         target=target)
    assert result.returncode == EXIT_INTERNAL, result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert expected in line and "nothing was written" in line
    if hook == "die":
        assert "killed by SIGKILL" in line
    else:
        log = Path(line.rsplit(" ", 1)[-1])
        assert "RuntimeError: injected in a worker" in log.read_text()
    assert_nothing_written(project)
    assert_gone(int(mark.name) for mark in marks.iterdir())


def assert_gone(pids: Any) -> None:
    for pid in pids:
        deadline = time.monotonic() + 5
        while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not Path(f"/proc/{pid}").exists(), f"worker {pid} outlived the build"


def test_ctrl_c_stops_every_worker_and_writes_nothing(project: Path, tmp_path: Path) -> None:
    marks = tmp_path / "marks"
    marks.mkdir()
    environment = {**os.environ, "TEST_HOOK": "slow", "TEST_MARKS": str(marks)}
    process = subprocess.Popen([sys.executable, "-c", HOOKED, "build", "--locale", "all", "--no-cache", "--jobs", "2"],
                               cwd=project, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, start_new_session=True)
    deadline = time.monotonic() + 60
    while len(list(marks.iterdir())) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    workers = [int(mark.name) for mark in marks.iterdir()]
    assert len(workers) == 2, "both workers should be busy"
    os.killpg(process.pid, signal.SIGINT)  # what a terminal's Ctrl-C does: the whole foreground group
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == EXIT_INTERRUPTED and stderr.strip() in ("aborted", "interrupted"), stderr
    assert_nothing_written(project)
    assert_gone(workers)


def test_the_pool_runs_every_task_once_and_reports_failures(tmp_path: Path) -> None:
    script = textwrap.dedent("""
        import os
        from courseforge.parallel import Background, ForkPool, WorkerError
        answers = {}
        with ForkPool(lambda index, _: (os.getpid(), index * index), 3) as pool:
            pool.run(20, lambda index, answer: answers.setdefault(index, answer))
        assert sorted(answers) == list(range(20)) and all(a[1] == i * i for i, a in answers.items())
        assert os.getpid() not in {a[0] for a in answers.values()} and len({a[0] for a in answers.values()}) > 1
        try:
            with ForkPool(lambda index, _: 1 // (index - 3), 2) as pool:
                pool.run(6, lambda index, answer: None)
        except WorkerError as error:
            assert "ZeroDivisionError" in str(error) and "task 3" in str(error)
        else:
            raise AssertionError("the error was lost")
        with Background(lambda: (os.getpid(), "done")) as helper:
            pid, answer = helper.result()
        assert answer == "done" and pid != os.getpid()
        try:
            with Background(lambda: 1 // 0) as helper:
                helper.result()
        except WorkerError as error:
            assert "ZeroDivisionError" in str(error)
        else:
            raise AssertionError("the helper's error was lost")
        print("ok")
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=60)
    assert result.returncode == 0 and result.stdout == "ok\n", result.stderr


def test_the_plan_splits_the_units_that_repeat_least_and_hands_out_the_heaviest_first() -> None:
    profiles = tuple(profile_for(package_format) for package_format in PackageFormat)
    whole = [Task(0, locale, profiles, None) for locale in ("en", "de", "fr", "ar", "es")]
    weights = {"en": 5, "de": 9, "fr": 9, "ar": 9, "es": 7}
    tasks = plan(whole, 2, lambda task: weights[task.locale], lambda task: 0 if task.locale == "en" else 1)
    assert [task.locale for task in tasks] == ["en", "de", "fr", "ar", "es", "en", "en"]
    assert [len(task.profiles) for task in (tasks[0], *tasks[-2:])] == [0, 3, 2]  # the first only does the Markdown
    assert tasks[-2].profiles + tasks[-1].profiles == profiles
    assert plan(whole[:4], 2, lambda task: 1, lambda task: 0) == whole[:4]
    three = plan(whole[:3], 4, lambda task: 1, lambda task: 0)
    assert [(task.locale, len(task.profiles)) for task in three] == [
        ("en", 0), ("de", 0), ("fr", 0), ("en", 2), ("en", 1), ("en", 1), ("en", 1), ("de", 2), ("de", 1),
        ("de", 1), ("de", 1), ("fr", 2), ("fr", 1), ("fr", 1), ("fr", 1)]
    assert [len(group) for group in split(profiles, 4)] == [2, 1, 1, 1]


def test_the_pages_are_shared_by_length_between_two_processes() -> None:
    ours, theirs = halves(["a" * 50, "b" * 10, "c" * 30, "d" * 25, "e" * 5])
    assert sorted(ours + theirs) == sorted(["a" * 50, "b" * 10, "c" * 30, "d" * 25, "e" * 5])
    assert abs(sum(map(len, ours)) - sum(map(len, theirs))) <= 10


def test_the_helper_hands_back_every_page_it_parsed(tmp_path: Path) -> None:
    """After ``parse_pages``, this process has every long page's outline in the store and its block structure
    on the shelf, as if it had parsed them all itself (the render of each locale shares them)."""
    script = textwrap.dedent(f"""
        import os
        from pathlib import Path
        import courseforge.build_plan as plan
        from courseforge.cache import MemoryStore, cache_scope
        from courseforge.diagnostics import DiagnosticSink
        from courseforge.markdown import MEMOIZED_FROM_CHARS
        from courseforge import markdown_blocks
        from courseforge.markdown_blocks import shared_pages
        from courseforge.model.project import DEFAULT_LIMITS
        from courseforge.stages.load import load_course
        plan.MIN_CHARS_TO_SHARE = 0
        store = MemoryStore()
        with cache_scope(store):
            course = Path({str(REPO / "courses" / "workplace-safety")!r})
            source = load_course(course, "workplace-safety", DiagnosticSink(), DEFAULT_LIMITS)
            bodies = [page.body for page in source.pages.values() if len(page.body) >= MEMOIZED_FROM_CHARS]
            parent, forked = os.getpid(), []
            real = plan.outlined
            plan.outlined = lambda texts: (forked.append(os.getpid()), real(texts))[1]
            plan.parse_pages(source)
            assert not forked  # outlined ran in the helper (it appended to its own copy of the list)
            assert len(bodies) >= 2 and all(shared_pages().get(body) is not None for body in bodies)
            markdown_blocks.read_outline = None  # every outline now comes from the store, none is parsed again
            assert all(markdown_blocks.outline(body).blocks for body in bodies)
        print("ok")
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=60)
    assert result.returncode == 0 and result.stdout == "ok\n", result.stderr


def test_a_rebuild_forks_no_helper_to_parse_pages_the_cache_has() -> None:
    """The second ``parse_pages`` of the same pages finds them in the store and forks nothing; the first did."""
    script = textwrap.dedent(f"""
        from pathlib import Path
        import courseforge.build_plan as plan
        from courseforge.cache import MemoryStore, cache_scope
        from courseforge.diagnostics import DiagnosticSink
        from courseforge.model.project import DEFAULT_LIMITS
        from courseforge.stages.load import load_course
        plan.MIN_CHARS_TO_SHARE = 0
        forks = []
        real = plan.Background
        plan.Background = lambda work: (forks.append(1), real(work))[1]
        with cache_scope(MemoryStore()):
            course = Path({str(REPO / "courses" / "workplace-safety")!r})
            source = load_course(course, "workplace-safety", DiagnosticSink(), DEFAULT_LIMITS)
            plan.parse_pages(source)
            assert forks == [1]
            plan.parse_pages(source)
            assert forks == [1]
        print("ok")
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=60)
    assert result.returncode == 0 and result.stdout == "ok\n", result.stderr


def test_the_first_group_of_a_split_unit_leads_the_others() -> None:
    profiles = tuple(profile_for(package_format) for package_format in PackageFormat)
    tasks = [Task(0, "en", profiles[:1], None), Task(0, "de", profiles, None), Task(0, "en", profiles[1:3], None),
             Task(1, "en", profiles, None), Task(0, "en", profiles[3:], None)]
    assert split_units(tasks) == {2: 0, 4: 0}


def test_what_workers_write_to_the_cache_is_bounded_too(project: Path) -> None:
    """The second build's new entries are all the workers' (the parent's validation hits the cache)."""
    assert courseforge(project, "build", "--locale", "all").returncode == EXIT_OK
    config = project / "courseforge.yaml"
    config.write_text(config.read_text().replace("  formats: []", "  formats: []\n  cache_max_mb: 1"))
    for catalog in (project / "locales").glob("[df][er]/LC_MESSAGES/*.po"):
        catalog.write_text(catalog.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    result = courseforge(project, "build", "--locale", "all", "--jobs", "2", "-v")
    assert result.returncode == EXIT_OK and "on 2 process(es)" in result.stderr, result.stderr
    cache = project / "build" / ".cache"
    assert (cache / "CACHEDIR.TAG").is_file()
    assert sum(path.stat().st_size for path in cache.rglob("*") if path.is_file()) <= 800_000 + 1_000


def test_on_a_terminal_the_progress_bars_show_and_the_workers_still_fork(project: Path) -> None:
    """The bars' refresh thread stops before the workers fork (``parallel.can_fork``), so a terminal build
    is parallel too."""
    if shutil.which("script") is None:
        pytest.skip("needs util-linux script for a terminal")
    command = f"{sys.executable} -m courseforge build --locale all --no-cache --jobs 2 -v"
    environment = {key: value for key, value in os.environ.items() if key != "CI"}
    result = subprocess.run(["script", "-qec", command, "/dev/null"], cwd=project, capture_output=True, text=True,
                            check=False, env={**environment, "COLUMNS": "120", "TERM": "xterm"}, timeout=300)
    assert result.returncode == EXIT_OK, result.stdout
    assert "validating" in result.stdout and "building" in result.stdout  # the bars, drawn on the terminal
    assert "on 2 process(es)" in result.stdout
