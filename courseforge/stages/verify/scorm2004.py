"""The SCORM 2004 verifier: an imsmanifest.xml in IMS CP 1.1.4, judged against the official 4th edition schemas
and for what they miss: identifier references (a default organization that does not exist, dangling
identifierrefs), files listed and present, the launchable SCO, and the sequencing references
(``sequencing.py``). It runs the same reference checks as SCORM 1.2, in SCORM 2004's words (``dialect.py``).

2nd and 3rd edition manifests share the namespaces and are judged as 4th edition (a 3rd edition
``schemaversion`` is a warning, as in ADL's own checker).
"""

from __future__ import annotations

from lxml import etree

from courseforge.diagnostics import DiagnosticSink
from courseforge.model.package import PackageFormat
from courseforge.stages.verify import parse, schema, sequencing
from courseforge.stages.verify.dialect import SCORM2004
from courseforge.stages.verify.structure import CpVerifier

SCORM12_NAMESPACES = {parse.IMSCP: "", parse.ADLCP: "adlcp:"}
"""SCORM 1.2's IMS CP and ADL CP namespaces: lax wildcards let them through the 2004 schemas unnoticed."""
LOM_FOLDERS = ("common", "extend", "unique", "vocab")
"""Where the ADL set keeps the IEEE LOM schema's parts (beside lom.xsd at the root)."""


def check_version_mix(manifest: parse.Manifest, sink: DiagnosticSink) -> None:
    """SCORM 1.2 names in a 2004 manifest (adlcp:masteryscore, adlcp:scormtype of adlcp_rootv1p2): the schemas
    accept them as foreign content, and a 2004 LMS ignores them, so the course loses what they say."""
    seen: set[str] = set()
    for element in manifest.root.iter():
        if not isinstance(element.tag, str):
            continue
        names = [element.tag, *element.attrib]
        for name in names:
            qname = etree.QName(name)
            if qname.namespace not in SCORM12_NAMESPACES or name in seen:
                continue
            seen.add(name)
            written = f"{SCORM12_NAMESPACES[qname.namespace]}{qname.localname}"
            what = f"<{written}>" if name == element.tag else f"attribute {written}"
            sink.error(
                "manifest.version-mix",
                f"{what} in {parse.MANIFEST} is SCORM 1.2 vocabulary (namespace '{qname.namespace}') in a SCORM "
                "2004 manifest; a SCORM 2004 LMS ignores it",
                manifest.at(element),
                hint="use the SCORM 2004 names (adlcp_v1p3: adlcp:scormType; a passing score is the primary "
                     "objective's imsss:minNormalizedMeasure), or package the course as SCORM 1.2 throughout",
            )


class Scorm2004Verifier(CpVerifier):
    """An imsmanifest.xml whose root is IMS CP 1.1.4's ``<manifest>`` (SCORM 1.2's namespace is another)."""

    format = PackageFormat.SCORM2004
    dialect = SCORM2004
    schemas = schema.SCORM2004
    own_checks = (check_version_mix, sequencing.check)

    def control(self, entry: str) -> bool:
        """Schema files a 2004 package carries unlisted: at the root, or in the LOM schema's folders."""
        folder, _, name = entry.partition("/")
        return not name or (folder in LOM_FOLDERS and "/" not in name)
