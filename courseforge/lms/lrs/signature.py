"""Signed statements (xAPI 1.0.3 Data 2.6): the JWS signature attachment is checked structurally.

The LRS keeps signed statements as they are; it does not hold the signer's key, so it checks what it can:
the attachment's contentType, a compact JWS with an RS256/384/512 header, and a payload that is the
same statement (by the statement comparison rules).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any

from courseforge.lms.lrs.errors import Rejected
from courseforge.lms.lrs.formats import same_statement

SIGNATURE_USAGE = "http://adlnet.gov/expapi/attachments/signature"
SIGNATURE_CONTENT_TYPE = "application/octet-stream"
ALGORITHMS = ("RS256", "RS384", "RS512")


def is_signature(attachment: Mapping[str, Any]) -> bool:
    return attachment.get("usageType") == SIGNATURE_USAGE


def _segment(text: str, what: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise Rejected(f"the signature's {what} is not base64url") from None


def _json_segment(text: str, what: str) -> Any:
    try:
        return json.loads(_segment(text, what))
    except (ValueError, UnicodeDecodeError):
        raise Rejected(f"the signature's {what} is not JSON") from None


def check_signature(statement: Mapping[str, Any], attachment: Mapping[str, Any], content: bytes) -> None:
    """Raise ``Rejected`` (400) unless ``content`` is a JWS signing this very statement."""
    if str(attachment.get("contentType", "")).split(";")[0].strip().lower() != SIGNATURE_CONTENT_TYPE:
        raise Rejected(f"a signature attachment must have contentType {SIGNATURE_CONTENT_TYPE}")
    try:
        segments = content.decode("ascii").strip().split(".")
    except UnicodeDecodeError:
        raise Rejected("the signature is not a JWS compact serialization") from None
    if len(segments) != 3 or not all(segments):
        raise Rejected("the signature is not a JWS compact serialization (header.payload.signature)")
    header = _json_segment(segments[0], "header")
    if not isinstance(header, dict) or header.get("alg") not in ALGORITHMS:
        raise Rejected(f"the signature's JWS header must use alg {', '.join(ALGORITHMS)}")
    payload = _json_segment(segments[1], "payload")
    same_id = str(payload.get("id", statement.get("id", ""))).lower() == str(statement.get("id", "")).lower() \
        if isinstance(payload, dict) else False
    if not isinstance(payload, dict) or not same_id or not same_statement(payload, statement):
        raise Rejected("the signature's payload does not match the statement")
    _segment(segments[2], "signature")
