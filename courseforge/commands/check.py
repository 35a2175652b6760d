"""``courseforge check``: verify packages (ours or a vendor's; a bare cmi5.xml too) and say what is wrong.

Writes nothing."""

from __future__ import annotations

import os
import re
import stat
from dataclasses import replace
from pathlib import Path

import click

from courseforge.commands.common import display_path
from courseforge.commands.output import Reporter, reporting_options
from courseforge.diagnostics import Location
from courseforge.model.report import CappedSink, VerificationReport
from courseforge.model.zip_limits import DEFAULT_LIMITS, MIB, Limits, human_size

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


NOT_A_FILE = {stat.S_IFDIR: "a folder", stat.S_IFIFO: "a named pipe (FIFO)", stat.S_IFCHR: "a character device",
              stat.S_IFBLK: "a block device", stat.S_IFSOCK: "a socket"}
OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
"""O_NONBLOCK: a FIFO swapped in after the stat cannot block the open; fstat then refuses it."""
READ_CHUNK = MIB


class Refused(Exception):
    """Why a path is not read at all; becomes the package's only diagnostic."""

    def __init__(self, code: str, message: str, hint: str) -> None:
        super().__init__(message)
        self.code, self.message, self.hint = code, message, hint


def unreadable(name: str, code: str, message: str, hint: str) -> VerificationReport:
    """A report for a package that never reached the verify stage (missing, not a file, too big to read)."""
    sink = CappedSink(package=name)
    sink.error(code, message, Location(name), hint)
    return VerificationReport.from_sink(sink)


def refuse_unless_regular(name: str, info: os.stat_result, limit: int) -> None:
    """Only a regular file within the size limit is read: /dev/zero or a FIFO would never end."""
    if not stat.S_ISREG(info.st_mode):
        what = NOT_A_FILE.get(stat.S_IFMT(info.st_mode), "not a regular file")
        raise Refused("zip.not-a-file", f"{name} is {what}, not a package file; it was not read",
                      "pass the path of a .zip file")
    if info.st_size > limit:
        raise Refused("zip.too-large", f"{name} is {human_size(info.st_size)}, more than the {human_size(limit)} "
                      "allowed", "shrink large media, or raise the limit with --max-size")


def read_at_most(fd: int, limit: int) -> bytes:
    """Up to ``limit + 1`` bytes: a file that grew after its stat is still caught by the size limit."""
    chunks: list[bytes] = []
    left = limit + 1
    while left > 0:
        chunk = os.read(fd, min(left, READ_CHUNK))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def read_package(path: Path, name: str, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes, checked before (stat) and after (fstat) open."""
    refuse_unless_regular(name, os.stat(path), limit)
    fd = os.open(path, OPEN_FLAGS)
    try:
        refuse_unless_regular(name, os.fstat(fd), limit)
        data = read_at_most(fd, limit)
    finally:
        os.close(fd)
    if len(data) > limit:
        raise Refused("zip.too-large", f"{name} holds more than the {human_size(limit)} allowed, more than its "
                      "size said (it grew while it was read, or it is a special file)",
                      "check the package once it is completely written")
    return data


def check_file(path: Path, limits: Limits) -> VerificationReport:
    """Read one package with the file-type and size rules applied before the read, then verify the bytes."""
    from courseforge.stages.verify import verify_package
    from courseforge.stages.verify.cmi5 import looks_like_xml, verify_course_structure

    name = display_path(path)
    try:
        data = read_package(path, name, limits.max_total_bytes)
    except Refused as refused:
        return unreadable(name, refused.code, refused.message, refused.hint)
    except FileNotFoundError:
        return unreadable(name, "zip.not-found", f"{name} does not exist", "check the path to the package zip")
    except OSError as error:
        return unreadable(name, "zip.unreadable", f"{name} cannot be read: {error.strerror or error}",
                          "pass the path of a .zip file you can read")
    if looks_like_xml(data):  # a bare course structure (cmi5 §14.2); a zip starts with "PK"
        return verify_course_structure(name, data, limits=limits)
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

    A bare cmi5.xml is judged as a cmi5 course structure on its own (its AU URLs must be absolute).
    Works anywhere (no project needed) and writes nothing.

    \b
    Example:
      courseforge check build/*/*/scorm12.zip
      courseforge check vendor-course.zip --strict --json
      courseforge check course/cmi5.xml
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
