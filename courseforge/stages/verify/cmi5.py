"""The cmi5 verifier: a course structure (cmi5.xml) inside a zip, or on its own, judged as an LMS must on
import (cmi5 spec §13, §14): CourseStructure.xsd, then the rules the schema misses (absolute IRIs for every
id, no duplicate ids, objective references that resolve, a URL that parses, no AU query parameter named like
a launch parameter, a relative AU URL only inside a zip), then every relative AU URL names a file in the zip.

The schema and semantic checks are the cmi5 LMS's own (``courseforge.lms.cmi5.structure``): what ``check``
accepts is what the preview LMS imports. Vendor AU URLs keep their query strings and fragments; only the
path is looked up in the zip.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from lxml import etree

from courseforge.diagnostics import DiagnosticSink, Location
from courseforge.lms.cmi5.structure import AssignableUnit, CourseStructure, LangText, check_course_structure
from courseforge.model.package import PackageFormat
from courseforge.model.report import CappedSink, VerificationReport
from courseforge.stages.verify import parse
from courseforge.stages.verify.contents import NO_LAUNCH, Launch, PackageContents
from courseforge.stages.verify.hrefs import Kind, resolve
from courseforge.stages.verify.zipguard import DEFAULT_LIMITS, Limits, human_size
from courseforge.standards.cmi5 import COURSE_STRUCTURE_NS, PROFILE

ROOT = "courseStructure"
MANIFEST = PROFILE.manifest


class Cmi5Verifier:
    format = PackageFormat.CMI5
    manifest = MANIFEST

    def claims(self, contents: PackageContents, root: etree._Element | None) -> bool:
        """Any readable cmi5.xml at the zip root: one in another namespace (an early draft's) is still meant
        as a cmi5 course structure, and the schema says what is wrong with it."""
        return root is not None

    def check(self, contents: PackageContents, manifest: parse.Manifest, sink: DiagnosticSink) -> Launch:
        structure = judge_structure(manifest, sink, in_package=True)
        if structure is None:
            return NO_LAUNCH
        entries = contents.entries
        folded = {entry.lower(): entry for entry in entries}
        for au in structure.assignable_units():
            check_au_file(manifest, au, entries, folded, sink)
        return launch_of(structure)


def judge_structure(manifest: parse.Manifest, sink: DiagnosticSink, *, in_package: bool) -> CourseStructure | None:
    """Schema and semantic checks, reported into ``sink``; the structure unless the schema refused it."""
    try:
        structure, problems = check_course_structure(manifest.root, source=manifest.path, in_package=in_package)
    except etree.Error as error:  # libxml2 gives up on some trees instead of reporting them
        sink.error("cmi5.xsd", f"cmi5.xml could not be checked against CourseStructure.xsd: {error}",
                   manifest.at(manifest.root), hint="compare the file with the cmi5 CourseStructure.xsd")
        return None
    sink.extend(problems)
    return structure


def au_line(manifest: parse.Manifest, au: AssignableUnit) -> int:
    """The line of the AU's <url> (the structure objects carry no lines; ids are unique once checked)."""
    for element in manifest.root.iter(f"{{{COURSE_STRUCTURE_NS}}}au"):
        if (element.get("id") or "").strip() == au.id:
            url = element.find(f"{{{COURSE_STRUCTURE_NS}}}url")
            return parse.line_of(url if url is not None else element)
    return 0


def check_au_file(manifest: parse.Manifest, au: AssignableUnit, entries: Mapping[str, str],
                  folded: Mapping[str, str], sink: DiagnosticSink) -> None:
    """A relative AU URL must name a file in the zip (§14.1); an absolute one is served from elsewhere."""
    if urlsplit(au.url).scheme or not au.url:
        return  # absolute (the schema and URL checks judged it), or empty (the schema refused it)
    target = resolve(au.url)
    at = manifest.at(line=au_line(manifest, au))
    if target.kind is Kind.INSIDE:
        if target.path in entries:
            return
        near = folded.get(target.path.lower())
        hint = (f"the package has '{near}'; LMS servers treat file names as case-sensitive" if near else
                "add the file to the zip or correct the URL; it is relative to the folder of cmi5.xml")
        sink.error("cmi5.url-file-missing", f"AU url {au.url!r} names '{target.path}', which is not in the package "
                   "(§14.1)", at, hint=hint)
        return
    sink.error("cmi5.url-outside", f"AU url {au.url!r} is not a file inside the package ({target.kind.value} "
               "reference); a relative AU url is resolved against the folder of cmi5.xml (§14.1)", at,
               hint="write the launch file's path relative to cmi5.xml, or the AU's absolute URL with its scheme")


def text_of(langtext: LangText) -> str | None:
    return next((text for _, text in langtext if text), None)


def launch_of(structure: CourseStructure) -> Launch:
    first = next(structure.assignable_units(), None)
    return Launch(text_of(structure.title), None if first is None else first.url)


def looks_like_xml(data: bytes) -> bool:
    """A bare course structure rather than a zip: XML text (a UTF-8 BOM and leading blanks allowed)."""
    head = data[:64].removeprefix(b"\xef\xbb\xbf").lstrip()
    return head.startswith(b"<")


def verify_course_structure(name: str, data: bytes, *, limits: Limits = DEFAULT_LIMITS) -> VerificationReport:
    """A cmi5.xml on its own (§14.2: an LMS accepts a course structure without a zip): its AU URLs must then
    be absolute. Parsed with the same hardened parser as a manifest in a zip; writes nothing."""
    sink = CappedSink(package=name)
    if len(data) > limits.max_manifest_bytes:
        sink.error("manifest.too-large", f"{name} is {human_size(len(data))}, more than the "
                   f"{human_size(limits.max_manifest_bytes)} a course structure may be", Location(name),
                   hint="a cmi5.xml holds ids, titles and URLs only; move anything else out of it")
        return VerificationReport.from_sink(sink)
    manifest = parse.parse_document(name, data, sink)
    if manifest is None:
        return VerificationReport.from_sink(sink)
    tag = etree.QName(manifest.root)
    if tag.localname != ROOT:
        sink.error("manifest.unknown-format", f"{name}'s root is <{tag.localname}>: a bare XML file is a package "
                   "only as a cmi5 course structure (<courseStructure>)", manifest.at(manifest.root),
                   hint="zip the package with its manifest at the root (imsmanifest.xml, tincan.xml or cmi5.xml) "
                        "and check the zip")
        return VerificationReport.from_sink(sink)
    structure = judge_structure(manifest, sink, in_package=False)
    if structure is None:
        return VerificationReport.from_sink(sink, PackageFormat.CMI5, 1, len(data))
    launch = launch_of(structure)
    return VerificationReport.from_sink(sink, PackageFormat.CMI5, 1, len(data), launch.href, launch.title)
