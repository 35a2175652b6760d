"""Resolve a manifest href (with its xml:base chain) to a path inside the package, or say why it is not one.

Pure string work, no zip or XML: hrefs are URI references, so query and fragment are dropped and
%-escapes decoded before the result is compared with zip entry names.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import unquote

SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:")
DRIVE = re.compile(r"^[A-Za-z]:")


class Kind(StrEnum):
    INSIDE = "inside"
    EXTERNAL = "external"
    """A URL with a scheme (http:, https:, data:...) or a network path (//host/...)."""
    ABSOLUTE = "absolute"
    """A file-system path (/x, C:\\x, \\\\server\\x, file:...) that only works on the author's machine."""
    PARENT = "parent"
    """Relative, but '..' climbs above the package root."""
    EMPTY = "empty"


@dataclass(frozen=True)
class Target:
    kind: Kind
    path: str
    """For INSIDE the decoded posix path to look up in the zip; otherwise the joined text."""
    backslash: bool = False


def classify(ref: str) -> Kind | None:
    """The kind of a reference that cannot be relative; None when it is relative."""
    if ref.startswith("//"):
        return Kind.EXTERNAL
    if ref.startswith(("/", "\\")) or DRIVE.match(ref) or ref.lower().startswith("file:"):
        return Kind.ABSOLUTE
    if SCHEME.match(ref):
        return Kind.EXTERNAL
    return None


def as_folder(base: str) -> str:
    return base if base.endswith(("/", "\\")) else base + "/"


def joined(bases: Sequence[str], href: str) -> str:
    """The href as the manifest means it: every xml:base (outermost first) taken as a folder."""
    return "".join(as_folder(base) for base in bases if base) + href


def resolve(href: str, bases: Sequence[str] = ()) -> Target:
    ref = href.strip()
    if not ref:
        return Target(Kind.EMPTY, "")
    chain = [base.strip() for base in bases if base.strip()]
    start = max((i for i, part in enumerate([*chain, ref]) if classify(part) is not None), default=0)
    text = joined(chain[start:], ref) if start < len(chain) else ref
    kind = classify(text)
    if kind is not None:
        return Target(kind, text)
    return inside(text)


def inside(text: str) -> Target:
    backslash = "\\" in text
    path = unquote(re.split(r"[?#]", text, maxsplit=1)[0].replace("\\", "/"))
    if classify(path) is Kind.ABSOLUTE:
        return Target(Kind.ABSOLUTE, path, backslash)
    parts: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if not parts:
                return Target(Kind.PARENT, text, backslash)
            parts.pop()
        elif segment not in ("", "."):
            parts.append(segment)
    return Target(Kind.INSIDE, "/".join(parts), backslash)
