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
NOT_RELATIVE = re.compile(r"[/\\]|[A-Za-z][A-Za-z0-9+.-]*:")
"""Everything classify() tells apart starts like this; most hrefs do not, and are judged in one match."""
SCRIPT_SCHEMES = ("javascript:", "vbscript:")
QUERY_OR_FRAGMENT = re.compile(r"[?#]")
URL_TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")
URL_EDGE = "".join(map(chr, range(0x21)))
"""Browsers (WHATWG URL) drop tabs and newlines anywhere and C0 controls or spaces at the ends, so
'java&#9;script:' is a javascript: URL; hrefs are cleaned the same way before they are judged."""


class Kind(StrEnum):
    INSIDE = "inside"
    SCRIPT = "script"
    """javascript: or vbscript:, which run code instead of naming a document."""
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
    if not NOT_RELATIVE.match(ref):
        return None
    if ref.lower().startswith(SCRIPT_SCHEMES):
        return Kind.SCRIPT
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


def as_browser_reads(url: str) -> str:
    return URL_TAB_OR_NEWLINE.sub("", url).strip(URL_EDGE)


def resolve(href: str, bases: Sequence[str] = ()) -> Target:
    ref = as_browser_reads(href)
    if not ref:
        return Target(Kind.EMPTY, "")
    text = ref
    if bases and classify(ref) is None:  # a relative href: the bases apply, from the last non-relative one
        chain = [clean for base in bases if (clean := as_browser_reads(base))]
        start = max((i for i, part in enumerate(chain) if classify(part) is not None), default=0)
        text = joined(chain[start:], ref)
    kind = classify(text)
    if kind is not None:
        return Target(kind, text)
    return inside(text)


def inside(text: str) -> Target:
    backslash = "\\" in text
    path = unquote(QUERY_OR_FRAGMENT.split(text, maxsplit=1)[0].replace("\\", "/"))
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
