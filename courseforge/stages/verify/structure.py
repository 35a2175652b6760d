"""Identifier and launch checks the XSD cannot express (libxml2 even misses a dangling IDREF), and the order
both SCORM versions judge a manifest in (:func:`check_package`, :class:`CpVerifier`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from lxml import etree

from courseforge.diagnostics import DiagnosticSink
from courseforge.model.package import PackageFormat
from courseforge.stages.verify import files, schema
from courseforge.stages.verify.contents import Launch, PackageContents
from courseforge.stages.verify.dialect import CpDialect
from courseforge.stages.verify.files import bases_of
from courseforge.stages.verify.hrefs import joined
from courseforge.stages.verify.parse import MANIFEST, Manifest, line_of


def kind(element: etree._Element) -> str:
    return etree.QName(element).localname


def a(word: str) -> str:
    return f"{'an' if word[:1] in 'aeiou' else 'a'} {word}"


def label(element: etree._Element) -> str:
    return f"{kind(element)} '{element.get('identifier', '?')}'"


@dataclass(frozen=True)
class Index:
    """Every identified element by identifier (first occurrence wins) and the identifiers used twice."""

    by_id: dict[str, etree._Element]
    duplicates: frozenset[str]

    def resource(self, ref: str | None) -> etree._Element | None:
        found = self.by_id.get((ref or "").strip())
        return found if found is not None and kind(found) == "resource" else None


def index_identifiers(manifest: Manifest, sink: DiagnosticSink, dialect: CpDialect) -> Index:
    """Identifiers must be unique across the whole manifest, whatever element carries them."""
    by_id: dict[str, etree._Element] = {}
    duplicates: set[str] = set()
    for element in manifest.root.iter(dialect.tag("*")):
        identifier = (element.get("identifier") or "").strip()
        if not identifier:
            continue
        first = by_id.setdefault(identifier, element)
        if first is not element:
            duplicates.add(identifier)
            sink.error(
                "manifest.duplicate-id",
                f"identifier '{identifier}' is used twice in {MANIFEST}: by this {kind(element)} and by the "
                f"{kind(first)} on line {line_of(first)}",
                manifest.at(element),
                hint="give every organization, item and resource its own identifier",
            )
    return Index(by_id, frozenset(duplicates))


def check_identifierrefs(manifest: Manifest, index: Index, sink: DiagnosticSink, dialect: CpDialect) -> None:
    """Items launch resources and dependencies name resources; anything else is a broken link."""
    for element in manifest.root.iter(dialect.tag("item"), dialect.tag("dependency")):
        ref = element.get("identifierref")
        if ref is None:
            continue
        owner = element if kind(element) == "item" else element.getparent()
        resource = index.resource(ref)
        if resource is None:
            dangling(manifest, element, owner, ref, index, sink)
        elif kind(element) == "item" and not resource.get("href"):
            sink.error(
                "manifest.no-href",
                f"{label(element)} launches resource '{ref}', which has no href in {MANIFEST}",
                manifest.at(element),
                hint="give the resource an href naming its start page",
            )


def dangling(
    manifest: Manifest,
    element: etree._Element,
    owner: etree._Element | None,
    ref: str,
    index: Index,
    sink: DiagnosticSink,
) -> None:
    other = index.by_id.get(ref.strip())
    what = "no resource has that identifier" if other is None else f"that is {a(kind(other))}, not a resource"
    source = label(owner) if owner is not None else kind(element)
    verb = "launches" if kind(element) == "item" else "depends on"
    sink.error(
        "manifest.dangling-ref",
        f"{source} {verb} '{ref}' in {MANIFEST}, but {what}",
        manifest.at(element),
        hint="identifierref must name the identifier of a <resource>",
    )


def check_metadata(manifest: Manifest, sink: DiagnosticSink, dialect: CpDialect) -> None:
    """LMSs read these to pick the SCORM version, yet the XSD types them as plain strings: check in code."""
    metadata = manifest.root.find(dialect.tag("metadata"))
    if metadata is None:
        return
    for name, accepted in (("schema", ("ADL SCORM",)), ("schemaversion", dialect.schema_versions)):
        element = metadata.find(dialect.tag(name))
        value = "" if element is None else (element.text or "").strip()
        if element is None or value in accepted:
            continue
        expected = accepted[0]
        if value in dialect.older_versions:
            message = (f"{MANIFEST} declares <{name}>{value}</{name}>, an earlier edition; it is judged as "
                       f"{dialect.standard} ('{expected}')")
        else:
            message = (f"{MANIFEST} declares <{name}>{value}</{name}>, but a {dialect.standard} manifest says "
                       f"'{expected}'")
        sink.warning(
            "manifest.schemaversion",
            message,
            manifest.at(element),
            hint=f"write <{name}>{expected}</{name}>; LMSs read it to decide which SCORM version to run",
        )


def default_organization(manifest: Manifest, index: Index, sink: DiagnosticSink,
                         dialect: CpDialect) -> etree._Element | None:
    """The organization an LMS shows: the named default, else the first one."""
    organizations = manifest.root.find(dialect.tag("organizations"))
    if organizations is None:
        return None
    first = organizations.find(dialect.tag("organization"))
    default = organizations.get("default")
    if default is None:
        return first
    named = index.by_id.get(default.strip())
    if named is not None and kind(named) == "organization":
        return named
    what = "no element has that identifier" if named is None else f"that is {a(kind(named))}"
    sink.error(
        "manifest.default-org",
        f"organizations@default in {MANIFEST} names '{default}', but {what}",
        manifest.at(organizations),
        hint="set default to the identifier of one of the <organization> elements",
    )
    return first


def launched(manifest: Manifest, index: Index, sink: DiagnosticSink,
             dialect: CpDialect) -> tuple[str | None, list[etree._Element]]:
    """The title of the organization an LMS shows and every resource (with an href) an item launches, in order."""
    default = default_organization(manifest, index, sink, dialect)
    title = default.findtext(dialect.tag("title")) if default is not None else None
    organizations = [default] if default is not None else []
    organizations += [org for org in manifest.root.iter(dialect.tag("organization")) if org is not default]
    resources = []
    for organization in organizations:
        for item in organization.iter(dialect.tag("item")):
            resource = index.resource(item.get("identifierref"))
            if resource is not None and resource.get("href"):
                resources.append(resource)
    return clean(title), resources


def launch(manifest: Manifest, index: Index, sink: DiagnosticSink, dialect: CpDialect) -> Launch:
    """What the LMS starts: the first SCO an item launches, default organization first.

    A package that marks any resource as a SCO needs an item launching one. A package with no SCO at all
    (every resource an asset, like Rustici's "one file per SCO" golf sample) is valid SCORM: the LMS
    launches its pages and tracks nothing, which is worth a warning, not a rejection.
    """
    title, resources = launched(manifest, index, sink, dialect)
    scos = [resource for resource in resources if is_sco(resource, dialect)]
    if scos:
        return Launch(title, launch_href(scos[0]))
    if resources and not any(is_sco(r, dialect) or misspelt(r, dialect)
                             for r in manifest.root.iter(dialect.tag("resource"))):
        asset_only(manifest, sink, dialect)
        return Launch(title, launch_href(resources[0]))
    no_sco(manifest, sink, dialect)
    return Launch(title, None)


def is_sco(resource: etree._Element, dialect: CpDialect) -> bool:
    return resource.get(dialect.scormtype_attribute) == "sco"


def misspelt(resource: etree._Element, dialect: CpDialect) -> bool:
    """The other SCORM version's spelling of scormtype: the author meant a type, the schema sees none."""
    return any(etree.QName(name).localname.lower() == "scormtype" and name != dialect.scormtype_attribute
               for name in resource.attrib)


def launch_href(resource: etree._Element) -> str:
    return joined(bases_of(resource), resource.get("href", ""))


def asset_only(manifest: Manifest, sink: DiagnosticSink, dialect: CpDialect) -> None:
    written = dialect.scormtype_written
    sink.warning(
        "manifest.no-sco",
        f"{MANIFEST} has no SCO (every resource is {written}=\"asset\"): the LMS will launch its pages "
        "but will not track learners, since nothing reports status or score",
        manifest.at(manifest.root.find(dialect.tag("resources"))),
        hint=f"if the pages call the SCORM API, mark their resources {written}=\"sco\"; if tracking is "
        "not wanted, this warning can be ignored",
    )


def clean(title: str | None) -> str | None:
    """Titles are often pretty-printed over several lines; a summary wants one."""
    words = (title or "").split()
    return " ".join(words) if words else None


def no_sco(manifest: Manifest, sink: DiagnosticSink, dialect: CpDialect) -> None:
    resources = list(manifest.root.iter(dialect.tag("resource")))
    scos = [r for r in resources if is_sco(r, dialect)]
    if any(misspelt(r, dialect) for r in resources):
        hint = dialect.misspelling_hint
    elif not any(True for _ in manifest.root.iter(dialect.tag("item"))):
        hint = "add an <organization> with an <item identifierref=\"...\"> naming the SCO resource"
    elif scos:
        hint = f"resource '{scos[0].get('identifier')}' is a SCO: give it an href and point an item at it"
    else:
        hint = f"mark the resource that talks to the LMS with {dialect.scormtype_written}=\"sco\" and give it an href"
    sink.error(
        "manifest.no-sco",
        f"{MANIFEST} has no item that launches a SCO, so an LMS has nothing to start or track",
        manifest.at(manifest.root.find(dialect.tag("organizations"))),
        hint=hint,
    )


ManifestCheck = Callable[[Manifest, DiagnosticSink], None]
"""A standard's own check of its manifest (SCORM 2004: the version mix, the sequencing references)."""


def claims(root: etree._Element | None, dialect: CpDialect) -> bool:
    """An imsmanifest.xml whose root is the dialect's IMS CP ``<manifest>`` (the two versions' namespaces differ)."""
    return root is not None and root.tag == dialect.tag("manifest")


def check_package(contents: PackageContents, manifest: Manifest, sink: DiagnosticSink, dialect: CpDialect,
                  schemas: schema.SchemaSet, *, own_checks: Sequence[ManifestCheck] = (),
                  control: Callable[[str], bool] = files.at_root) -> Launch:
    """One IMS CP package judged as its SCORM version does, in one order for both: unique identifiers, the
    official schemas, identifier references and metadata, the standard's ``own_checks``, the launchable SCO,
    then the files (bases, hrefs, the schema files named, files no resource lists; ``control`` says where the
    package keeps schema files unlisted)."""
    index = index_identifiers(manifest, sink, dialect)
    schema.validate(manifest, index.duplicates, sink, schemas)
    check_identifierrefs(manifest, index, sink, dialect)
    check_metadata(manifest, sink, dialect)
    for check in own_checks:
        check(manifest, sink)
    found = launch(manifest, index, sink, dialect)
    files.check_bases(manifest, sink)
    entries = contents.entries
    named = files.check_hrefs(manifest, entries, sink, dialect)
    named |= files.check_schema_files(manifest, entries, sink, dialect)
    files.check_unlisted(contents.name, entries, named, sink, control)
    return found


class CpVerifier:
    """A SCORM version's ``FormatVerifier``: a subclass names its facts (format, dialect, schema set, its own
    checks, where its schema files may sit unlisted); claiming and judging are the same for both versions."""

    format: PackageFormat
    dialect: CpDialect
    schemas: schema.SchemaSet
    own_checks: tuple[ManifestCheck, ...] = ()
    manifest = MANIFEST

    def control(self, entry: str) -> bool:
        """Where a package keeps schema files no resource lists (SCORM 1.2: the root)."""
        return files.at_root(entry)

    def claims(self, contents: PackageContents, root: etree._Element | None) -> bool:
        return claims(root, self.dialect)

    def check(self, contents: PackageContents, manifest: Manifest, sink: DiagnosticSink) -> Launch:
        return check_package(contents, manifest, sink, self.dialect, self.schemas, own_checks=self.own_checks,
                             control=self.control)
