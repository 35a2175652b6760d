"""The SCORM 1.2 verifier: an imsmanifest.xml in IMS CP 1.1.2, judged against the official schemas and
for what they miss (identifier references, the launchable SCO, files listed and present)."""

from __future__ import annotations

from lxml import etree

from courseforge.diagnostics import DiagnosticSink
from courseforge.model.package import PackageFormat
from courseforge.stages.verify import parse, schema, structure
from courseforge.stages.verify.contents import Launch, PackageContents
from courseforge.stages.verify.dialect import SCORM12


class Scorm12Verifier:
    format = PackageFormat.SCORM12
    manifest = parse.MANIFEST

    def claims(self, contents: PackageContents, root: etree._Element | None) -> bool:
        """An imsmanifest.xml whose root is IMS CP 1.1.2's ``<manifest>``."""
        return structure.claims(root, SCORM12)

    def check(self, contents: PackageContents, manifest: parse.Manifest, sink: DiagnosticSink) -> Launch:
        return structure.check_package(contents, manifest, sink, SCORM12, schema.SCORM12)
