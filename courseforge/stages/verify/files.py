"""Cross-check the manifest with the zip: every path it names is a file inside, every file is named."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass

from lxml import etree

from courseforge.diagnostics import DiagnosticSink, Location
from courseforge.stages.verify.dialect import CpDialect
from courseforge.stages.verify.hrefs import Kind, Target, classify, resolve
from courseforge.stages.verify.parse import MANIFEST, XML, XSI, Manifest

XML_BASE = f"{{{XML}}}base"
CONTROL_SUFFIXES = (".xsd", ".dtd")


@dataclass(frozen=True)
class Reference:
    """One path the manifest names, and how to show it to a reader."""

    element: etree._Element
    href: str
    owner: str
    """The resource it belongs to, e.g. "resource 'RES1'", or "" for adlcp:location."""
    bases: tuple[str, ...]
    """The xml:base values that apply, outermost first."""
    launch: bool = False
    """A resource's own href: the page an LMS opens when an item launches it."""

    @property
    def what(self) -> str:
        name = etree.QName(self.element).localname
        if name == "location":
            return f"<adlcp:location>{self.href}</adlcp:location>"
        if name == "file":
            return f'<file href="{self.href}"> in {self.owner}'
        return f'the launch href="{self.href}" of {self.owner}'

    @property
    def target(self) -> Target:
        return resolve(self.href, self.bases)


def bases_of(element: etree._Element) -> tuple[str, ...]:
    """xml:base values that apply to an element, outermost first."""
    chain = [*reversed(list(element.iterancestors())), element]
    return tuple(value for node in chain if (value := node.get(XML_BASE)) is not None)


def references(manifest: Manifest, dialect: CpDialect) -> Iterator[Reference]:
    for resource in manifest.root.iter(dialect.tag("resource")):
        owner = f"resource '{resource.get('identifier', '?')}'"
        bases = bases_of(resource)
        if (href := resource.get("href")) is not None:
            yield Reference(resource, href, owner, bases, launch=True)
        for file in resource.iter(dialect.tag("file")):
            if (href := file.get("href")) is not None:
                yield Reference(file, href, owner, (*bases, *own_base(file)))
    for location in manifest.root.iter(dialect.location):
        yield Reference(location, (location.text or "").strip(), "", bases_of(location))


def own_base(element: etree._Element) -> tuple[str, ...]:
    base = element.get(XML_BASE)
    return () if base is None else (base,)


def check_hrefs(manifest: Manifest, entries: Collection[str], sink: DiagnosticSink, dialect: CpDialect) -> set[str]:
    """Report every href that does not name a file in the zip; return the paths that are named."""
    named: set[str] = set()
    folded = {entry.lower(): entry for entry in entries}
    for ref in references(manifest, dialect):
        target = ref.target
        if target.backslash:
            sink.warning(
                "path.backslash",
                f"{ref.what} uses backslashes; URLs separate folders with '/'",
                manifest.at(ref.element),
                hint=f"write '{ref.href.replace(chr(92), '/')}'",
            )
        if target.kind is Kind.INSIDE:
            named.add(target.path)
            if target.path not in entries:
                missing(manifest, ref, target, folded.get(target.path.lower()), sink)
        else:
            outside(manifest, ref, target, sink)
    return named


def missing(manifest: Manifest, ref: Reference, target: Target, near: str | None, sink: DiagnosticSink) -> None:
    via = f" (looked up as '{target.path}')" if target.path != ref.href.strip() else ""
    hint = (
        f"the package has '{near}'; LMS servers treat file names as case-sensitive"
        if near
        else "add the file to the zip or correct the path; paths are relative to the folder of "
        f"{MANIFEST}"
    )
    sink.error(
        "manifest.file-missing",
        f"{ref.what} names a file that is not in the package{via}",
        manifest.at(ref.element),
        hint=hint,
    )


LAUNCH_RULE = "; a launch href must be a relative URL of a file in the package"
OUTSIDE = {
    Kind.EMPTY: ("manifest.file-missing", "is empty", "name a file in the package"),
    Kind.SCRIPT: (
        "path.script-url",
        "is a script URL, which runs code in the LMS page instead of opening a file",
        "name the HTML page to open, relative to the folder of " + MANIFEST,
    ),
    Kind.ABSOLUTE: (
        "path.absolute",
        "is an absolute path, which exists only on the author's machine",
        f"write the path relative to the folder of {MANIFEST}",
    ),
    Kind.PARENT: (
        "path.parent",
        "climbs above the package root with '..'",
        f"copy the file into the package and link it relative to {MANIFEST}",
    ),
    Kind.EXTERNAL: (
        "path.external",
        "is a URL outside the package",
        "download the file into the package; an LMS serves the package itself, and content from another "
        "origin cannot reach the SCORM API",
    ),
}


def outside(manifest: Manifest, ref: Reference, target: Target, sink: DiagnosticSink) -> None:
    code, problem, hint = OUTSIDE[target.kind]
    rule = LAUNCH_RULE if ref.launch else ", but it must name a file inside the package"
    if target.kind is Kind.EMPTY:
        rule = ""
    sink.error(code, f"{ref.what} {problem}{joined_note(ref, target)}{rule}", manifest.at(ref.element), hint=hint)


def joined_note(ref: Reference, target: Target) -> str:
    if target.path == ref.href.strip():
        return ""
    how = "with xml:base" if ref.bases else "as a browser reads it"
    return f" ('{target.path}' {how})"


def check_bases(manifest: Manifest, sink: DiagnosticSink) -> None:
    """A base without a trailing '/' is a file by URI rules but a folder to most LMSs: say so."""
    for element in manifest.root.iter():
        base = element.get(XML_BASE) if isinstance(element.tag, str) else None
        if base and not base.strip().endswith(("/", "\\")):
            sink.warning(
                "path.base-not-folder",
                f"xml:base '{base}' in {MANIFEST} does not end with '/'; LMSs disagree whether it is a folder",
                manifest.at(element),
                hint=f"write xml:base=\"{base.strip()}/\"",
            )


def check_schema_files(manifest: Manifest, entries: Collection[str], sink: DiagnosticSink,
                       dialect: CpDialect) -> set[str]:
    """Schema files the manifest points at should ship in the zip (the ADL test suite requires them)."""
    pairs = (manifest.root.get(f"{{{XSI}}}schemaLocation") or "").split()
    wanted = {
        resolve(location).path: f"xsi:schemaLocation names '{location}'"
        for location in pairs[1::2]
        if classify(location) is None
    }
    for schema, imported in dialect.imported:
        if schema in wanted:
            wanted.setdefault(imported, f"{schema} imports '{imported}'")
    for path, why in sorted(wanted.items()):
        if path not in entries:
            sink.warning(
                "manifest.xsd-missing",
                f"{why}, but the package has no file '{path}'",
                manifest.at(manifest.root),
                hint=f"copy the unchanged {dialect.standard} schema files ({dialect.official}) to the root of the zip",
            )
    return set(wanted)


def at_root(entry: str) -> bool:
    return "/" not in entry


def check_unlisted(
    package: str, entries: Mapping[str, str], named: Collection[str], sink: DiagnosticSink,
    control: Callable[[str], bool] = at_root,
) -> None:
    """Files no resource lists are legal but often leftovers (or the file a typo'd href meant). Schema and DTD
    files are control documents, not content: those where ``control`` says a package keeps them (SCORM 1.2: the
    root; 2004: also the LOM schema's subfolders) are never reported."""
    unlisted = sorted(
        original
        for entry, original in entries.items()
        if entry not in named and entry != MANIFEST and not (control(entry) and entry.endswith(CONTROL_SUFFIXES))
    )
    for entry in unlisted:  # the report keeps the first few of a code and counts the rest
        sink.warning(
            "manifest.file-unlisted",
            f"'{entry}' is in the package but no resource in {MANIFEST} lists it",
            Location(f"{package}!{entry}"),
            hint=f"add <file href=\"{entry}\"/> to the resource that uses it, or leave it out of the zip",
        )
