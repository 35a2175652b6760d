"""Documents (State, Activity Profile, Agent Profile): keys, ETags, concurrency preconditions, JSON merge.

Pure rules; the store applies them inside one write transaction (``LrsStore.modify_document``), so a
compare-and-set with If-Match is atomic: of concurrent writers holding the same ETag exactly one wins.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from enum import Enum
from typing import Any

from courseforge.lms.lrs.errors import Rejected


class DocumentKind(Enum):
    STATE = "state"
    ACTIVITY_PROFILE = "activity_profile"
    AGENT_PROFILE = "agent_profile"


@dataclass(frozen=True)
class DocumentScope:
    """All documents of one kind for one activity/agent/registration (a list or a delete-all)."""

    kind: DocumentKind
    activity_id: str = ""
    agent: str = ""
    registration: str = ""


@dataclass(frozen=True)
class DocumentKey:
    scope: DocumentScope
    document_id: str


@dataclass(frozen=True)
class Document:
    key: DocumentKey
    content: bytes
    content_type: str
    etag: str
    updated: str
    updated_us: int


@dataclass(frozen=True)
class DocumentContent:
    content: bytes
    content_type: str


class DocumentError(Rejected):
    """A document request the rules refuse; ``status`` is the HTTP answer."""


class PreconditionFailed(DocumentError):
    status = 412


class PreconditionRequired(DocumentError):
    """A PUT without If-Match/If-None-Match over an existing profile document (xAPI: 409 Conflict)."""

    status = 409


class NotMergeable(DocumentError):
    status = 400


def etag_of(content: bytes) -> str:
    """A strong ETag: the quoted SHA-1 of the content (what the xAPI spec suggests)."""
    return f'"{hashlib.sha1(content).hexdigest()}"'


def _etags(header: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}


@dataclass(frozen=True)
class Precondition:
    """The request's If-Match / If-None-Match, and whether a PUT over an existing document needs one."""

    if_match: str | None = None
    if_none_match: str | None = None
    required_for_overwrite: bool = False

    def check(self, current: Document | None) -> None:
        if self.if_match is not None:
            tags = _etags(self.if_match)
            if current is None or not ("*" in tags or current.etag in tags):
                raise PreconditionFailed("If-Match does not match the current document")
        if self.if_none_match is not None:
            tags = _etags(self.if_none_match)
            if current is not None and ("*" in tags or current.etag in tags):
                raise PreconditionFailed("If-None-Match matches the current document")
        if self.required_for_overwrite and current is not None and self.if_match is None \
                and self.if_none_match is None:
            raise PreconditionRequired("the document exists: send If-Match (its ETag) or If-None-Match")


UNCONDITIONAL = Precondition()


def is_json_type(content_type: str) -> bool:
    return content_type.split(";")[0].strip().lower() == "application/json"


def _json_object(content: bytes, what: str) -> dict[str, Any]:
    try:
        value = json.loads(content)
    except (ValueError, UnicodeDecodeError):
        raise NotMergeable(f"{what} is not JSON") from None
    if not isinstance(value, dict):
        raise NotMergeable(f"{what} is not a JSON object")
    return value


def merged(current: Document | None, posted: DocumentContent) -> DocumentContent:
    """POST semantics: merge the posted JSON object's top-level properties into the stored one."""
    if not is_json_type(posted.content_type):
        raise NotMergeable("the posted document is not application/json, so it cannot be merged")
    incoming = _json_object(posted.content, "the posted document")
    if current is None:
        return DocumentContent(json.dumps(incoming).encode(), "application/json")
    if not is_json_type(current.content_type):
        raise NotMergeable("the stored document is not application/json, so it cannot be merged")
    base = _json_object(current.content, "the stored document")
    base.update(incoming)
    return DocumentContent(json.dumps(base).encode(), "application/json")
