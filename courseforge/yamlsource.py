"""YAML parsing that keeps file:line:col for every key and item, and refuses duplicate keys.

PyYAML's composer gives nodes with marks; we build plain data from them ourselves so every mapping can
carry its origin and every key path its location.
"""

from __future__ import annotations

from typing import Any

import yaml

from courseforge.diagnostics import DiagnosticSink, Location
from courseforge.model.source import FIELDS_KEY, ORIGIN_KEY, ParsedDocument

KeyPath = tuple[str | int, ...]
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser when PyYAML was built with it: same nodes and marks, several times faster."""


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
        return self.constructor.construct_object(node, deep=True)

    def build_mapping(self, node: yaml.MappingNode, key_path: KeyPath) -> dict[Any, Any]:
        fields: dict[str, Location] = {}
        result: dict[Any, Any] = {ORIGIN_KEY: self.location(node), FIELDS_KEY: fields}
        for key_node, value_node in node.value:
            key = self.constructor.construct_object(key_node, deep=True)
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


def parse_yaml(text: str, path: str, sink: DiagnosticSink, line_offset: int = 0) -> ParsedDocument | None:
    """Parse one YAML document; on a syntax error report it (with its line) and return None."""
    try:
        node = yaml.compose(text, Loader=SafeLoader)
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
