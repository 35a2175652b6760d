"""The verify stage: judge any SCORM 1.2 zip (ours or a vendor's) from its bytes, writing nothing.

Order matters for safety: the end record is first checked against the central directory in the raw
bytes (counts, size, offset, bytes around the zip), then the directory is judged and a bomb refused
unread; only then are entries inflated (within a budget) and the manifest parsed with DTDs and
entities refused. Diagnostics are capped per code as they are collected (see CappedSink).
"""

from __future__ import annotations

import zipfile
from collections.abc import Mapping, Sequence

from courseforge.diagnostics import DiagnosticSink, Location
from courseforge.model.package import PackageFormat
from courseforge.model.report import CappedSink, VerificationReport
from courseforge.stages.verify import endrecord, files, parse, schema, structure, zipguard
from courseforge.stages.verify.zipguard import DEFAULT_LIMITS, Limits

__all__ = ["DEFAULT_LIMITS", "Limits", "verify_package"]


def verify_package(name: str, data: bytes, *, limits: Limits = DEFAULT_LIMITS) -> VerificationReport:
    """Every problem found in the package ``data``; ``name`` labels the locations (usually its path)."""
    sink = CappedSink(package=name)
    if not endrecord.check(name, data, limits.max_entries, sink):
        return VerificationReport.from_sink(sink)
    archive = zipguard.open_zip(name, data, sink)
    if archive is None:
        return VerificationReport.from_sink(sink)
    with archive:
        infos = zipguard.file_entries(archive)
        found, launch = inspect(name, archive, infos, limits, sink)
    size = sum(info.file_size for info in infos)
    return VerificationReport.from_sink(sink, found, len(infos), size, launch.href, launch.title)


def inspect(
    name: str, archive: zipfile.ZipFile, infos: Sequence[zipfile.ZipInfo], limits: Limits, sink: DiagnosticSink
) -> tuple[PackageFormat | None, structure.Launch]:
    """Zip safety first (a refused zip is never inflated), then entry integrity, then the manifest."""
    nothing = (None, structure.Launch(None, None))
    if zipguard.refuse_unsafe(name, infos, limits, sink):
        return nothing
    zipguard.check_names(name, infos, sink)
    zipguard.check_clashes(name, infos, sink)
    zipguard.check_integrity(name, archive, infos, limits, sink)
    manifest = read_manifest(name, archive, infos, limits, sink)
    if manifest is None or not parse.is_scorm12(manifest, sink):
        return nothing
    return PackageFormat.SCORM12, check_manifest(name, manifest, entry_names(infos), sink)


def entry_names(infos: Sequence[zipfile.ZipInfo]) -> dict[str, str]:
    """Names as an LMS on Windows would see them (a backslash is already an error) -> names as stored."""
    return {info.filename.replace("\\", "/"): info.filename for info in infos}


def read_manifest(
    name: str, archive: zipfile.ZipFile, infos: Sequence[zipfile.ZipInfo], limits: Limits, sink: DiagnosticSink
) -> parse.Manifest | None:
    """Find, size-check and parse imsmanifest.xml; None when there is nothing sound to check further."""
    if not parse.locate(name, [info.filename for info in infos], sink):
        return None
    info = archive.getinfo(parse.MANIFEST)
    if info.file_size > limits.max_manifest_bytes:
        sink.error(
            "manifest.too-large",
            f"{parse.MANIFEST} is {zipguard.human_size(info.file_size)}, more than the "
            f"{zipguard.human_size(limits.max_manifest_bytes)} a manifest may be",
            Location(parse.manifest_path(name)),
            hint="move inline metadata into files linked with adlcp:location",
        )
        return None
    data = zipguard.read_bounded(archive, info, limits.max_manifest_bytes)
    return None if data is None else parse.parse(name, data, sink)


def check_manifest(
    name: str, manifest: parse.Manifest, entries: Mapping[str, str], sink: DiagnosticSink
) -> structure.Launch:
    index = structure.index_identifiers(manifest, sink)
    schema.validate(manifest, index.duplicates, sink)
    structure.check_identifierrefs(manifest, index, sink)
    structure.check_metadata(manifest, sink)
    launch = structure.launch(manifest, index, sink)
    files.check_bases(manifest, sink)
    named = files.check_hrefs(manifest, entries, sink)
    named |= files.check_schema_files(manifest, entries, sink)
    files.check_unlisted(name, entries, named, sink)
    return launch
