"""Reading units back out of a checked XLIFF document, version-neutrally: the text of the source and the
target with every inline code replaced by the Markdown it stands for (1.2: the code element's content;
2.x: its ``<data>``), so codes come back byte for byte, and whatever cannot be read back is named.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree

from courseforge.i18n.xliff_model import NS2, NS12, line_of, logical_id

Element = etree._Element

NOT_FUZZY_12 = frozenset({"translated", "final", "signed-off"})
"""1.2 target states that mean done; every other state (``needs-review-*``, ``new``, ``x-...``) with a
target is imported as fuzzy, so nobody's unreviewed text ships as reviewed."""
_CODES_12 = frozenset({"ph", "bpt", "ept", "it"})
"""1.2 elements whose content is the native code."""


@dataclass(frozen=True)
class Content:
    """A source or target as text, with the codes found in it and what could not be read."""

    text: str
    codes: tuple[str, ...]
    problems: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not self.text and not self.problems


@dataclass(frozen=True)
class ReadUnit:
    id: str
    """The logical id (msgctxt path, with ``[i]`` for a plural form)."""
    line: int
    source: Content
    target: Content | None
    """``None`` when the file holds no translation for the unit."""
    fuzzy: bool


@dataclass
class _Collector:
    parts: list[str] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def code(self, value: str) -> None:
        self.parts.append(value)
        self.codes.append(value)

    def content(self) -> Content:
        return Content("".join(self.parts), tuple(self.codes), tuple(self.problems))


def _name(element: Element, namespace: str) -> str:
    """Local name of an XLIFF element; empty for comments, processing instructions and other namespaces."""
    if not isinstance(element.tag, str):
        return ""
    qname = etree.QName(element)
    return qname.localname if qname.namespace == namespace else f"{{{qname.namespace}}}{qname.localname}"


def units(root: Element, version: str) -> Iterator[ReadUnit]:
    return _units12(root) if version == "1.2" else _units2(root)


def target_languages(root: Element, version: str) -> Iterator[tuple[str, int]]:
    """Each declared target language with its line (1.2: per ``<file>``; 2.x: ``trgLang``)."""
    if version != "1.2":
        if root.get("trgLang"):
            yield str(root.get("trgLang")), line_of(root)
        return
    for file in root.iterfind(f"{{{NS12}}}file"):
        if file.get("target-language"):
            yield str(file.get("target-language")), line_of(file)


# ------------------------------------------------------------------------------------------------ 1.2
def _units12(root: Element) -> Iterator[ReadUnit]:
    for unit in root.iter(f"{{{NS12}}}trans-unit"):
        source = _content12(unit.find(f"{{{NS12}}}source"))
        target_element = unit.find(f"{{{NS12}}}target")
        target = None if target_element is None else _content12(target_element)
        yield ReadUnit(str(unit.get("id", "")), line_of(unit), source,
                       None if target is None or target.empty else target, _fuzzy12(unit, target_element))


def _fuzzy12(unit: Element, target: Element | None) -> bool:
    """Done when the unit is ``approved="yes"`` (1.2: passed its final review) or, without an approval
    either way, when its state says so; an explicit ``approved="no"`` (a reviewer withdrew it, or a tool
    that writes every unfinished target so, as translate-toolkit does) is not done."""
    if target is None:
        return False
    approved = unit.get("approved")
    if approved is not None:
        return approved != "yes"
    state = target.get("state")
    return state is not None and state not in NOT_FUZZY_12


def _content12(element: Element | None) -> Content:
    out = _Collector()
    if element is not None:
        _read12(element, out)
    return out.content()


def _read12(element: Element, out: _Collector) -> None:
    out.parts.append(element.text or "")
    for child in element:
        name = _name(child, NS12)
        if name in _CODES_12 and len(child):
            out.problems.append(f"<{name} id='{child.get('id')}'> holds markup instead of the code")
        elif name in _CODES_12:
            out.code(child.text or "")
        elif name == "mrk":
            _read12(child, out)
        elif name:
            out.problems.append(f"<{name}> is not an inline code this exchange uses")
        out.parts.append(child.tail or "")


# ------------------------------------------------------------------------------------------------ 2.x
def _q2(name: str) -> str:
    return f"{{{NS2}}}{name}"


def _units2(root: Element) -> Iterator[ReadUnit]:
    for unit in root.iter(_q2("unit")):
        data = {str(d.get("id")): _data_text(d) for d in unit.iterfind(f"{_q2('originalData')}/{_q2('data')}")}
        parts = [p for p in unit if _name(p, NS2) in ("segment", "ignorable")]
        source = _Collector()
        for part in parts:
            _read2(part.find(_q2("source")), data, source)
        target, fuzzy = _target2(parts, data)
        token = str(unit.get("id", ""))
        yield ReadUnit(logical_id(token) or token, line_of(unit), source.content(), target, fuzzy)


def _target2(parts: list[Element], data: dict[str, str]) -> tuple[Content | None, bool]:
    """The unit's translation: targets in their ``order``; an ``<ignorable>`` without target stands for
    itself, a ``<segment>`` without target leaves the unit partly translated (a problem, not a guess)."""
    segments = [p for p in parts if _name(p, NS2) == "segment"]
    translated = [s for s in segments if s.find(_q2("target")) is not None]
    if not translated:
        return None, False
    out = _Collector()
    placed: list[tuple[int, int, Element]] = []
    for position, part in enumerate(parts, start=1):
        target = part.find(_q2("target"))
        if target is None and _name(part, NS2) == "segment":
            out.problems.append(f"segment {position} has no target (the unit is only partly translated)")
        chosen = part.find(_q2("source")) if target is None else target
        order = int(target.get("order", position)) if target is not None else position
        if chosen is not None:
            placed.append((order, position, chosen))
    for _, _, element in sorted(placed, key=lambda item: (item[0], item[1])):
        _read2(element, data, out)
    content = out.content()
    fuzzy = any(s.get("state", "initial") == "initial" for s in translated)
    return (None if content.empty else content), fuzzy


def _data_text(element: Element) -> str:
    out = _Collector()
    _read2(element, {}, out)
    return "".join(out.parts)


def _read2(element: Element | None, data: dict[str, str], out: _Collector) -> None:
    if element is None:
        return
    out.parts.append(element.text or "")
    for child in element:
        _read_inline2(child, data, out)
        out.parts.append(child.tail or "")


def _read_inline2(child: Element, data: dict[str, str], out: _Collector) -> None:
    name = _name(child, NS2)
    if name == "cp":
        _code_point(child, out)
    elif name in ("ph", "sc", "ec"):
        _reference(child, name, "dataRef", data, out)
    elif name == "pc":
        _reference(child, name, "dataRefStart", data, out)
        _read2(child, data, out)
        _reference(child, name, "dataRefEnd", data, out)
    elif name == "mrk":
        _read2(child, data, out)
    elif name and name not in ("sm", "em"):
        out.problems.append(f"<{name}> is not an inline code this exchange uses")


def _reference(element: Element, name: str, attribute: str, data: dict[str, str], out: _Collector) -> None:
    reference = element.get(attribute)
    if reference is not None and reference in data:
        out.code(data[reference])
    else:
        code_id = element.get("id") or element.get("startRef")
        out.problems.append(f"<{name} id='{code_id}'> has no original data ({attribute}='{reference}')")


def _code_point(element: Element, out: _Collector) -> None:
    try:
        out.parts.append(chr(int(str(element.get("hex")), 16)))
    except (ValueError, OverflowError):
        out.problems.append(f"<cp hex='{element.get('hex')}'> is not a code point")
