"""SCORM 1.2 packager: one SCO whose launch page is the rendered site's entry."""

from __future__ import annotations

from lxml import etree

from courseforge.model.package import Package
from courseforge.model.site import RenderedSite, SiteMetadata
from courseforge.schemas import SCORM12_OFFICIAL, schema_bytes
from courseforge.stages.package import PackageInput
from courseforge.stages.package.contentpackage import Identifiers, href, list_files, serialize, sub
from courseforge.stages.package.zipwriter import write_zip
from courseforge.standards.scorm12 import PROFILE

IMSCP = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
ADLCP = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
IMSMD = "http://www.imsglobal.org/xsd/imsmd_rootv1p2p1"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = (f"{IMSCP} imscp_rootv1p1p2.xsd {IMSMD} imsmd_rootv1p2p1.xsd "
                   f"{ADLCP} adlcp_rootv1p2.xsd")
MANIFEST_NAME = "imsmanifest.xml"
METADATA_NAME = "metadata.xml"
"""IMS MD 1.2.1 record (title, language, description, version) linked by adlcp:location: inline IMS MD
cannot be validated with the published schema, and LMS catalogues read the language from here."""


def format_score(score: float) -> str:
    return f"{score:g}"


def build_manifest(site: RenderedSite, locale: str) -> bytes:
    """imsmanifest.xml listing every file of the site in one SCO resource."""
    meta = site.metadata
    ids = Identifiers.of(meta, locale)
    namespaces = {None: IMSCP, "adlcp": ADLCP, "xsi": XSI}
    # lxml-stubs types nsmap keys as str, but None (the default namespace) is what lxml documents.
    root = etree.Element(f"{{{IMSCP}}}manifest", nsmap=namespaces,  # type: ignore[arg-type]
                         identifier=ids.manifest, version=meta.version)
    root.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)
    metadata = sub(root, IMSCP, "metadata")
    sub(metadata, IMSCP, "schema", "ADL SCORM")
    sub(metadata, IMSCP, "schemaversion", "1.2")
    sub(metadata, ADLCP, "location", METADATA_NAME)
    organizations = sub(root, IMSCP, "organizations", default=ids.organization)
    organization = sub(organizations, IMSCP, "organization", identifier=ids.organization)
    sub(organization, IMSCP, "title", meta.title)
    item = sub(organization, IMSCP, "item", identifier=ids.item, identifierref=ids.resource, isvisible="true")
    sub(item, IMSCP, "title", meta.title)
    if meta.mastery_score is not None:
        sub(item, ADLCP, "masteryscore", format_score(meta.mastery_score))
    resources = sub(root, IMSCP, "resources")
    resource = sub(resources, IMSCP, "resource", identifier=ids.resource, type="webcontent",
                   href=href(site.entry))
    resource.set(f"{{{ADLCP}}}scormtype", "sco")
    list_files(resource, IMSCP, site.files)
    return serialize(root)


def langstring(parent: etree._Element, text: str, language: str) -> None:
    sub(parent, IMSMD, "langstring", text).set("{http://www.w3.org/XML/1998/namespace}lang", language)


def build_metadata(meta: SiteMetadata) -> bytes:
    """The course's LOM record in its locale: what an LMS catalogue shows and filters by language."""
    root = etree.Element(f"{{{IMSMD}}}lom", nsmap={None: IMSMD})  # type: ignore[dict-item]
    general = sub(root, IMSMD, "general")
    langstring(sub(general, IMSMD, "title"), meta.title, meta.language)
    sub(general, IMSMD, "language", meta.language)
    langstring(sub(general, IMSMD, "description"), meta.description, meta.language)
    langstring(sub(sub(root, IMSMD, "lifecycle"), IMSMD, "version"), meta.version, "x-none")
    return serialize(root)


class Scorm12Packager:
    profile = PROFILE

    def package(self, unit: PackageInput) -> Package:
        site, locale = unit.site, unit.locale
        manifest = build_manifest(site, locale)
        files = dict(site.files)
        files[MANIFEST_NAME] = manifest
        files[METADATA_NAME] = build_metadata(site.metadata)
        for name in SCORM12_OFFICIAL:
            files[name] = schema_bytes("scorm12", name)
        data = write_zip(files, unit.source_date_epoch)
        return Package(PROFILE.format, site.metadata.course_id, locale, manifest, data)
