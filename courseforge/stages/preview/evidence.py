"""Writing a preview report's evidence to a folder: the edge where the command's outputs reach the disk.

``<out>/report.html``, ``<out>/junit.xml`` and ``<out>/screenshots/*.png``. The files are first written
to a staging folder inside ``<out>``, then moved in (screenshots first, the report last), so a reader never
finds a report naming screenshots of another run, and screenshots of an earlier run do not linger. File
names come from :func:`screenshot_paths`: slugs of the run and screenshot names plus a digest, so a run
or screen named ``../../x`` or ``a/b`` stays a plain file name inside ``screenshots/``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from courseforge.model.preview import PreviewReport
from courseforge.stages.preview.report_html import render_report
from courseforge.stages.preview.report_junit import render_junit
from courseforge.stages.preview.report_views import SCREENSHOTS_FOLDER, ordered_runs, screenshot_paths

REPORT_HTML = "report.html"
JUNIT_XML = "junit.xml"
STAGING_PREFIX = ".preview-staging-"


class EvidenceError(Exception):
    """The output folder cannot take the evidence (a file in the way, no permission): the command reports it."""


def evidence_files(report: PreviewReport) -> dict[str, bytes]:
    """Relative POSIX path -> bytes of everything a report writes (pure: what :func:`write_evidence` puts down)."""
    runs = ordered_runs(report)
    files = {path: runs[run_index].screenshots[shot_index].png
             for (run_index, shot_index), path in screenshot_paths(runs).items()}
    files[JUNIT_XML] = render_junit(report)
    files[REPORT_HTML] = render_report(report)
    return files


def write_evidence(report: PreviewReport, out_dir: Path) -> tuple[Path, ...]:
    """Write the report, the JUnit XML and the screenshots under ``out_dir``; the paths written, sorted."""
    files = evidence_files(report)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=out_dir))
    except OSError as problem:
        raise _cannot_write(out_dir, problem) from None
    try:
        _stage(staging, files)
        _swap_in(staging, out_dir)
    except OSError as problem:
        raise _cannot_write(out_dir, problem) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return tuple(sorted(out_dir / relative for relative in files))


def _cannot_write(out_dir: Path, problem: OSError) -> EvidenceError:
    where = f" ({problem.filename})" if problem.filename else ""
    return EvidenceError(f"cannot write the preview evidence into {out_dir}: {problem.strerror or problem}{where}")


def _stage(staging: Path, files: dict[str, bytes]) -> None:
    (staging / SCREENSHOTS_FOLDER).mkdir()
    for relative, data in files.items():
        (staging / relative).write_bytes(data)


def _swap_in(staging: Path, out_dir: Path) -> None:
    """Screenshots folder replaced whole (the old one removed, never followed if it is a link), then the files."""
    target = out_dir / SCREENSHOTS_FOLDER
    if target.is_symlink() or target.is_file():
        target.unlink()
    elif target.exists():
        os.replace(target, staging / "old-screenshots")
    os.replace(staging / SCREENSHOTS_FOLDER, target)
    for name in (JUNIT_XML, REPORT_HTML):
        os.replace(staging / name, out_dir / name)
