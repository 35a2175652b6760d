"""The SCORM 1.2 plug-in: what an LMS reads from imsmanifest.xml and seeds into cmi before a launch.

From each item of each organization (multi-SCO packages included): identifier, title, the resource's
launch href with xml:base resolved (manifest, resources, resource) and the item's ``parameters``
appended, and the adlcp elements an LMS turns into read-only data: adlcp:masteryscore ->
cmi.student_data.mastery_score, adlcp:datafromlms -> cmi.launch_data, adlcp:maxtimeallowed ->
cmi.student_data.max_time_allowed, adlcp:timelimitaction -> cmi.student_data.time_limit_action.

Attempts (SCORM 1.2 leaves the policy to the LMS; this is the common one): the first launch is
``entry = "ab-initio"``; a launch after an exit of "suspend" resumes the same attempt (``entry =
"resume"``, everything stored carried over except the session's exit and session_time); after any
other exit ("", "logout", "time-out") the next launch is a new attempt with a fresh record, or, with
``LaunchOptions(new_attempt_after_exit=False)``, the same record again with ``entry = ""``.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from lxml import etree

from courseforge.model.package import PackageFormat
from courseforge.stages.preview.harness.plugins import ApiShape, Attempt, LaunchOptions, Learner, Sco
from courseforge.stages.preview.harness.profiles import LmsProfile

MANIFEST = "imsmanifest.xml"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
SCORM12_API = ApiShape(
    standard="scorm12",
    constructor="Scorm12API",
    global_name="API",
    methods=("LMSInitialize", "LMSFinish", "LMSGetValue", "LMSSetValue", "LMSCommit", "LMSGetLastError",
             "LMSGetErrorString", "LMSGetDiagnostic"),
    initialize="LMSInitialize",
    finish="LMSFinish",
    commit="LMSCommit",
    get_value="LMSGetValue",
    last_error="LMSGetLastError",
)


class ManifestError(ValueError):
    """The package has no readable SCORM 1.2 manifest the LMS could launch from."""


def _local(element: etree._Element) -> str:
    tag = element.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in element if _local(child) == name]


def _child_text(element: etree._Element, name: str) -> str:
    found = _children(element, name)
    return (found[0].text or "").strip() if found else ""


def _parser() -> etree.XMLParser:
    # Vendor manifests are untrusted: no DTDs, entities or network.
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def with_parameters(href: str, parameters: str) -> str:
    """An item's ``parameters`` appended to its resource href (IMS CP: a leading ? or & is dropped)."""
    if not parameters:
        return href
    if parameters.startswith("#"):
        return href + parameters
    query = parameters.lstrip("?&")
    return href + ("&" if "?" in href else "?") + query if query else href


def read_scos(package_dir: Path) -> tuple[Sco, ...]:
    """Every item with an identifierref, of every organization, in document order."""
    path = package_dir / MANIFEST
    try:
        root = etree.parse(str(path), _parser()).getroot()
    except (OSError, etree.XMLSyntaxError) as error:
        raise ManifestError(f"cannot read {MANIFEST}: {error}") from None
    resources_elements = _children(root, "resources")
    if not resources_elements:
        raise ManifestError(f"{MANIFEST} has no <resources>")
    resources = resources_elements[0]
    base = urljoin(root.get(XML_BASE, ""), resources.get(XML_BASE, ""))
    by_id = {r.get("identifier", ""): r for r in _children(resources, "resource")}
    units: list[Sco] = []
    for organizations in _children(root, "organizations"):
        for organization in _children(organizations, "organization"):
            for item in organization.iter():
                if _local(item) != "item" or not item.get("identifierref"):
                    continue
                resource = by_id.get(item.get("identifierref", ""))
                if resource is None or not resource.get("href"):
                    continue
                units.append(_unit(item, resource, base, organization.get("identifier", "")))
    return tuple(units)


def _unit(item: etree._Element, resource: etree._Element, base: str, organization: str) -> Sco:
    href = urljoin(urljoin(base, resource.get(XML_BASE, "")), resource.get("href", ""))
    scorm_type = next((value for key, value in resource.attrib.items()
                       if etree.QName(key).localname.lower() == "scormtype"), "sco")
    return Sco(
        identifier=item.get("identifier", ""),
        title=_child_text(item, "title"),
        organization=organization,
        resource=resource.get("identifier", ""),
        href=with_parameters(href, item.get("parameters", "")),
        scorm_type=str(scorm_type).strip().lower(),
        mastery_score=_child_text(item, "masteryscore"),
        launch_data=_child_text(item, "datafromlms"),
        max_time_allowed=_child_text(item, "maxtimeallowed"),
        time_limit_action=_child_text(item, "timelimitaction"),
        prerequisites=_child_text(item, "prerequisites"),
    )


def lms_seeds(sco: Sco, learner: Learner, profile: LmsProfile, options: LaunchOptions) -> dict[str, Any]:
    """What the LMS itself supplies at every launch: learner, credit, mode and the manifest's data."""
    mastery = profile.mastery_score if profile.mastery_score is not None else sco.mastery_score
    student_data = {"mastery_score": mastery, "max_time_allowed": sco.max_time_allowed,
                    "time_limit_action": sco.time_limit_action}
    return {
        "core": {"student_id": learner.id, "student_name": learner.name, "credit": options.credit,
                 "lesson_mode": options.lesson_mode},
        "launch_data": sco.launch_data,
        "student_data": {key: value for key, value in student_data.items() if value},
    }


def _merge(target: dict[str, Any], seeds: Mapping[str, Any]) -> dict[str, Any]:
    for key, value in seeds.items():
        if isinstance(value, Mapping):
            _merge(target.setdefault(key, {}), value)
        else:
            target[key] = value
    return target


class Scorm12Plugin:
    format = PackageFormat.SCORM12
    api = SCORM12_API

    def read_units(self, package_dir: Path) -> tuple[Sco, ...]:
        return read_scos(package_dir)

    def first_attempt(self, sco: Sco, learner: Learner, profile: LmsProfile, options: LaunchOptions) -> Attempt:
        cmi = _merge({"core": {"entry": "ab-initio"}}, lms_seeds(sco, learner, profile, options))
        return Attempt(number=1, cmi=cmi, resumed=False)

    def next_attempt(self, previous: Attempt, stored: Mapping[str, Any], sco: Sco, learner: Learner,
                     profile: LmsProfile, options: LaunchOptions) -> Attempt:
        core = stored.get("core", {})
        suspended = isinstance(core, Mapping) and core.get("exit") == "suspend"
        if not suspended and options.new_attempt_after_exit:
            fresh = self.first_attempt(sco, learner, profile, options)
            return Attempt(number=previous.number + 1, cmi=fresh.cmi, resumed=False)
        cmi = copy.deepcopy(dict(stored))
        kept_core = cmi.setdefault("core", {})
        for session_only in ("exit", "session_time"):
            kept_core.pop(session_only, None)
        kept_core["entry"] = "resume" if suspended else ""
        return Attempt(number=previous.number, cmi=_merge(cmi, lms_seeds(sco, learner, profile, options)),
                       resumed=suspended)
