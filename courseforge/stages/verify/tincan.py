"""The Tin Can verifier: a tincan.xml at the zip root (RusticiSoftware/launch lms_lrs.md, "Packaging").

There is no public tincan.xsd (shared/schemas/tincan/README.md), so the rules are written here from the
packaging text and from real packages (Rustici's prototypes, Articulate Storyline and Adapt exports):
the root is ``<tincan>`` in its namespace with an ``<activities>`` list; every activity has a unique
absolute IRI; exactly one activity carries ``launch`` (or ``resource``: "only one activity definition
within a package may contain launch or resource elements"); a relative launch names a file in the zip;
the package holds exactly one tincan.xml; every local reference of its HTML pages names an entry (the
neutral ``pages.py``, as for a web site). What vendors vary is accepted: a UTF-8 BOM, extra namespaces,
CDATA, empty descriptions, ``lang="und"``, interaction details, extra activities, an absolute launch URL
(allowed by the packaging text; warned, since the zip's own files are then not what is launched).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

from courseforge.diagnostics import DiagnosticSink
from courseforge.lms.lrs.validation_base import InvalidStatement
from courseforge.lms.lrs.validation_formats import check_iri
from courseforge.model.package import PackageFormat
from courseforge.stages.verify import pages, parse
from courseforge.stages.verify.contents import NO_LAUNCH, Launch, PackageContents
from courseforge.stages.verify.hrefs import Kind, resolve
from courseforge.standards.xapi import MANIFEST, TINCAN_NS

LAUNCH_TAGS = ("launch", "resource")
FOLDER = f"the folder of {MANIFEST}"
REFERENCE_RULES = {
    Kind.SCRIPT: ("path.script-url", "is a script URL, which runs code in the LMS page instead of opening a page",
                  f"name the HTML page to open, relative to {FOLDER}"),
    Kind.ABSOLUTE: ("path.absolute", "is an absolute file path, which exists only on the author's machine",
                    f"write the path relative to {FOLDER}"),
    Kind.PARENT: ("path.parent", "climbs above the package root with '..'",
                  f"copy the file into the package and link it relative to {FOLDER}"),
}


def iri_problem(value: str) -> str | None:
    """Why ``value`` is not an absolute IRI (the LRS's own rule), or None."""
    try:
        check_iri(value, "id")
    except InvalidStatement as error:
        reason = error.reason.removeprefix("id: must be an absolute IRI")
        return reason.strip().removeprefix("(").removesuffix(")") or reason
    return None


def children(element: etree._Element, name: str) -> Iterator[etree._Element]:
    """Child elements ``name`` in the namespace of ``element`` (the document's own; a wrong one is reported
    once at the root, and the rest is still judged)."""
    namespace = etree.QName(element).namespace
    for child in element:
        if isinstance(child.tag, str) and etree.QName(child).localname == name \
                and etree.QName(child).namespace == namespace:
            yield child


def text_of(element: etree._Element) -> str:
    return (element.text or "").strip()


@dataclass(frozen=True)
class LaunchRef:
    activity: etree._Element
    element: etree._Element
    href: str
    """The URL as written (direct text, or the first ``<langstring>`` of a wrapped one)."""


class TincanVerifier:
    format = PackageFormat.XAPI
    manifest = MANIFEST

    def claims(self, contents: PackageContents, root: etree._Element | None) -> bool:
        """Any parsed tincan.xml at the root: a wrong root element is this format's error to report."""
        return root is not None

    def check(self, contents: PackageContents, manifest: parse.Manifest, sink: DiagnosticSink) -> Launch:
        if not self.check_root(manifest, sink):
            return NO_LAUNCH
        self.check_single_manifest(contents, manifest, sink)
        activities = [a for block in children(manifest.root, "activities") for a in children(block, "activity")]
        if not activities:
            sink.error("tincan.no-activities", f"{MANIFEST} declares no <activity> inside <activities>",
                       manifest.at(manifest.root),
                       hint='add <activities><activity id="https://..." type="http://adlnet.gov/expapi/activities/'
                            'course"> with <name> and <launch>')
            return NO_LAUNCH
        self.check_ids(manifest, activities, sink)
        launches = self.launches(manifest, activities, sink)
        if not launches:
            return NO_LAUNCH
        chosen = launches[0]
        name = next(children(chosen.activity, "name"), None)
        title = "".join(str(part) for part in name.itertext()).strip() if name is not None else ""
        if not title:
            sink.warning("tincan.name-missing", "the launchable activity has no <name>; LMSs list the course by it",
                         manifest.at(chosen.activity), hint='add <name lang="en">Course title</name>')
        href = self.check_launch(contents, manifest, chosen, sink)
        self.check_pages(contents, sink)
        return Launch(title or None, href)

    @staticmethod
    def check_pages(contents: PackageContents, sink: DiagnosticSink) -> None:
        """tincan.xml lists no files: what the package's pages load is what can be missing (``pages.py``)."""
        entries = contents.entries
        for entry in sorted(entries):
            if pages.is_page(entry):
                page = pages.read_page(contents, entries[entry], sink)
                if page is not None:
                    pages.check_references(page, entry, entries, sink)

    @staticmethod
    def check_root(manifest: parse.Manifest, sink: DiagnosticSink) -> bool:
        root = manifest.root
        tag = etree.QName(root)
        if tag.localname != "tincan":
            sink.error("tincan.root", f"{MANIFEST}'s root is <{tag.localname}>, not <tincan>", manifest.at(root),
                       hint=f'a Tin Can package\'s {MANIFEST} starts <tincan xmlns="{TINCAN_NS}">')
            return False
        if tag.namespace != TINCAN_NS:
            found = f"namespace '{tag.namespace}'" if tag.namespace else "no namespace"
            sink.error("tincan.namespace", f"<tincan> is in {found}; LMSs look for {TINCAN_NS}", manifest.at(root),
                       hint=f'write <tincan xmlns="{TINCAN_NS}">')
        return True

    @staticmethod
    def check_single_manifest(contents: PackageContents, manifest: parse.Manifest, sink: DiagnosticSink) -> None:
        """"A TinCan package must contain exactly one tincan.xml file": another one deeper is a second package."""
        for entry in sorted(contents.entries):
            if entry != MANIFEST and entry.rsplit("/", 1)[-1].lower() == MANIFEST:
                sink.error("tincan.extra-manifest", f"the package holds a second {MANIFEST} at '{entry}'; a Tin Can "
                           f"package has exactly one, and its folder is the package root", manifest.at(manifest.root),
                           hint="zip each package on its own, or remove the copy")

    @staticmethod
    def check_ids(manifest: parse.Manifest, activities: list[etree._Element], sink: DiagnosticSink) -> None:
        first: dict[str, etree._Element] = {}
        for activity in activities:
            value = activity.get("id")
            if value is None or not value.strip():
                sink.error("tincan.activity-id", "an <activity> has no id", manifest.at(activity),
                           hint="give it an absolute IRI, e.g. https://example.com/courses/safety")
                continue
            problem = iri_problem(value)
            if problem:
                sink.error("tincan.activity-id", f"activity id '{value}' is not an absolute IRI ({problem}); "
                           "an LRS refuses statements about it", manifest.at(activity),
                           hint="write a full IRI with a scheme, e.g. https://example.com/courses/safety")
            if value in first:
                sink.error("tincan.duplicate-id", f"activity id '{value}' is declared twice (first at line "
                           f"{parse.line_of(first[value])})", manifest.at(activity),
                           hint="each activity of tincan.xml needs its own id")
            else:
                first[value] = activity
            kind = activity.get("type")
            if kind is not None and iri_problem(kind):
                sink.warning("tincan.activity-type", f"activity type '{kind}' is not an IRI (a Tin Can 0.9 short "
                             "name); xAPI 1.0 activity types are IRIs", manifest.at(activity),
                             hint=f"write e.g. http://adlnet.gov/expapi/activities/{kind.rsplit('/', 1)[-1]}")

    @staticmethod
    def launches(manifest: parse.Manifest, activities: list[etree._Element], sink: DiagnosticSink) -> list[LaunchRef]:
        """The launch (or resource) of each activity that has one; exactly one activity may."""
        found: list[LaunchRef] = []
        for activity in activities:
            element = next((e for tag in LAUNCH_TAGS for e in children(activity, tag)), None)
            if element is None:
                continue
            href = text_of(element)
            wrapped = next(children(element, "langstring"), None)
            if not href and wrapped is not None:
                href = text_of(wrapped)
                sink.warning("tincan.launch-langstring", f"<{etree.QName(element).localname}> wraps its URL in "
                             "<langstring>; LMSs read the URL as the element's own text", manifest.at(element),
                             hint=f'write <launch lang="en">{href or "index.html"}</launch>')
            found.append(LaunchRef(activity, element, href))
        if not found:
            sink.error("tincan.no-launch", "no activity has a <launch>, so an LMS has nothing to open",
                       manifest.at(manifest.root),
                       hint='add <launch lang="en">index.html</launch> to the course activity')
        for extra in found[1:]:
            sink.error("tincan.launch-count", f"activity '{extra.activity.get('id', '?')}' also has a "
                       f"<{etree.QName(extra.element).localname}>, but only one activity of a package may (first: "
                       f"'{found[0].activity.get('id', '?')}')", manifest.at(extra.element),
                       hint="keep launch on the course activity only")
        return found

    @staticmethod
    def check_launch(contents: PackageContents, manifest: parse.Manifest, launch: LaunchRef,
                     sink: DiagnosticSink) -> str | None:
        """A relative launch names a file in the zip (its query and fragment set aside); see REFERENCE_RULES."""
        what = f"<{etree.QName(launch.element).localname}>{launch.href}</{etree.QName(launch.element).localname}>"
        target = resolve(launch.href)
        at = manifest.at(launch.element)
        if target.kind is Kind.EMPTY:
            sink.error("tincan.launch-empty", f"{what} is empty", at, hint="name the page to open, e.g. index.html")
            return None
        if target.kind is Kind.EXTERNAL:
            sink.warning("tincan.launch-external", f"{what} is a URL outside the package: the LMS opens it, not the "
                         "files of this zip", at, hint=f"to launch the packaged content, write its path relative to "
                                                        f"{FOLDER}")
            return launch.href
        if target.kind is not Kind.INSIDE:
            code, problem, hint = REFERENCE_RULES[target.kind]
            sink.error(code, f"{what} {problem}; a launch must be a relative URL of a file in the package", at,
                       hint=hint)
            return None
        if target.backslash:
            sink.warning("path.backslash", f"{what} uses backslashes; URLs separate folders with '/'", at,
                         hint=f"write '{launch.href.replace(chr(92), '/')}'")
        entries = contents.entries
        if target.path not in entries:
            near = {entry.lower(): entry for entry in entries}.get(target.path.lower())
            hint = (f"the package has '{near}'; LMS servers treat file names as case-sensitive" if near
                    else f"add the file to the zip or correct the path; it is relative to {FOLDER}")
            sink.error("manifest.file-missing", f"{what} names a file that is not in the package", at, hint=hint)
        return launch.href
