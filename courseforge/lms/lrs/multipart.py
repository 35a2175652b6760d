"""multipart/mixed as xAPI uses it for attachments: a JSON part first, then one part per attachment."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from courseforge.lms.lrs.errors import Rejected

BOUNDARY = re.compile(r'boundary=(?:"([^"]+)"|([^;\s]+))', re.IGNORECASE)


@dataclass(frozen=True)
class Part:
    headers: dict[str, str]
    content: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "text/plain")


def is_multipart(content_type: str) -> bool:
    return content_type.split(";")[0].strip().lower() == "multipart/mixed"


def _headers(block: bytes) -> dict[str, str]:
    headers: dict[str, str] = {}
    for line in block.decode("utf-8", "replace").split("\r\n"):
        name, colon, value = line.partition(":")
        if not colon:
            raise Rejected("a multipart part has a malformed header line")
        headers[name.strip().lower()] = value.strip()
    return headers


def parse_multipart(content_type: str, body: bytes) -> list[Part]:
    """The parts of a multipart/mixed body (CRLF line ends, as RFC 2046 requires)."""
    match = BOUNDARY.search(content_type)
    if match is None:
        raise Rejected("multipart/mixed without a boundary")
    delimiter = b"\r\n--" + (match.group(1) or match.group(2)).encode()
    chunks = (b"\r\n" + body).split(delimiter)
    parts: list[Part] = []
    for chunk in chunks[1:]:
        if chunk.startswith(b"--"):
            return parts
        _, newline, rest = chunk.partition(b"\r\n")
        head, separator, content = rest.partition(b"\r\n\r\n")
        if not newline or not separator:
            if rest.startswith(b"\r\n"):
                parts.append(Part({}, rest[2:]))
                continue
            raise Rejected("a multipart part has no blank line after its headers")
        parts.append(Part(_headers(head) if head else {}, content))
    raise Rejected("the multipart body has no closing boundary")


def write_multipart(parts: list[Part]) -> tuple[str, bytes]:
    """(Content-Type header value, body) for these parts."""
    boundary = secrets.token_hex(16)
    chunks: list[bytes] = []
    for part in parts:
        head = "".join(f"{name}: {value}\r\n" for name, value in part.headers.items())
        chunks.append(f"--{boundary}\r\n{head}\r\n".encode() + part.content + b"\r\n")
    chunks.append(f"--{boundary}--\r\n".encode())
    return f"multipart/mixed; boundary={boundary}", b"".join(chunks)
