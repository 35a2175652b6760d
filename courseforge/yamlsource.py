"""YAML parsing that keeps file:line:col for every key and item, and refuses duplicate keys.

PyYAML's composer gives nodes with marks; we build plain data from them ourselves so every mapping can
carry its origin and every key path its location.

Aliases make a small file stand for a huge or endless value (a "billion laughs" bomb, ``&a [*a]``), and
the data we build expands every alias. So the composer counts, as it goes, how many values the document
holds once expanded and how deep it nests, and stops at the alias (or value) that passes a cap, before
anything big is built: a recursive alias, more than ``max_nodes`` values, or more than
:data:`MAX_DEPTH` levels is a diagnostic at that line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import CollectionNode, MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from courseforge.diagnostics import DiagnosticSink, Location
from courseforge.model.project import DEFAULT_LIMITS
from courseforge.model.source import FIELDS_KEY, ORIGIN_KEY, ParsedDocument
from courseforge.stages.inputs import check_value

KeyPath = tuple[str | int, ...]
MAX_NODES = DEFAULT_LIMITS.yaml_nodes
"""Default cap on the values of one document, aliases expanded (courseforge.yaml ``limits.yaml_nodes``)."""
MAX_DEPTH = 100
"""Nesting levels, aliases expanded; course files use about ten."""
ParserEvent = Any
"""An event of libyaml's or PyYAML's parser (their stubs give them different Mark classes)."""
SIZE_HINT = "write the values out, use fewer aliases, or raise limits.yaml_nodes in courseforge.yaml"


class PyParser(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser):
    """PyYAML's own event parser, for a PyYAML built without libyaml."""

    def __init__(self, text: str) -> None:
        yaml.reader.Reader.__init__(self, text)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)


PARSER: type[Any] = getattr(yaml.cyaml, "CParser", None) or PyParser
"""libyaml's event parser when PyYAML was built with it (several times faster), else PyYAML's own."""


class YamlLimitError(Exception):
    """A cap passed while composing: what, and where (the alias or value that passed it)."""

    def __init__(self, code: str, message: str, mark: Any, hint: str) -> None:
        super().__init__(message)
        self.code, self.message, self.mark, self.hint = code, message, mark, hint


@dataclass
class OpenNode:
    """A sequence or mapping whose end event has not come yet."""

    node: CollectionNode
    anchor: str | None
    expanded_before: int
    height: int = 0
    """Of its tallest child so far (aliases expanded)."""
    key: Node | None = None
    """A mapping's key waiting for its value."""


@dataclass
class BoundedComposer:
    """Nodes from parser events, as PyYAML's composer makes them, counting what the document holds with its
    aliases expanded: an alias costs the size of its anchor's node, and one to a node still open (recursion)
    is refused. Iterative, so nesting never meets Python's recursion limit."""

    max_nodes: int
    resolver: Resolver = field(default_factory=Resolver)
    anchors: dict[str, Node] = field(default_factory=dict)
    sizes: dict[str, tuple[int, int]] = field(default_factory=dict)
    """anchor -> (expanded size, height) of its node, once the node is complete."""
    stack: list[OpenNode] = field(default_factory=list)
    expanded: int = 0
    root: Node | None = None

    def compose(self, parser: Any) -> Node | None:
        parser.get_event()
        if parser.check_event(StreamEndEvent):
            return None
        start = parser.get_event()
        while self.root is None:
            self.take(parser.get_event())
        parser.get_event()
        if not parser.check_event(StreamEndEvent):
            raise ComposerError("expected a single document in the stream", start.start_mark,
                                "but found another document", parser.get_event().start_mark)
        return self.root

    def take(self, event: ParserEvent) -> None:
        if isinstance(event, AliasEvent):
            self.attach(self.alias(event), self.sizes[str(event.anchor)][1])
        elif isinstance(event, ScalarEvent):
            self.scalar(event)
        elif isinstance(event, SequenceStartEvent | MappingStartEvent):
            self.open(event)
        elif isinstance(event, CollectionEndEvent):
            self.close(event)

    def scalar(self, event: ParserEvent) -> None:
        self.grow(1, 1, event)
        node = ScalarNode(self.tag(event, ScalarNode, event.value), event.value, event.start_mark, event.end_mark,
                          style=event.style)
        self.anchor(event, node)
        self.attach(node, 1)

    def tag(self, event: ParserEvent, kind: type[Node], value: str | None) -> str:
        """The event's tag, or the one its plain form resolves to (``!!int`` for ``12``), as PyYAML does."""
        if event.tag not in (None, "!"):
            return str(event.tag)
        return str(self.resolver.resolve(kind, value, event.implicit))  # type: ignore[no-untyped-call]

    def open(self, event: ParserEvent) -> None:
        self.grow(1, 1, event)
        kind = SequenceNode if isinstance(event, SequenceStartEvent) else MappingNode
        tag = self.tag(event, kind, None)
        node = kind(tag, [], event.start_mark, None, flow_style=event.flow_style)
        self.anchor(event, node)
        self.stack.append(OpenNode(node, event.anchor, self.expanded - 1))

    def close(self, event: ParserEvent) -> None:
        done = self.stack.pop()
        done.node.end_mark = event.end_mark
        size, height = self.expanded - done.expanded_before, done.height + 1
        if done.anchor is not None:
            self.sizes[done.anchor] = (size, height)
        self.attach(done.node, height)

    def anchor(self, event: ParserEvent, node: Node) -> None:
        if event.anchor is None:
            return
        if event.anchor in self.anchors:
            raise ComposerError(f"found duplicate anchor {event.anchor!r}; first occurrence",
                                self.anchors[event.anchor].start_mark, "second occurrence", event.start_mark)
        self.anchors[event.anchor] = node

    def alias(self, event: ParserEvent) -> Node:
        anchor = str(event.anchor)
        if anchor not in self.anchors:
            raise ComposerError(None, None, f"found undefined alias {anchor!r}", event.start_mark)
        if anchor not in self.sizes:
            raise YamlLimitError("yaml.recursive-alias", f"alias '*{anchor}' is used inside its own anchor "
                                 f"'&{anchor}': the value would never end", event.start_mark,
                                 "repeat the value instead of the alias, or move the alias out of it")
        self.grow(*self.sizes[anchor], event)
        return self.anchors[anchor]

    def grow(self, size: int, height: int, event: ParserEvent) -> None:
        """Count a value (or an alias's expansion) before it is made; stop at the cap or too deep."""
        self.expanded += size
        if self.expanded > self.max_nodes:
            what = "with this alias, the document expands to" if isinstance(event, AliasEvent) else "the document holds"
            raise YamlLimitError("yaml.too-large", f"{what} more than {self.max_nodes:,} values", event.start_mark,
                                 SIZE_HINT)
        if len(self.stack) + height > MAX_DEPTH:
            raise YamlLimitError("yaml.too-deep", f"values nest deeper than {MAX_DEPTH} levels (aliases expanded)",
                                 event.start_mark, "flatten the structure")

    def attach(self, node: Node, height: int) -> None:
        """Hand a complete node to its parent (a mapping takes a key, then its value)."""
        if not self.stack:
            self.root = node
            return
        parent = self.stack[-1]
        if height > parent.height:
            parent.height = height
        if isinstance(parent.node, SequenceNode):
            parent.node.value.append(node)
        elif parent.key is None:
            parent.key = node
        else:
            parent.node.value.append((parent.key, node))
            parent.key = None


class _Builder:
    def __init__(self, path: str, line_offset: int, sink: DiagnosticSink) -> None:
        self.path = path
        self.line_offset = line_offset
        self.sink = sink
        self.marks: dict[KeyPath, Location] = {}
        self.constructor = yaml.constructor.SafeConstructor()

    def location(self, node: yaml.Node) -> Location:
        mark = node.start_mark
        return Location(self.path, mark.line + 1 + self.line_offset, mark.column + 1)

    def build(self, node: yaml.Node, key_path: KeyPath) -> Any:
        self.marks.setdefault(key_path, self.location(node))
        if isinstance(node, yaml.MappingNode):
            return self.build_mapping(node, key_path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*key_path, index)) for index, item in enumerate(node.value)]
        value = self.constructor.construct_object(node, deep=True)
        if isinstance(value, str):
            check_value(value, self.location(node), self.sink)
        return value

    def build_mapping(self, node: yaml.MappingNode, key_path: KeyPath) -> dict[Any, Any]:
        fields: dict[str, Location] = {}
        result: dict[Any, Any] = {ORIGIN_KEY: self.location(node), FIELDS_KEY: fields}
        for key_node, value_node in node.value:
            key = self.constructor.construct_object(key_node, deep=True)
            if isinstance(key, str) and not check_value(key, self.location(key_node), self.sink):
                continue
            if not isinstance(key, str | int | float | bool):
                self.sink.error("yaml.bad-key", "mapping keys must be plain words", self.location(key_node))
                continue
            key = str(key) if not isinstance(key, str) else key
            if key in result:
                self.sink.error(
                    "yaml.duplicate-key", f"key '{key}' appears twice in the same mapping",
                    self.location(key_node), hint="remove or rename one of them; YAML keeps only the last",
                )
                continue
            self.marks[(*key_path, key)] = fields[key] = self.location(key_node)
            result[key] = self.build(value_node, (*key_path, key))
        return result


def compose(text: str, max_nodes: int) -> Node | None:
    """The document's node graph (aliases shared, as PyYAML composes it), within the caps."""
    return BoundedComposer(max_nodes).compose(PARSER(text))


def parse_yaml(text: str, path: str, sink: DiagnosticSink, line_offset: int = 0, *,
               max_nodes: int = MAX_NODES) -> ParsedDocument | None:
    """Parse one YAML document; on a syntax error or a passed cap report it (with its line) and return None."""
    try:
        node = compose(text, max_nodes)
    except YamlLimitError as error:
        sink.error(error.code, error.message, Location(path, error.mark.line + 1 + line_offset,
                                                       error.mark.column + 1), hint=error.hint)
        return None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = (mark.line + 1 + line_offset) if mark else 1
        col = (mark.column + 1) if mark else 1
        problem = error.problem or "malformed YAML"
        context = f" ({error.context})" if error.context else ""
        sink.error("yaml.syntax", f"malformed YAML: {problem}{context}", Location(path, line, col),
                   hint="check indentation, colons and quotes around text containing ': ' or '#'")
        return None
    except yaml.YAMLError as error:
        sink.error("yaml.syntax", f"malformed YAML: {error}", Location(path, 1 + line_offset, 1))
        return None
    if node is None:
        return ParsedDocument(path, None, {(): Location(path, 1 + line_offset, 1)})
    builder = _Builder(path, line_offset, sink)
    try:
        data = builder.build(node, ())
    except yaml.constructor.ConstructorError as error:
        mark = error.problem_mark
        line = mark.line + 1 + line_offset if mark else 1
        sink.error("yaml.syntax", f"unsupported YAML value: {error.problem}", Location(path, line, 1))
        return None
    return ParsedDocument(path, data, builder.marks)
