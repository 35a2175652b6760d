"""The web-site verifier: a zip with an ``index.html`` at its root and none of the LMS manifests.

A static site has no manifest listing its files, so what can break is what its pages load: every local
``src``/``href`` of every HTML page must name an entry of the zip, and none may be a ``file:`` URL or an
absolute path (``pages.check_references``). Registered last: a zip that also holds a manifest another
verifier knows is that standard's package, even when its manifest is broken.
"""

from __future__ import annotations

from collections.abc import Collection

from lxml import etree

from courseforge.diagnostics import DiagnosticSink
from courseforge.model.package import PackageFormat
from courseforge.stages.verify import pages, parse
from courseforge.stages.verify.contents import Launch, PackageContents

INDEX = "index.html"
CONTROL_SUFFIXES = (".xsd", ".dtd")
"""Schema files at a zip's root belong to an LMS package (SCORM ships them beside its manifest)."""


class WebVerifier:
    format = PackageFormat.WEB
    manifest = INDEX

    def __init__(self, other_manifests: Collection[str]) -> None:
        """``other_manifests``: the entries that make a zip another standard's package."""
        self.others = tuple(other_manifests)

    def claims(self, contents: PackageContents, root: etree._Element | None) -> bool:
        return root is not None and not any(contents.has(entry) for entry in self.others)

    def check(self, contents: PackageContents, manifest: parse.Manifest, sink: DiagnosticSink) -> Launch:
        entries = contents.entries
        for entry in sorted(entries):
            if not pages.is_page(entry):
                continue
            page = manifest if entry == INDEX and isinstance(manifest, pages.Page) else \
                pages.read_page(contents, entries[entry], sink)
            if page is not None:
                pages.check_references(page, entry, entries, sink)
        lost_manifest(contents, self.others, sink)
        title = (manifest.root.findtext(".//title") or "").strip()
        return Launch(title or None, INDEX)


def lost_manifest(contents: PackageContents, manifests: Collection[str], sink: DiagnosticSink) -> None:
    """Schema files at the root but no manifest: most likely an LMS package whose manifest was left out."""
    schemas = sorted(entry for entry in contents.entries if "/" not in entry and entry.endswith(CONTROL_SUFFIXES))
    if schemas:
        sink.warning("web.schemas-without-manifest", f"{contents.name} is judged as a web site, but it has "
                     f"{', '.join(schemas[:3])}{' ...' if len(schemas) > 3 else ''} at its root, which LMS packages "
                     "ship beside their manifest", contents.at(schemas[0]),
                     hint=f"for an LMS, add its {' or '.join(manifests)}; for a web site, leave the schema files out")
