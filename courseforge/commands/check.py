"""``courseforge check``: verify SCORM packages (ours or a vendor's) and say what is wrong. Writes nothing."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import click

from courseforge.commands.common import display_path
from courseforge.commands.output import Reporter, reporting_options
from courseforge.diagnostics import Diagnostic, Location, Severity
from courseforge.model.report import VerificationReport
from courseforge.stages.verify import DEFAULT_LIMITS, Limits, verify_package
from courseforge.stages.verify.zipguard import human_size

SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(i?)B?\s*$", re.IGNORECASE)
POWERS = {"": 0, "K": 1, "M": 2, "G": 3, "T": 4}


def parse_size(text: str) -> int:
    """Sizes like 500M, 2GiB, 1.5GB or 1048576: K/M/G and KiB/MiB/GiB are binary, KB/MB/GB decimal."""
    match = SIZE.match(text)
    if not match:
        raise ValueError(text)
    number, unit, binary = match.groups()
    decimal = bool(unit) and text.strip().upper().endswith("B") and not binary
    return int(float(number) * (1000 if decimal else 1024) ** POWERS[unit.upper()])


def size_option(ctx: click.Context, param: click.Parameter, value: str) -> int:
    try:
        return parse_size(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a size such as 500M, 2GiB or 1048576") from None


def unreadable(name: str, code: str, message: str, hint: str) -> VerificationReport:
    """A report for a package that never reached the verify stage (missing, a folder, too big to read)."""
    problem = Diagnostic(Severity.ERROR, code, message, Location(name), hint)
    return VerificationReport(name, None, (problem,), 0, 0, None, None)


def check_file(path: Path, limits: Limits) -> VerificationReport:
    """Read one package with the size limit applied before the read, then hand the bytes to the stage."""
    name = display_path(path)
    try:
        size = path.stat().st_size
        if size > limits.max_total_bytes:
            return unreadable(name, "zip.too-large",
                              f"{name} is {human_size(size)}, more than the {human_size(limits.max_total_bytes)} "
                              "allowed", "shrink large media, or raise the limit with --max-size")
        data = path.read_bytes()
    except FileNotFoundError:
        return unreadable(name, "zip.not-found", f"{name} does not exist", "check the path to the package zip")
    except OSError as error:
        return unreadable(name, "zip.unreadable", f"{name} cannot be read: {error.strerror or error}",
                          "pass the path of a .zip file you can read")
    return verify_package(name, data, limits=limits)


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' * (count != 1)}"


def summary(report: VerificationReport, strict: bool) -> str:
    """One line per package: what it is when it passes, how many problems when it does not."""
    if report.failed(strict):
        return (f"{report.package}: INVALID: {plural(report.error_count, 'error')}, "
                f"{plural(report.warning_count, 'warning')}")
    facts = [report.format.value if report.format else "unknown format", plural(report.entries, "file")]
    if report.launch:
        facts.append(f"launch {report.launch}")
    warned = f" with {plural(report.warning_count, 'warning')}" if report.warning_count else ""
    return f"{report.package}: OK{warned} ({', '.join(facts)})"


def report_document(reports: list[VerificationReport], strict: bool) -> dict[str, object]:
    return {
        "ok": not any(report.failed(strict) for report in reports),
        "strict": strict,
        "packages": [report.to_json() for report in reports],
    }


@click.command()
@click.argument("packages", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--max-size", default=human_size(DEFAULT_LIMITS.max_total_bytes), show_default=True, callback=size_option,
              help="Largest total uncompressed size accepted (e.g. 500M, 4GiB).")
@reporting_options
def check(packages: tuple[Path, ...], strict: bool, max_size: int, reporter: Reporter) -> None:
    """Verify package zips, ours or a vendor's: zip safety, manifest schema, references, launchable content.

    Works anywhere (no project needed) and writes nothing.

    \b
    Example:
      courseforge check build/*/*/scorm12.zip
      courseforge check vendor-course.zip --strict --json
    """
    limits = replace(DEFAULT_LIMITS, max_total_bytes=max_size)
    reports = []
    with reporter.progress("checking", len(packages)) as step:
        for path in packages:
            reports.append(check_file(path, limits))
            step(path.name)
    for report in reports:
        reporter.diagnostics(report.diagnostics)
        reporter.result(summary(report, strict))
    reporter.document(report_document(reports, strict))
    raise SystemExit(1 if any(report.failed(strict) for report in reports) else 0)
