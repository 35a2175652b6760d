"""SCORM 2004 4th edition packager: one SCO whose launch page is the rendered site's entry.

The manifest says what the SCO itself reports, so that a 4th edition LMS's sequencer agrees with it:

- ``deliveryControls completionSetByContent="true" objectiveSetByContent="true"``: the SCO sets
  completion_status and success_status itself. With the defaults (false) the sequencer marks an attempt
  completed and satisfied when it ends without them, which would pass a learner who left unfinished.
- A scored course's primary objective is ``satisfiedByMeasure="true"`` with ``minNormalizedMeasure`` = the
  mastery score / 100: the LMS judges cmi.score.scaled against it and hands it to the SCO as
  cmi.scaled_passing_score. The SCO sends a score only once the result is final (runtime/scorm2004.js), so an
  unfinished attempt is never judged "failed" on a partial score.
- A course whose completion needs work (pages, checklists or surveys) has ``adlcp:completionThreshold
  completedByMeasure="true" minProgressMeasure="1.0"``: the LMS derives completion from
  cmi.progress_measure, which the SCO reports as the share of required work done (1 exactly when complete).
- The organization allows choice and flow (``controlMode``), so the LMS's own navigation and the SCO's
  ``adl.nav.request`` ("continue", "exitAll", "suspendAll") both work; rollup uses the defaults, which carry
  the one SCO's status to the course.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal

from lxml import etree

from courseforge.model.course import CompletionRules
from courseforge.model.package import Package
from courseforge.model.site import RenderedSite, SiteMetadata
from courseforge.schemas import SCORM2004, schema_bytes, scorm2004_official
from courseforge.stages.package import PackageInput
from courseforge.stages.package.contentpackage import Identifiers, href, list_files, serialize, sub
from courseforge.stages.package.zipwriter import write_zip
from courseforge.standards.scorm2004 import (
    ADLCP,
    ADLNAV,
    ADLSEQ,
    IMSCP,
    IMSSS,
    LOM,
    PROFILE,
    SCHEMA,
    SCHEMA_FILES,
    SCHEMA_VERSION,
)

XSI = "http://www.w3.org/2001/XMLSchema-instance"
MANIFEST_NAME = "imsmanifest.xml"
METADATA_NAME = "metadata.xml"
"""The course's IEEE LOM record in its locale, linked by adlcp:location (what LMS catalogues show)."""
MANIFEST_SCHEMAS = (IMSCP, ADLCP, ADLSEQ, ADLNAV, IMSSS)
MEASURE_PLACES = Decimal("0.0001")
"""minNormalizedMeasure keeps at least four decimals (IMS SS); the mastery score is rounded up to them."""


def schema_location(namespaces: tuple[str, ...]) -> str:
    return " ".join(f"{namespace} {SCHEMA_FILES[namespace]}" for namespace in namespaces)


def normalized_measure(percent: float) -> str:
    """A mastery percent as minNormalizedMeasure: never below the author's score, no exponent."""
    value = (Decimal(repr(percent)) / 100).quantize(MEASURE_PLACES, rounding=ROUND_CEILING)
    return format(value.normalize(), "f")


def uses_progress(rules: CompletionRules) -> bool:
    """Completion that needs work the SCO measures (pages visited, checklists, surveys)."""
    return rules.pages == "all" or bool(rules.checklists) or bool(rules.surveys)


def item_sequencing(item: etree._Element, mastery_score: float | None) -> None:
    """The SCO's activity: it reports status itself; a scored course passes by measure."""
    sequencing = sub(item, IMSSS, "sequencing")
    if mastery_score is not None:
        objectives = sub(sequencing, IMSSS, "objectives")
        primary = sub(objectives, IMSSS, "primaryObjective", satisfiedByMeasure="true")
        sub(primary, IMSSS, "minNormalizedMeasure", normalized_measure(mastery_score))
    sub(sequencing, IMSSS, "deliveryControls", completionSetByContent="true", objectiveSetByContent="true")


def build_manifest(site: RenderedSite, locale: str, completion: CompletionRules) -> bytes:
    """imsmanifest.xml listing every file of the site in one SCO resource, with its sequencing."""
    meta = site.metadata
    ids = Identifiers.of(meta, locale)
    namespaces = {None: IMSCP, "adlcp": ADLCP, "adlseq": ADLSEQ, "adlnav": ADLNAV, "imsss": IMSSS, "xsi": XSI}
    # lxml-stubs types nsmap keys as str, but None (the default namespace) is what lxml documents.
    root = etree.Element(f"{{{IMSCP}}}manifest", nsmap=namespaces,  # type: ignore[arg-type]
                         identifier=ids.manifest, version=meta.version)
    root.set(f"{{{XSI}}}schemaLocation", schema_location(MANIFEST_SCHEMAS))
    metadata = sub(root, IMSCP, "metadata")
    sub(metadata, IMSCP, "schema", SCHEMA)
    sub(metadata, IMSCP, "schemaversion", SCHEMA_VERSION)
    sub(metadata, ADLCP, "location", METADATA_NAME)
    organizations = sub(root, IMSCP, "organizations", default=ids.organization)
    organization = sub(organizations, IMSCP, "organization", identifier=ids.organization)
    sub(organization, IMSCP, "title", meta.title)
    item = sub(organization, IMSCP, "item", identifier=ids.item, identifierref=ids.resource, isvisible="true")
    sub(item, IMSCP, "title", meta.title)
    if uses_progress(completion):
        sub(item, ADLCP, "completionThreshold", completedByMeasure="true", minProgressMeasure="1.0")
    item_sequencing(item, meta.mastery_score)
    sub(sub(organization, IMSSS, "sequencing"), IMSSS, "controlMode", choice="true", flow="true")
    resources = sub(root, IMSCP, "resources")
    resource = sub(resources, IMSCP, "resource", identifier=ids.resource, type="webcontent", href=href(site.entry))
    resource.set(f"{{{ADLCP}}}scormType", "sco")
    list_files(resource, IMSCP, site.files)
    return serialize(root)


def langstring(parent: etree._Element, text: str, language: str) -> None:
    sub(parent, LOM, "string", text, language=language)


def build_metadata(meta: SiteMetadata) -> bytes:
    """The course's LOM (IEEE 1484.12.3 XML) record in its locale: title, language, description, version and
    typical learning time, as LMS catalogues show and filter them."""
    root = etree.Element(f"{{{LOM}}}lom", nsmap={None: LOM, "xsi": XSI})  # type: ignore[dict-item]
    root.set(f"{{{XSI}}}schemaLocation", f"{LOM} {SCHEMA_FILES[LOM]}")
    general = sub(root, LOM, "general")
    langstring(sub(general, LOM, "title"), meta.title, meta.language)
    sub(general, LOM, "language", meta.language)
    langstring(sub(general, LOM, "description"), meta.description, meta.language)
    langstring(sub(sub(root, LOM, "lifeCycle"), LOM, "version"), meta.version, "x-none")
    learning_time = sub(sub(root, LOM, "educational"), LOM, "typicalLearningTime")
    sub(learning_time, LOM, "duration", f"PT{meta.duration_minutes}M")
    return serialize(root)


class Scorm2004Packager:
    profile = PROFILE

    def package(self, unit: PackageInput) -> Package:
        site, locale = unit.site, unit.locale
        manifest = build_manifest(site, locale, unit.course.manifest.completion)
        files = dict(site.files)
        files[MANIFEST_NAME] = manifest
        files[METADATA_NAME] = build_metadata(site.metadata)
        for name in scorm2004_official():
            files[name] = schema_bytes(SCORM2004, name)
        data = write_zip(files, unit.source_date_epoch)
        return Package(PROFILE.format, site.metadata.course_id, locale, manifest, data)
