"""The SCORM 1.2 verifier: an imsmanifest.xml in IMS CP 1.1.2, judged against the official schemas and
for what they miss (identifier references, the launchable SCO, files listed and present)."""

from __future__ import annotations

from lxml import etree

from courseforge.diagnostics import DiagnosticSink
from courseforge.model.package import PackageFormat
from courseforge.stages.verify import files, parse, schema, structure
from courseforge.stages.verify.contents import Launch, PackageContents
from courseforge.stages.verify.dialect import SCORM12


class Scorm12Verifier:
    format = PackageFormat.SCORM12
    manifest = parse.MANIFEST

    def claims(self, contents: PackageContents, root: etree._Element | None) -> bool:
        """An imsmanifest.xml whose root is IMS CP 1.1.2's ``<manifest>``."""
        if root is None:
            return False
        tag = etree.QName(root)
        return tag.namespace == parse.IMSCP and tag.localname == "manifest"

    def check(self, contents: PackageContents, manifest: parse.Manifest, sink: DiagnosticSink) -> Launch:
        index = structure.index_identifiers(manifest, sink, SCORM12)
        schema.validate(manifest, index.duplicates, sink, schema.SCORM12)
        structure.check_identifierrefs(manifest, index, sink, SCORM12)
        structure.check_metadata(manifest, sink, SCORM12)
        launch = structure.launch(manifest, index, sink, SCORM12)
        files.check_bases(manifest, sink)
        entries = contents.entries
        named = files.check_hrefs(manifest, entries, sink, SCORM12)
        named |= files.check_schema_files(manifest, entries, sink, SCORM12)
        files.check_unlisted(contents.name, entries, named, sink)
        return launch
