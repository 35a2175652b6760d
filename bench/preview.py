"""Benchmark: what the preview costs per page, beside a bare Playwright page load plus screenshot.

Run: ``.venv/bin/python -m bench.preview`` (prints a table and writes build/reports/bench-preview.json).

Per sample course (built in memory, source language), all in one browser against one server:

- the floor: a new page loading the package's built ``index.html`` directly (no LMS around it) and one
  1280x800 screenshot, per page;
- ``robot+shot``: the ``pass`` scenario in the test LMS (launch, the robot reading and acting on every
  screen, every commit, the finish and the settling of the record) plus one 1280x800 screenshot per screen,
  divided by the screens: the same run as below, without the time its other looks took (each look is
  timed by kind in the run, ``look: ...``). This is what the 1.5x target is held against: what the harness
  adds to a page load and a screenshot;
- ``full``: that run as it is, with all its evidence (also the phone screenshot and layout check per
  screen, axe-core on every screen and quiz state, two Tab walks), divided by the screens, with the share
  axe-core takes; and the same scenario without any evidence (the robot and the LMS alone).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Browser, sync_playwright

from bench.measure import Figure, Target
from courseforge.diagnostics import DiagnosticSink
from courseforge.model.course import Course
from courseforge.pipeline import BuildOptions, build_course
from courseforge.stages.preview.browser import launch_chromium
from courseforge.stages.preview.harness import PreviewServer
from courseforge.stages.preview.scenarios import run_scenarios
from courseforge.stages.preview.screen_evidence import AXE, DESKTOP, DESKTOP_SHOT, LOOK_PREFIX

COURSES = ("workplace-safety", "data-privacy")
TARGET_RATIO = 1.5


@dataclass(frozen=True)
class Sample:
    course: Course
    package: bytes


def build_sample(root: Path, course_id: str) -> Sample:
    sink = DiagnosticSink()
    result = build_course(root / "courses" / course_id, f"courses/{course_id}", BuildOptions(), sink)
    if result is None or sink.failed():
        raise RuntimeError(f"{course_id} failed to build:\n" + "\n".join(d.format() for d in sink))
    return Sample(result.course, result.packages[0].package.data)


def bare_page_cost(browser: Browser, url: str, repeats: int) -> float:
    """Median seconds of a new page loading ``url`` and taking one screenshot (the context reused)."""
    context = browser.new_context(viewport=DESKTOP)
    costs = []
    try:
        for _ in range(repeats):
            started = time.perf_counter()
            page = context.new_page()
            page.goto(url, wait_until="load")
            page.screenshot()
            costs.append(time.perf_counter() - started)
            page.close()
    finally:
        context.close()
    return statistics.median(costs)


@dataclass(frozen=True)
class PassCost:
    seconds: float
    looks: dict[str, float]
    """Seconds of looking by kind (``screen_evidence.LOOKS``); empty without evidence."""

    @property
    def robot_and_shot(self) -> float:
        """The run without its looks other than the desktop screenshot."""
        return self.seconds - sum(self.looks.values()) + self.looks.get(DESKTOP_SHOT, 0.0)


def pass_cost(browser: Browser, server: PreviewServer, sample: Sample, name: str, evidence: bool) -> PassCost:
    """One ``pass`` run, timed (a failed run is no measurement: it raises)."""
    started = time.perf_counter()
    (run,) = run_scenarios(sample.course, sample.package, "en", ["default"], ["pass"], browser, server,
                           name=name, evidence=evidence)
    cost = time.perf_counter() - started
    if run.verdict.value != "passed":
        raise RuntimeError(f"{name}: the pass run {run.verdict.value}: " +
                           "; ".join(f"{f.rule} at {f.step}" for f in run.findings if f.severity.value == "error"))
    looks = {t.label.removeprefix(LOOK_PREFIX): t.seconds for t in run.timings if t.label.startswith(LOOK_PREFIX)}
    return PassCost(cost, looks)


def median_run(costs: list[PassCost]) -> PassCost:
    return sorted(costs, key=lambda cost: cost.seconds)[len(costs) // 2]


def measure(browser: Browser, server: PreviewServer, course_id: str, sample: Sample, repeats: int) -> dict[str, object]:
    screens = len(sample.course.screens)
    served = server.serve_package(f"bench-{course_id}-bare", sample.package)
    floor = bare_page_cost(browser, server.url(served.url_path + served.sco().href), max(repeats, screens))
    full = median_run([pass_cost(browser, server, sample, f"bench-{course_id}-{n}", True) for n in range(repeats)])
    robot_only = median_run([pass_cost(browser, server, sample, f"bench-{course_id}-plain-{n}", False)
                             for n in range(repeats)])
    harness = full.robot_and_shot / screens
    return {"course": course_id, "screens": screens, "floor_per_page_s": floor,
            "robot_and_shot_per_page_s": harness, "ratio": harness / floor,
            "within_target": harness / floor <= TARGET_RATIO,
            "full_per_page_s": full.seconds / screens, "full_ratio": full.seconds / screens / floor,
            "axe_share": full.looks.get(AXE, 0.0) / full.seconds,
            "looks_s": full.looks, "robot_only_per_page_s": robot_only.seconds / screens}


def measure_all(course_ids: list[str], repeats: int, browser_path: Path | None) -> tuple[list[dict[str, object]], str]:
    """Every course's row, in one browser against one server; and the browser's name."""
    root = Path(__file__).resolve().parents[1]
    samples = {course_id: build_sample(root, course_id) for course_id in course_ids}
    with sync_playwright() as playwright, PreviewServer() as server:
        browser = launch_chromium(playwright, browser_path)
        try:
            rows = [measure(browser, server, course_id, sample, repeats) for course_id, sample in samples.items()]
            return rows, f"Chromium {browser.version}"
        finally:
            browser.close()


def figures(course_ids: list[str], repeats: int) -> list[Figure]:
    """Figure 5 for ``python -m bench``: per course, the harness's cost per page against the bare figure."""
    rows, browser = measure_all(course_ids, repeats, None)
    return [Figure(f"preview {row['course']}: s per page", seconds(row, "robot_and_shot_per_page_s"), "s",
                   seconds(row, "floor_per_page_s"), Target(TARGET_RATIO, of_ratio=True), repeats,
                   note="floor: bare page load + screenshot", details={**row, "browser": browser})
            for row in rows]


def seconds(row: dict[str, object], key: str) -> float:
    value = row[key]
    if not isinstance(value, float):
        raise TypeError(f"{key} is not a number of seconds: {value!r}")
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--courses", nargs="*", default=list(COURSES), choices=list(COURSES))
    parser.add_argument("--repeats", type=int, default=1, help="pass runs per course (the median is kept)")
    parser.add_argument("--browser", type=Path, default=None, help="Chromium to drive (default: the system's)")
    parser.add_argument("--out", type=Path, default=Path("build/reports/bench-preview.json"))
    args = parser.parse_args()
    rows, version = measure_all(args.courses, args.repeats, args.browser)
    print(f"{'course':<18} {'screens':>7} {'floor/page':>11} {'robot+shot':>11} {'ratio':>6} "
          f"{'full/page':>10} {'ratio':>6} {'axe':>5} {'robot only':>11}")
    for row in rows:
        print(f"{row['course']!s:<18} {row['screens']!s:>7} {row['floor_per_page_s']:>10.3f}s "
              f"{row['robot_and_shot_per_page_s']:>10.3f}s {row['ratio']:>5.2f}x {row['full_per_page_s']:>9.3f}s "
              f"{row['full_ratio']:>5.2f}x {row['axe_share']:>5.0%} {row['robot_only_per_page_s']:>10.3f}s"
              f"{'' if row['within_target'] else f'  (target {TARGET_RATIO}x)'}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"browser": version, "target_ratio": TARGET_RATIO, "rows": rows},
                                   indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
