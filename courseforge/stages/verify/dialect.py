"""The two IMS Content Packaging dialects courseforge judges: what SCORM 1.2 and SCORM 2004 call things.

Both manifests are ``imsmanifest.xml`` with organizations, items, resources and files; they differ in
namespaces, in the spelling of ``adlcp:scormtype``/``adlcp:scormType`` and in the control files a package
ships. The shared reference checks (``files.py``, ``structure.py``, ``schema.py``) take a dialect instead of
assuming SCORM 1.2, so each standard's verifier runs the same code with its own words.
"""

from __future__ import annotations

from dataclasses import dataclass

from courseforge.stages.verify import parse
from courseforge.standards import scorm2004


@dataclass(frozen=True)
class CpDialect:
    standard: str
    """How messages name the standard: ``SCORM 1.2``."""
    cp: str
    """The IMS CP namespace of manifest, organizations, item, resource, file."""
    adlcp: str
    scormtype: str
    """The local name of the ADL attribute that marks a resource as sco or asset."""
    schema_versions: tuple[str, ...]
    """``<schemaversion>`` values that are this standard's own, the current one first."""
    older_versions: tuple[str, ...] = ()
    """Earlier editions' values: judged against this edition's schemas, with a warning."""
    official: str = ""
    """The control files a package ships at its root, as a hint names them."""
    imported: tuple[tuple[str, str], ...] = ()
    """(schema, the file it imports by a relative path): named by xsi:schemaLocation, both must ship."""
    misspelling_hint: str = ""
    """What to say when a resource carries the other SCORM version's spelling of ``scormtype``."""

    def tag(self, name: str) -> str:
        return f"{{{self.cp}}}{name}"

    @property
    def scormtype_attribute(self) -> str:
        return f"{{{self.adlcp}}}{self.scormtype}"

    @property
    def scormtype_written(self) -> str:
        return f"adlcp:{self.scormtype}"

    @property
    def location(self) -> str:
        return f"{{{self.adlcp}}}location"


SCORM12 = CpDialect(
    standard="SCORM 1.2",
    cp=parse.IMSCP,
    adlcp=parse.ADLCP,
    scormtype="scormtype",
    schema_versions=("1.2",),
    official="imscp_rootv1p1p2.xsd, adlcp_rootv1p2.xsd, imsmd_rootv1p2p1.xsd and ims_xml.xsd",
    imported=(("imscp_rootv1p1p2.xsd", "ims_xml.xsd"),),
    misspelling_hint="SCORM 1.2 spells the attribute adlcp:scormtype, all lower case (scormType is SCORM 2004)",
)

SCORM2004 = CpDialect(
    standard="SCORM 2004 4th edition",
    cp=scorm2004.IMSCP,
    adlcp=scorm2004.ADLCP,
    scormtype="scormType",
    schema_versions=(scorm2004.SCHEMA_VERSION,),
    older_versions=scorm2004.OLDER_SCHEMA_VERSIONS,
    official="the ADL 4th edition schema set (imscp_v1p1.xsd, adlcp_v1p3.xsd, adlseq_v1p3.xsd, adlnav_v1p3.xsd, "
             "imsss_v1p0*.xsd, xml.xsd and, for metadata, lom.xsd with its folders)",
    imported=scorm2004.SCHEMA_IMPORTS,
    misspelling_hint="SCORM 2004 spells the attribute adlcp:scormType, with a capital T (scormtype is SCORM 1.2)",
)
