"""cmi5.xml in, a frozen course structure out (§13): XSD first, then the semantic checks the XSD misses.

Every problem is reported at once, as diagnostics with the line it was found on; the caller decides to
stop. The LMS trims whitespace from every value (§13.1), so the objects never carry it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import cast
from urllib.parse import parse_qsl, urlsplit

from lxml import etree

from courseforge.diagnostics import Diagnostic, Location, Severity
from courseforge.schemas import schema_dir
from courseforge.standards.cmi5 import (
    COURSE_STRUCTURE_NS,
    COURSE_STRUCTURE_XSD,
    LAUNCH_PARAMETERS,
    LaunchMethod,
    MoveOn,
)

LangText = tuple[tuple[str, str], ...]
"""A langstring list as (language tag, text) pairs, in document order; the tag is "" when absent."""


@dataclass(frozen=True)
class Objective:
    id: str
    title: LangText
    description: LangText


@dataclass(frozen=True)
class AssignableUnit:
    id: str
    """The publisher's IRI; LMS statements use it only in the grouping activity (§9.6.2.3)."""
    title: LangText
    description: LangText
    url: str
    launch_method: LaunchMethod = LaunchMethod.ANY_WINDOW
    move_on: MoveOn = MoveOn.NOT_APPLICABLE
    mastery_score: Decimal | None = None
    launch_parameters: str | None = None
    entitlement_key: str | None = None
    activity_type: str | None = None
    objectives: tuple[str, ...] = ()


@dataclass(frozen=True)
class Block:
    id: str
    title: LangText
    description: LangText
    children: tuple[AssignableUnit | Block, ...]
    objectives: tuple[str, ...] = ()

    def assignable_units(self) -> Iterator[AssignableUnit]:
        yield from _assignable_units(self.children)

    def blocks(self) -> Iterator[Block]:
        yield from _blocks(self.children)


@dataclass(frozen=True)
class CourseStructure:
    id: str
    title: LangText
    description: LangText
    children: tuple[AssignableUnit | Block, ...]
    objectives: tuple[Objective, ...] = ()

    def assignable_units(self) -> Iterator[AssignableUnit]:
        """Every AU in document order, however deep its blocks nest."""
        yield from _assignable_units(self.children)

    def blocks(self) -> Iterator[Block]:
        """Every block, outer before inner."""
        yield from _blocks(self.children)

    def assignable_unit(self, au_id: str) -> AssignableUnit:
        for au in self.assignable_units():
            if au.id == au_id:
                return au
        raise KeyError(au_id)


def _assignable_units(children: tuple[AssignableUnit | Block, ...]) -> Iterator[AssignableUnit]:
    for child in children:
        if isinstance(child, Block):
            yield from child.assignable_units()
        else:
            yield child


def _blocks(children: tuple[AssignableUnit | Block, ...]) -> Iterator[Block]:
    for child in children:
        if isinstance(child, Block):
            yield child
            yield from child.blocks()


class CourseStructureError(ValueError):
    """The course structure is invalid; ``diagnostics`` has every problem found."""

    def __init__(self, diagnostics: tuple[Diagnostic, ...]) -> None:
        super().__init__("\n".join(d.format() for d in diagnostics))
        self.diagnostics = diagnostics


@functools.cache
def _schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(schema_dir("cmi5") / COURSE_STRUCTURE_XSD)))


def parse_course_structure(xml: bytes, *, source: str = "cmi5.xml", in_package: bool = True) -> CourseStructure:
    """Parse and check a course structure; ``in_package`` is False for a standalone cmi5.xml (no relative URLs)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)
    try:
        root = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as error:
        line = error.position[0] if error.position else 0
        raise CourseStructureError((_error(source, line, "cmi5.xml-syntax", str(error)),)) from None
    return read_course_structure(root, source=source, in_package=in_package)


def read_course_structure(root: etree._Element, *, source: str = "cmi5.xml",
                          in_package: bool = True) -> CourseStructure:
    """A parsed cmi5.xml root (parsed by the caller's own safe parser) checked against the XSD, then for the
    semantic rules; every problem found is raised at once. Comments in the tree are ignored."""
    structure, problems = check_course_structure(root, source=source, in_package=in_package)
    if problems or structure is None:
        raise CourseStructureError(problems)
    return structure


def check_course_structure(root: etree._Element, *, source: str = "cmi5.xml",
                           in_package: bool = True) -> tuple[CourseStructure | None, tuple[Diagnostic, ...]]:
    """The structure and every problem found, without raising (for ``check``, which reports and goes on).
    A tree that breaks the XSD gives no structure and only the XSD's problems (the semantic checks rely on
    its shape); otherwise the structure comes back even when the semantic checks found problems."""
    schema = _schema()
    if not schema.validate(root):
        return None, tuple(
            _error(source, entry.line, "cmi5.xsd", f"cmi5.xml breaks CourseStructure.xsd: {entry.message}",
                   "compare this element with the cmi5 CourseStructure.xsd (cmi5 spec §13, §14): order is "
                   "title, description, objectives, url, launchParameters, entitlementKey")
            for entry in cast(Iterable[etree._LogEntry], schema.error_log)
        )
    return _read_structure(root), tuple(_semantic_problems(root, source, in_package=in_package))


def _line(element: etree._Element) -> int:
    """The element's line (the stubs do not type ``sourceline`` as the int it is)."""
    line: object = element.sourceline
    return line if isinstance(line, int) else 0


def _error(source: str, line: int, code: str, message: str, hint: str = "") -> Diagnostic:
    return Diagnostic(Severity.ERROR, code, message, Location(source, line), hint)


def _q(name: str) -> str:
    return f"{{{COURSE_STRUCTURE_NS}}}{name}"


def _text(element: etree._Element | None) -> str | None:
    if element is None:
        return None
    return "".join(str(text) for text in element.itertext()).strip()


def _langtext(parent: etree._Element, name: str) -> LangText:
    holder = parent.find(_q(name))
    assert holder is not None  # the XSD requires title and description
    return tuple(((item.get("lang") or "").strip(), _text(item) or "") for item in holder.iterfind(_q("langstring")))


def _objective_refs(parent: etree._Element) -> tuple[str, ...]:
    holder = parent.find(_q("objectives"))
    if holder is None:
        return ()
    return tuple((ref.get("idref") or "").strip() for ref in holder.iterfind(_q("objective")))


def _attr(element: etree._Element, name: str) -> str | None:
    value = element.get(name)
    return None if value is None else value.strip()


def _read_au(element: etree._Element) -> AssignableUnit:
    mastery = _attr(element, "masteryScore")
    return AssignableUnit(
        id=_attr(element, "id") or "",
        title=_langtext(element, "title"),
        description=_langtext(element, "description"),
        url=_text(element.find(_q("url"))) or "",
        launch_method=LaunchMethod(_attr(element, "launchMethod") or LaunchMethod.ANY_WINDOW),
        move_on=MoveOn(_attr(element, "moveOn") or MoveOn.NOT_APPLICABLE),
        mastery_score=None if mastery is None else Decimal(mastery),
        launch_parameters=_text(element.find(_q("launchParameters"))),
        entitlement_key=_text(element.find(_q("entitlementKey"))),
        activity_type=_attr(element, "activityType"),
        objectives=_objective_refs(element),
    )


def _read_children(parent: etree._Element) -> tuple[AssignableUnit | Block, ...]:
    children: list[AssignableUnit | Block] = []
    for element in parent:
        if element.tag == _q("au"):
            children.append(_read_au(element))
        elif element.tag == _q("block"):
            children.append(Block(
                id=_attr(element, "id") or "",
                title=_langtext(element, "title"),
                description=_langtext(element, "description"),
                children=_read_children(element),
                objectives=_objective_refs(element),
            ))
    return tuple(children)


def _read_structure(root: etree._Element) -> CourseStructure:
    course = root.find(_q("course"))
    assert course is not None  # the XSD requires it
    holder = root.find(_q("objectives"))
    objectives = () if holder is None else tuple(
        Objective((_attr(item, "id") or ""), _langtext(item, "title"), _langtext(item, "description"))
        for item in holder.iterfind(_q("objective"))
    )
    return CourseStructure(
        id=_attr(course, "id") or "",
        title=_langtext(course, "title"),
        description=_langtext(course, "description"),
        children=_read_children(root),
        objectives=objectives,
    )


def is_absolute_iri(value: str) -> bool:
    """An IRI with a scheme and something after it, no whitespace (xs:anyURI accepts far more)."""
    parts = urlsplit(value)
    rest = value[len(parts.scheme) + 1:]
    return bool(parts.scheme) and bool(rest) and not any(char.isspace() for char in value)


FORBIDDEN_HOST = frozenset(" \t\n\r#%/:<>?@[\\]^|")
"""Characters a URL's host may not hold (WHATWG URL's forbidden host code points; IPv6 sits in brackets)."""


def url_problem(url: str) -> str | None:
    """Why ``url`` is not a URL a browser parses (the ADL player uses WHATWG ``new URL``), or None."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 -- raises on a port that is not a number in range
    except ValueError as error:
        return str(error)
    if not parts.scheme:
        return None
    host = parts.hostname or ""
    if parts.netloc and not host:
        return "it names no host"
    if parts.scheme.lower() in ("http", "https") and not host:
        return f"an {parts.scheme}: URL needs a host"
    bad = sorted({char for char in host if char in FORBIDDEN_HOST} - ({":"} if "[" in parts.netloc else set()))
    if bad:
        shown = ", ".join("a space" if char == " " else repr(char) for char in bad)
        return f"its host {host!r} holds {shown}"
    return None


def query_collisions(url: str) -> tuple[str, ...]:
    """The launch parameter names (§8.1) the URL's own query string already uses."""
    try:
        query = urlsplit(url).query
    except ValueError:
        return ()
    return tuple(sorted({name for name, _ in parse_qsl(query, keep_blank_values=True)} & set(LAUNCH_PARAMETERS)))


def _semantic_problems(root: etree._Element, source: str, *, in_package: bool) -> Iterator[Diagnostic]:
    seen: dict[str, int] = {}
    objective_ids = {(_attr(item, "id") or "") for item in root.iterfind(f"{_q('objectives')}/{_q('objective')}")}
    for element in root.iter(_q("course"), _q("block"), _q("au"), _q("objective")):
        line = _line(element)
        idref = _attr(element, "idref")
        if idref is not None:
            if idref not in objective_ids:
                yield _error(source, line, "cmi5.objective-unknown", f"objective reference {idref!r} is not defined",
                             "name the id of an <objective> in the course's <objectives> list, exactly as written")
            continue
        identifier = _attr(element, "id") or ""
        kind = etree.QName(element).localname
        if not is_absolute_iri(identifier):
            yield _error(source, line, "cmi5.id-not-iri", f"{kind} id {identifier!r} is not an absolute IRI",
                         "ids are IRIs with a scheme, e.g. https://learning.example.com/courses/safety (§3.0)")
        if identifier in seen:
            yield _error(source, line, "cmi5.id-duplicate",
                         f"{kind} id {identifier!r} is already used on line {seen[identifier]}",
                         "every course, block, AU and objective id must be unique in the course structure (§13.1)")
        else:
            seen[identifier] = line
        if kind == "au":
            yield from _url_problems(element, source, in_package=in_package)


def _url_problems(au: etree._Element, source: str, *, in_package: bool) -> Iterator[Diagnostic]:
    url_element = au.find(_q("url"))
    assert url_element is not None
    url = _text(url_element) or ""
    line = _line(url_element)
    problem = url_problem(url)
    if problem is not None:
        yield _error(source, line, "cmi5.url-invalid", f"AU url {url!r} is not a valid URL: {problem}",
                     "write a URL a browser can open; escape spaces as %20 (§13.1.4)")
        return
    if not urlsplit(url).scheme and not in_package:
        yield _error(source, line, "cmi5.url-relative",
                     f"AU url {url!r} is relative, which only a cmi5.xml inside a package may use",
                     "zip cmi5.xml with the AU's files, or give the AU's absolute URL (§14.2)")
    collisions = query_collisions(url)
    if collisions:
        yield _error(source, line, "cmi5.url-query-collision",
                     f"AU url query uses launch parameter names {', '.join(collisions)}",
                     "the LMS adds endpoint, fetch, actor, registration and activityId itself; rename the AU's own "
                     "parameters (§8.1)")
