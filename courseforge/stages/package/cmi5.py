"""cmi5 packager: cmi5.xml (one AU, the player page) at the zip root beside the rendered site.

The course IRI is the project's base IRI plus the course id, the AU's is that plus ``/au``: ids are the
same in every locale (tracking ids are never translated), titles and descriptions are the package's
locale. ``moveOn`` says what the course rules call done (see :func:`move_on`); ``masteryScore`` is the
course's passing percent as a scaled decimal. ``launchMethod`` is AnyWindow: the player runs in a frame
or a window of its own alike (relative URLs only, no frame busting, and its Exit sends the frame or
window it is in to the LMS's returnURL), so the LMS may choose.
"""

from __future__ import annotations

from urllib.parse import quote

from lxml import etree

from courseforge.model.course import Course
from courseforge.model.package import Package
from courseforge.model.site import SiteMetadata
from courseforge.stages.package import PackageInput
from courseforge.stages.package.zipwriter import write_zip
from courseforge.standards.cmi5 import (
    AU_ID_SUFFIX,
    COURSE_STRUCTURE_NS,
    PROFILE,
    LaunchMethod,
    MoveOn,
    mastery_score,
)


def course_iri(unit: PackageInput) -> str:
    return f"{unit.base_iri}{unit.course.id}"


def au_iri(unit: PackageInput) -> str:
    return f"{course_iri(unit)}{AU_ID_SUFFIX}"


def completion_required(course: Course) -> bool:
    """Whether the completion rules ask for anything (the runtime's isComplete is otherwise always true)."""
    rules = course.manifest.completion
    return rules.pages == "all" or bool(rules.checklists) or bool(rules.surveys)


def move_on(course: Course) -> MoveOn:
    """What the LMS must receive to count the AU satisfied, from the course rules.

    A scored course is done when the learner passed and did the required work (SCORM's "passed" means
    both), so CompletedAndPassed; Passed alone when the rules require no work; an unscored course is done
    once completed. The runtime sends completed when the completion rules are met and passed/failed when
    the mastery verdict is final, which is exactly what each value waits for.
    """
    if course.manifest.mastery is None:
        return MoveOn.COMPLETED
    return MoveOn.COMPLETED_AND_PASSED if completion_required(course) else MoveOn.PASSED


def _element(parent: etree._Element, name: str, text: str | None = None, **attributes: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{COURSE_STRUCTURE_NS}}}{name}", attributes)
    if text is not None:
        element.text = text
    return element


def _langstrings(parent: etree._Element, meta: SiteMetadata) -> None:
    _element(_element(parent, "title"), "langstring", meta.title, lang=meta.language)
    _element(_element(parent, "description"), "langstring", meta.description, lang=meta.language)


def build_course_structure(unit: PackageInput) -> bytes:
    """cmi5.xml for one locale's package: the course and its one AU."""
    meta = unit.site.metadata
    root = etree.Element(f"{{{COURSE_STRUCTURE_NS}}}courseStructure",
                         nsmap={None: COURSE_STRUCTURE_NS})  # type: ignore[dict-item]
    course = _element(root, "course", id=course_iri(unit))
    _langstrings(course, meta)
    attributes = {"id": au_iri(unit), "moveOn": move_on(unit.course).value,
                  "launchMethod": LaunchMethod.ANY_WINDOW.value}
    if unit.course.manifest.mastery is not None:
        attributes["masteryScore"] = format(mastery_score(unit.course.manifest.mastery.score).normalize(), "f")
    au = _element(root, "au", **attributes)
    _langstrings(au, meta)
    _element(au, "url", quote(unit.site.entry, safe="/"))  # relative to cmi5.xml: allowed inside a zip (§14)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


class Cmi5Packager:
    profile = PROFILE

    def package(self, unit: PackageInput) -> Package:
        structure = build_course_structure(unit)
        files = dict(unit.site.files)
        files[PROFILE.manifest] = structure
        data = write_zip(files, unit.source_date_epoch)
        return Package(PROFILE.format, unit.course.id, unit.locale, structure, data)
