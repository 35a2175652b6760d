"""The verify stage: judge any package (ours or a vendor's) from its bytes, writing nothing.

Order matters for safety: the end record is first checked against the central directory in the raw
bytes (counts, size, offset, bytes around the zip), then the directory is judged and a bomb refused
unread; only then are entries inflated (within a budget). Every format shares that guard; then the
first registered :class:`FormatVerifier` that claims the package judges its manifest (parsed with DTDs
and entities refused) and references. Diagnostics are capped per code as they are collected
(see CappedSink). Verifiers are registered explicitly in :func:`default_verifiers`.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Protocol

from lxml import etree

from courseforge.diagnostics import DiagnosticSink
from courseforge.model.package import PackageFormat
from courseforge.model.report import CappedSink, VerificationReport
from courseforge.stages.verify import endrecord, pages, parse, zipguard
from courseforge.stages.verify.contents import NO_LAUNCH, Launch, PackageContents
from courseforge.stages.verify.zipguard import DEFAULT_LIMITS, Limits

__all__ = ["DEFAULT_LIMITS", "FormatVerifier", "Limits", "PackageContents", "default_verifiers", "verify_package"]


class FormatVerifier(Protocol):
    format: PackageFormat
    manifest: str
    """The entry at the zip root that makes a package this format's (``imsmanifest.xml``, ``tincan.xml``)."""

    def claims(self, contents: PackageContents, root: etree._Element | None) -> bool:
        """Whether this verifier judges the package; ``root`` is the parsed ``manifest`` entry's root (None
        when the package has none). Cheap, and reports nothing."""
        ...

    def check(self, contents: PackageContents, manifest: parse.Manifest, sink: DiagnosticSink) -> Launch:
        """Every problem of a package this verifier claimed."""
        ...


class VerifierRegistry:
    """Tried in registration order; the first verifier that claims a package judges it."""

    def __init__(self) -> None:
        self._verifiers: list[FormatVerifier] = []

    def register(self, verifier: FormatVerifier) -> None:
        if any(v.format == verifier.format for v in self._verifiers):
            raise ValueError(f"a verifier for {verifier.format.value} is already registered")
        self._verifiers.append(verifier)

    def __iter__(self) -> Iterator[FormatVerifier]:
        return iter(self._verifiers)

    def manifests(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(v.manifest for v in self._verifiers))


@cache
def default_verifiers() -> VerifierRegistry:
    """Every format ``check`` judges, named explicitly (one line per standard)."""
    from courseforge.stages.verify.cmi5 import Cmi5Verifier
    from courseforge.stages.verify.scorm12 import Scorm12Verifier
    from courseforge.stages.verify.scorm2004 import Scorm2004Verifier
    from courseforge.stages.verify.tincan import TincanVerifier
    from courseforge.stages.verify.web import WebVerifier

    registry = VerifierRegistry()
    registry.register(Scorm12Verifier())
    registry.register(Scorm2004Verifier())
    registry.register(TincanVerifier())
    registry.register(Cmi5Verifier())
    registry.register(WebVerifier(registry.manifests()))  # last: any other standard's manifest wins
    return registry


def verify_package(name: str, data: bytes, *, limits: Limits = DEFAULT_LIMITS,
                   verifiers: VerifierRegistry | None = None) -> VerificationReport:
    """Every problem found in the package ``data``; ``name`` labels the locations (usually its path)."""
    sink = CappedSink(package=name)
    if not endrecord.check(name, data, limits.max_entries, sink):
        return VerificationReport.from_sink(sink)
    archive = zipguard.open_zip(name, data, sink)
    if archive is None:
        return VerificationReport.from_sink(sink)
    with archive:
        infos = zipguard.file_entries(archive)
        contents = PackageContents(name, archive, infos, limits, data)
        found, launch = inspect(contents, verifiers or default_verifiers(), sink)
    size = sum(info.file_size for info in infos)
    return VerificationReport.from_sink(sink, found, len(infos), size, launch.href, launch.title)


def inspect(contents: PackageContents, verifiers: VerifierRegistry,
            sink: DiagnosticSink) -> tuple[PackageFormat | None, Launch]:
    """Zip safety first (a refused zip is never inflated), then entry integrity, then the manifest."""
    name, infos = contents.name, contents.infos
    if zipguard.refuse_unsafe(name, infos, contents.limits, sink):
        return None, NO_LAUNCH
    zipguard.check_names(name, infos, sink)
    zipguard.check_clashes(name, infos, sink)
    zipguard.check_integrity(name, contents.archive, infos, contents.limits, sink, contents.data)
    parsed: dict[str, parse.Manifest | None] = {}
    for verifier in verifiers:
        manifest = manifest_of(contents, verifier.manifest, parsed, sink)
        if verifier.claims(contents, None if manifest is None else manifest.root):
            if manifest is None:
                return None, NO_LAUNCH
            return verifier.format, verifier.check(contents, manifest, sink)
    unclaimed(contents, verifiers, parsed, sink)
    return None, NO_LAUNCH


def manifest_of(contents: PackageContents, entry: str, parsed: dict[str, parse.Manifest | None],
                sink: DiagnosticSink) -> parse.Manifest | None:
    """``entry`` parsed without trusting it, once per package; None when absent or unreadable (reported)."""
    if entry not in parsed:
        parsed[entry] = read_document(contents, entry, sink) if contents.has(entry) else None
    return parsed[entry]


def read_document(contents: PackageContents, entry: str, sink: DiagnosticSink) -> parse.Manifest | None:
    """A manifest as XML, within the manifest limit; a site's page (the web format's index.html) as HTML, which
    browsers never refuse, within the page limit (``pages.read_page``)."""
    if pages.is_page(entry):
        return pages.read_page(contents, entry, sink)
    data = contents.read_manifest(entry, sink)
    return None if data is None else parse.parse(contents.name, data, sink, entry)


def unclaimed(contents: PackageContents, verifiers: VerifierRegistry, parsed: dict[str, parse.Manifest | None],
              sink: DiagnosticSink) -> None:
    """No verifier took the package: say which manifest is missing, or what the one found is."""
    present = [manifest for entry, manifest in parsed.items() if manifest is not None and not pages.is_page(entry)]
    if present:
        parse.unknown_manifest(present[0], sink)
        return
    if any(contents.has(entry) for entry in parsed):
        return  # found but unreadable or malformed: already reported
    parse.locate(contents.name, [info.filename for info in contents.infos], sink, verifiers.manifests())
