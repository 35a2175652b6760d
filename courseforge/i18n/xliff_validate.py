"""Checking an XLIFF document before anything is read from it: safe parsing, the version, the OASIS
schemas (offline, through the driver schemas shipped in ``data/schemas/xliff``), and the XLIFF 2 rules the
core schema cannot express (unique unit ids, data references), which therefore are code.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol, cast

from lxml import etree

from courseforge.i18n.xliff_model import NS2, NS12, XML_NS, line_of
from courseforge.schemas import schema_dir

Element = etree._Element

DRIVER_12 = "courseforge_xliff12_driver.xsd"
DRIVER_12_TRANSITIONAL = "courseforge_xliff12_transitional_driver.xsd"
DRIVER_2 = "courseforge_xliff20_driver.xsd"
VERSIONS_2 = ("2.0", "2.1")
XML_LANG = f"{{{XML_NS}}}lang"
_INLINE_2 = ("ph", "pc", "sc", "ec", "mrk", "sm")
"""XLIFF 2 inline elements that carry an ``id`` (an ``ec`` only when isolated)."""


class _LogEntry(Protocol):
    """The fields of lxml's log entries used here (the stubs do not describe the error log)."""

    line: int
    message: str


@dataclass(frozen=True)
class Problem:
    line: int
    message: str
    warning: bool = False

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass(frozen=True)
class Inspection:
    """A parsed document and what is wrong with it; any error means nothing may be imported."""

    root: Element | None
    version: str
    problems: tuple[Problem, ...]

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if not p.warning)


def inspect(data: bytes, *, lenient: bool = False) -> Inspection:
    """Everything wrong with ``data`` as XLIFF. ``lenient`` is for import: a 1.2 file a CAT tool extended
    with its own namespaces (which strict forbids) passes with a warning if it is valid transitional, and
    broken code references are left to the unit they break, instead of refusing the whole file."""
    root, problems = parse(data)
    if root is None:
        return Inspection(None, "", tuple(problems))
    version, problems = _version(root)
    if problems:
        return Inspection(root, version, tuple(problems))
    problems = schema_problems(root, version, lenient=lenient)
    if version in VERSIONS_2 and not any(not p.warning for p in problems):
        problems += structure_problems(root)
        if not lenient:
            problems += reference_problems(root)
    return Inspection(root, version, tuple(problems))


def parse(data: bytes) -> tuple[Element | None, list[Problem]]:
    """Parse without resolving entities, loading DTDs or touching the network; refuse any DOCTYPE, since
    XLIFF needs none and entity declarations are how expansion bombs and file reads get in."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        tree = etree.parse(io.BytesIO(data), parser)
    except etree.XMLSyntaxError as error:
        return None, [Problem(error.lineno or 1, f"the file is not well-formed XML: {error.msg}")]
    docinfo: Any = tree.docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        return None, [Problem(1, "the file has a DOCTYPE: refused, since entity declarations can expand "
                                 "without bound or read files, and XLIFF needs none")]
    return tree.getroot(), []


def _version(root: Element) -> tuple[str, list[Problem]]:
    name = etree.QName(root)
    version = str(root.get("version", ""))
    if name.localname == "xliff" and name.namespace == NS12:
        return "1.2", []
    if name.localname == "xliff" and name.namespace == NS2 and version in VERSIONS_2:
        return version, []
    return version, [Problem(line_of(root) or 1, f"the file is not XLIFF 1.2, 2.0 or 2.1 (root {name.text}, "
                                                   f"version {version or 'missing'})")]


@functools.cache
def _schema(driver: str) -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    return etree.XMLSchema(etree.parse(str(schema_dir("xliff") / driver), parser))


def _schema_errors(root: Element, driver: str) -> list[Problem]:
    """libxml2's messages, namespaces shortened, at their lines."""
    schema = _schema(driver)
    if schema.validate(root):
        return []
    return [Problem(entry.line, _short(entry.message)) for entry in cast(Iterable[_LogEntry], schema.error_log)]


def _short(message: str) -> str:
    return message.replace(f"{{{NS12}}}", "").replace(f"{{{NS2}}}", "")


def schema_problems(root: Element, version: str, *, lenient: bool = False) -> list[Problem]:
    if version in VERSIONS_2:
        return [Problem(p.line, f"the file breaks the XLIFF 2 schemas (core, size restriction module): {p.message}")
                for p in _schema_errors(root, DRIVER_2)]
    strict = _schema_errors(root, DRIVER_12)
    if strict and lenient and not _schema_errors(root, DRIVER_12_TRANSITIONAL):
        return [Problem(strict[0].line, f"the file is XLIFF 1.2 transitional, not strict (first of {len(strict)}: "
                                        f"{strict[0].message}); reading it anyway", warning=True)]
    return [Problem(p.line, f"the file breaks the XLIFF 1.2 strict schema: {p.message}") for p in strict]


def _q2(name: str) -> str:
    return f"{{{NS2}}}{name}"


def _duplicates(elements: Iterable[Element], what: str, key: str = "id") -> Iterator[Problem]:
    seen: set[str] = set()
    for element in elements:
        value = element.get(key)
        if value is None:
            continue
        if value in seen:
            yield Problem(line_of(element), f"{what} id '{value}' is used twice")
        seen.add(value)


def structure_problems(root: Element) -> list[Problem]:
    """XLIFF 2 rules the core schema misses: unique file, unit, group and data ids, and a ``trgLang``
    that every target agrees with."""
    problems = list(_duplicates(root.iterfind(_q2("file")), "file"))
    for file in root.iterfind(_q2("file")):
        problems += _duplicates(file.iter(_q2("unit")), "unit")
        problems += _duplicates(file.iter(_q2("group")), "group")
        for original_data in file.iter(_q2("originalData")):
            problems += _duplicates(original_data.iterfind(_q2("data")), "data")
    problems += _target_languages(root)
    return problems


def _target_languages(root: Element) -> Iterator[Problem]:
    language = root.get("trgLang")
    for target in root.iter(_q2("target")):
        if language is None:
            yield Problem(line_of(target), "has a <target> but <xliff> has no trgLang")
            return
        declared = target.get(XML_LANG)
        if declared is not None and declared != language:
            yield Problem(line_of(target), f"<target> says xml:lang '{declared}', the document's trgLang is "
                                         f"'{language}'")


def reference_problems(root: Element) -> list[Problem]:
    """Per unit: inline ids unique on each side, each ``dataRef`` naming a ``<data>`` of the unit, each
    end code or marker closing a start that exists."""
    problems: list[Problem] = []
    for unit in root.iter(_q2("unit")):
        data = {d.get("id") for d in unit.iterfind(f"{_q2('originalData')}/{_q2('data')}")}
        sides = [(unit.iterfind(f"*/{_q2('source')}"), True), (unit.iterfind(f"*/{_q2('target')}"), False)]
        for contents, is_source in sides:
            inline = [e for content in contents for e in content.iter() if _inline_name(e)]
            problems += _side_problems(unit, inline, data, is_source)
    return problems


def _inline_name(element: Element) -> str:
    if not isinstance(element.tag, str):
        return ""
    name = etree.QName(element)
    return name.localname if name.namespace == NS2 and name.localname in (*_INLINE_2, "em") else ""


def _side_problems(unit: Element, inline: list[Element], data: set[str | None],
                   is_source: bool) -> Iterator[Problem]:
    identified = [e for e in inline if _inline_name(e) != "em" and e.get("id") is not None]
    segments = [s for s in unit if _is_part(s) and s.get("id") is not None] if is_source else []
    yield from _duplicates([*segments, *identified], "inline or segment")
    starts = {(_inline_name(e), e.get("id")) for e in inline}
    for element in inline:
        name = _inline_name(element)
        for attribute in ("dataRef", "dataRefStart", "dataRefEnd"):
            reference = element.get(attribute)
            if reference is not None and reference not in data:
                yield Problem(line_of(element), f"<{name}> {attribute}='{reference}' names no <data> of unit "
                                              f"'{unit.get('id')}'")
        start = {"ec": "sc", "em": "sm"}.get(name)
        if start and element.get("isolated") != "yes" and (start, element.get("startRef")) not in starts:
            yield Problem(line_of(element), f"<{name}> startRef='{element.get('startRef')}' closes no <{start}> "
                                          f"of unit '{unit.get('id')}'")


def _is_part(element: Element) -> bool:
    return isinstance(element.tag, str) and element.tag in (_q2("segment"), _q2("ignorable"))
