"""The benchmark's measuring parts: the floor's zip copies what a package did, figures judge their targets,
and a subprocess tree's CPU and memory are seen. No timing is asserted."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from bench import floor, floor_work
from bench.measure import CommandFailed, Figure, Target, run_command
from bench.memory import PssSampler
from courseforge.stages.package.deflate_segments import SEGMENTED_FROM_BYTES
from courseforge.stages.package.zipwriter import write_zip

TEXT = b"".join(b"<p>Keep fire door %d closed.</p>\n" % (n * n % 997) for n in range(400))
NOISE = os.urandom(20_000)


def package(levels: dict[str, int | None]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, level in levels.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_STORED if level is None else zipfile.ZIP_DEFLATED
            archive.writestr(info, NOISE if name.endswith(".jpg") else TEXT, compresslevel=level)
    return buffer.getvalue()


def test_the_floor_zips_each_entry_to_the_same_bytes_as_the_package() -> None:
    built = package({"index.html": 9, "content/photo.jpg": None, "runtime/courseforge.js": 1})
    entries = floor.package_entries(built, "en", floor.LevelFinder())
    assert [(e.name, e.method) for e in entries.entries] == [
        ("index.html", zipfile.ZIP_DEFLATED), ("content/photo.jpg", zipfile.ZIP_STORED),
        ("runtime/courseforge.js", zipfile.ZIP_DEFLATED)]
    assert entries.entries[1].level is None
    again, original = (zipfile.ZipFile(io.BytesIO(data)) for data in (floor_work.rezip(entries), built))
    assert [floor.raw_member(again, i) for i in again.infolist()] == \
           [floor.raw_member(original, i) for i in original.infolist()]


def test_the_floor_deflates_a_segmented_page_at_courseforges_level() -> None:
    """No one-stream level reproduces a page courseforge deflated in segments (at level 6): the floor takes 6."""
    page = b"".join(b"<p>Keep fire door %d closed today.</p>\n" % n for n in range(SEGMENTED_FROM_BYTES // 30))
    entries = floor.package_entries(write_zip({"index.html": page}), "en", floor.LevelFinder())
    assert [(e.name, e.level) for e in entries.entries] == [("index.html", 6)]


def test_the_floor_renders_what_courseforge_renders_markdown_with() -> None:
    html = floor_work.markdown().render("| a | b |\n|---|---|\n| ~~x~~ | y |\n")
    assert "<table>" in html and "<s>x</s>" in html
    page = floor_work.render_screens(["<p>one</p>", "<p>two</p>"], "ar")
    assert page.count("<section") == 2 and 'lang="ar"' in page


@pytest.mark.parametrize(("value", "floor_value", "target", "ok"), [
    (1.2, 1.0, Target(1.3, of_ratio=True), True),
    (1.4, 1.0, Target(1.3, of_ratio=True), False),
    (0.3, None, Target(0.3, strict=True), False),
    (0.29, None, Target(0.3, strict=True), True),
    (2.0, None, None, None),
])
def test_a_figure_is_judged_by_its_ratio_or_its_value(value: float, floor_value: float | None, target: Target | None,
                                                       ok: bool | None) -> None:
    assert Figure("f", value, "s", floor_value, target).ok is ok


def test_a_figure_not_measured_says_why_and_is_not_judged() -> None:
    figure = Figure("2-core wall", None, "x", target=Target(0.6), note="no --jobs")
    assert figure.ok is None and figure.to_json()["note"] == "no --jobs"


def test_a_commands_children_count_in_its_cpu_and_memory(tmp_path: Path) -> None:
    child = "x = bytearray(60_000_000); sum(range(3_000_000))"
    burn = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {child!r}])"
    sampler = PssSampler(every=0.005)
    timing = run_command([sys.executable, "-c", burn], tmp_path, observer=sampler)
    assert timing.cpu > 0.05
    assert sampler.most_processes == 2 and sampler.peak_mib > 50


def test_a_failing_command_raises_with_its_output(tmp_path: Path) -> None:
    with pytest.raises(CommandFailed, match="boom"):
        run_command([sys.executable, "-c", "import sys; sys.exit('boom')"], tmp_path)


def test_a_build_floor_runs_in_a_process_of_its_own_with_the_bare_libraries_only(tmp_path: Path) -> None:
    built = package({"index.html": 6, "content/photo.jpg": None})
    entries = floor.package_entries(built, "en", floor.LevelFinder())
    inputs = floor.write_build_input({"en": ["# One\n\nKeep **fire doors** closed.\n"]}, [entries],
                                     tmp_path / "floor.pickle")
    timing = floor.build_floor(inputs)
    assert timing.cpu > 0 and timing.wall > 0
    assert set(json.loads(inputs.with_suffix(".out").read_text())) == {"load_cpu_s", "load_wall_s"}
    probe = ("import sys, bench.floor_work; "
             "print(sorted({m.split('.')[0] for m in sys.modules} & {'courseforge', 'bench'}))")
    imported = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                              cwd=Path(floor.__file__).parent.parent).stdout
    assert imported.strip() == "['bench']"
