"""Benchmark: time and peak memory of lint and of a full in-memory build, on synthetic courses.

Run: ``.venv/bin/python -m bench.run`` (prints a table and writes build/reports/bench.json).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from bench.synth import write_synthetic_course
from courseforge.diagnostics import DiagnosticSink
from courseforge.pipeline import BuildOptions, build_course, lint_course

SIZES = {"small": (2, 5, 5), "medium": (10, 10, 10), "large": (40, 25, 20)}


def measure(action: Callable[[], object], repeats: int) -> dict[str, float]:
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        timings.append(time.perf_counter() - start)
    tracemalloc.start()
    action()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"median_s": statistics.median(timings), "min_s": min(timings), "peak_python_mib": peak / 2**20}


def run_size(name: str, shape: tuple[int, int, int], repeats: int) -> list[dict[str, object]]:
    with tempfile.TemporaryDirectory() as folder:
        course = write_synthetic_course(Path(folder), "synthetic", *shape)

        def lint() -> object:
            return lint_course(course, "synthetic", DiagnosticSink())

        def build() -> object:
            sink = DiagnosticSink()
            result = build_course(course, "synthetic", BuildOptions(source_date_epoch=0), sink)
            if result is None:
                raise RuntimeError("synthetic course failed to build:\n" + "\n".join(d.format() for d in sink))
            return result

        modules, pages, questions = shape
        screens = modules * (pages + 1)
        return [{"size": name, "stage": stage, "screens": screens, "questions": modules * questions,
                 **measure(action, repeats)} for stage, action in (("lint", lint), ("build", build))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", nargs="*", default=list(SIZES), choices=list(SIZES))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path("build/reports/bench.json"))
    args = parser.parse_args()
    rows = [row for size in args.sizes for row in run_size(size, SIZES[size], args.repeats)]
    for row in rows:
        print(f"{row['size']:>6} {row['stage']:>5} {row['screens']:>5} screens  median {row['median_s']:.3f}s  "
              f"peak {row['peak_python_mib']:.1f} MiB")
    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process max RSS {max_rss:.0f} MiB")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"rows": rows, "max_rss_mib": max_rss}, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
