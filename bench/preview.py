"""Benchmark: what the preview costs per page, beside a bare Playwright page load plus screenshot.

Run: ``.venv/bin/python -m bench.preview`` (prints a table and writes build/reports/bench-preview.json).

Per sample course (built in memory, source language): the ``pass`` scenario with its evidence (two
screenshots, axe-core and the layout check per screen, axe on each quiz state, two Tab walks), in the
test LMS, divided by the course's screens; the same scenario without evidence (the robot and the LMS
alone); and the floor, measured in the same browser against the same server: a new page loading the
package's built ``index.html`` directly (no LMS around it) and one 1280x800 screenshot, per page. The
target is a preview within 1.5x the floor per page.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Browser, sync_playwright

from courseforge.diagnostics import DiagnosticSink
from courseforge.model.course import Course
from courseforge.pipeline import BuildOptions, build_course
from courseforge.stages.preview.browser import launch_chromium
from courseforge.stages.preview.harness import PreviewServer
from courseforge.stages.preview.scenarios import run_scenarios
from courseforge.stages.preview.screen_evidence import DESKTOP

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


def pass_cost(browser: Browser, server: PreviewServer, sample: Sample, name: str, evidence: bool) -> float:
    """Seconds of one ``pass`` run (a failed run is no measurement: it raises)."""
    started = time.perf_counter()
    (run,) = run_scenarios(sample.course, sample.package, "en", ["default"], ["pass"], browser, server,
                           name=name, evidence=evidence)
    cost = time.perf_counter() - started
    if run.verdict.value != "passed":
        raise RuntimeError(f"{name}: the pass run {run.verdict.value}: " +
                           "; ".join(f"{f.rule} at {f.step}" for f in run.findings if f.severity.value == "error"))
    return cost


def measure(browser: Browser, server: PreviewServer, course_id: str, sample: Sample, repeats: int) -> dict[str, object]:
    screens = len(sample.course.screens)
    served = server.serve_package(f"bench-{course_id}-bare", sample.package)
    floor = bare_page_cost(browser, server.url(served.url_path + served.sco().href), max(repeats, screens))
    with_evidence = statistics.median(pass_cost(browser, server, sample, f"bench-{course_id}-{n}", True)
                                      for n in range(repeats))
    robot_only = statistics.median(pass_cost(browser, server, sample, f"bench-{course_id}-plain-{n}", False)
                                   for n in range(repeats))
    per_page = with_evidence / screens
    return {"course": course_id, "screens": screens, "preview_per_page_s": per_page,
            "robot_only_per_page_s": robot_only / screens, "floor_per_page_s": floor,
            "ratio": per_page / floor, "within_target": per_page / floor <= TARGET_RATIO}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--courses", nargs="*", default=list(COURSES), choices=list(COURSES))
    parser.add_argument("--repeats", type=int, default=1, help="pass runs per course (the median is kept)")
    parser.add_argument("--browser", type=Path, default=None, help="Chromium to drive (default: the system's)")
    parser.add_argument("--out", type=Path, default=Path("build/reports/bench-preview.json"))
    args = parser.parse_args()
    root = Path(__file__).resolve().parents[1]
    samples = {course_id: build_sample(root, course_id) for course_id in args.courses}
    with sync_playwright() as playwright, PreviewServer() as server:
        browser = launch_chromium(playwright, args.browser)
        try:
            rows = [measure(browser, server, course_id, sample, args.repeats) for course_id, sample in samples.items()]
            version = browser.version
        finally:
            browser.close()
    print(f"{'course':<18} {'screens':>7} {'preview/page':>13} {'robot only':>11} {'floor/page':>11} {'ratio':>6}")
    for row in rows:
        print(f"{row['course']!s:<18} {row['screens']!s:>7} {row['preview_per_page_s']:>12.3f}s "
              f"{row['robot_only_per_page_s']:>10.3f}s {row['floor_per_page_s']:>10.3f}s {row['ratio']:>5.1f}x"
              f"{'' if row['within_target'] else f'  (target {TARGET_RATIO}x)'}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"browser": f"Chromium {version}", "target_ratio": TARGET_RATIO, "rows": rows},
                                   indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
