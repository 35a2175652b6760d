"""What a statement write does, without HTTP: validate, attach, set the LRS's properties, apply the host's
policies, store atomically. The HTTP app calls it; so may another server in the same process::

    service = LrsService(store, policies=[strict_cmi5])
    ids = service.save_statements([statement], client).ids
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from courseforge.lms.lrs.auth import Client
from courseforge.lms.lrs.errors import Rejected
from courseforge.lms.lrs.formats import fingerprint
from courseforge.lms.lrs.indexing import VOIDED_VERB
from courseforge.lms.lrs.policy import StatementBatch, StatementPolicy
from courseforge.lms.lrs.signature import check_signature, is_signature
from courseforge.lms.lrs.store import Attachment, LrsStore, NewStatement, SaveResult

DEFAULT_VERSION = "1.0.0"
HASHES = {64: hashlib.sha256, 96: hashlib.sha384, 128: hashlib.sha512}


def validate(statements: Sequence[object]) -> None:
    """The validator's exact reason as a 400 for the first invalid statement."""
    from courseforge.lms.lrs.validation import InvalidStatement, check_statement

    for number, statement in enumerate(statements):
        try:
            check_statement(statement, "statement" if len(statements) == 1 else f"statement[{number}]")
        except InvalidStatement as error:
            raise Rejected(error.reason) from None


def _digest_matches(sha2: str, content: bytes) -> bool:
    algorithm = HASHES.get(len(sha2))
    return algorithm is not None and algorithm(content).hexdigest() == sha2.lower()


def match_attachments(statements: Sequence[Mapping[str, Any]], parts: Sequence[Attachment]) -> list[Attachment]:
    """Every attachment without a fileUrl has its part, every part belongs to an attachment, hashes agree."""
    received: dict[str, Attachment] = {}
    for part in parts:
        if not _digest_matches(part.sha2, part.content):
            raise Rejected(f"attachment part {part.sha2}: X-Experience-API-Hash does not match its content")
        received[part.sha2.lower()] = part
    declared: set[str] = set()
    for statement in statements:
        for attachment in statement.get("attachments", ()):
            sha2 = str(attachment["sha2"]).lower()
            declared.add(sha2)
            if sha2 not in received and "fileUrl" not in attachment:
                raise Rejected(f"attachment {sha2} has no fileUrl and no part in the request")
            if is_signature(attachment):
                if sha2 not in received:
                    raise Rejected(f"signature attachment {sha2} must be sent as a part")
                check_signature(statement, attachment, received[sha2].content)
    extra = sorted(set(received) - declared)
    if extra:
        raise Rejected(f"attachment part {extra[0]} does not belong to any statement's attachments")
    return list(received.values())


def _check_ids(statements: Sequence[Mapping[str, Any]], statement_id: str | None) -> None:
    if statement_id is not None:
        given = statements[0].get("id")
        if given is not None and str(given).lower() != statement_id.lower():
            raise Rejected("statement.id does not match the statementId parameter")
    seen: set[str] = set()
    for statement in statements:
        if "id" in statement:
            key = str(statement["id"]).lower()
            if key in seen:
                raise Rejected(f"statement id {statement['id']} appears twice in the batch")
            seen.add(key)
    for statement in statements:
        target = statement.get("object")
        if statement["verb"]["id"] == VOIDED_VERB and not (
                isinstance(target, Mapping) and target.get("objectType") == "StatementRef"):
            raise Rejected("statement.object: a voiding statement's object must be a StatementRef")


def complete(statement: Mapping[str, Any], client: Client, statement_id: str | None) -> dict[str, Any]:
    """The LRS-set properties: id if missing, authority from the credentials, version 1.0.0 if missing."""
    result = dict(statement)
    result["id"] = str(result.get("id") or statement_id or uuid.uuid4())
    result["authority"] = dict(client.authority)
    result.setdefault("version", DEFAULT_VERSION)
    return result


StatementObserver = Callable[[StatementBatch], None]
"""Called with each stored batch, after the write lock is released (cmi5 records satisfied statements)."""


class LrsService:
    """Statement writes with the host's policies; policies and the write are serialized."""

    def __init__(self, store: LrsStore, policies: Sequence[StatementPolicy] = (),
                 observers: Sequence[StatementObserver] = ()) -> None:
        self.store = store
        self.policies = tuple(policies)
        self.observers = tuple(observers)
        self._write_lock = threading.Lock()

    def save_statements(self, statements: Sequence[object], client: Client,
                        parts: Sequence[Attachment] = (), statement_id: str | None = None) -> SaveResult:
        if not statements:
            raise Rejected("no statements in the request")
        validate(statements)
        checked: list[Mapping[str, Any]] = [statement for statement in statements if isinstance(statement, Mapping)]
        _check_ids(checked, statement_id)
        attachments = match_attachments(checked, parts)
        completed = [complete(statement, client, statement_id) for statement in checked]
        batch = tuple(NewStatement(item["id"], item, fingerprint(item)) for item in completed)
        with self._write_lock:
            for policy in self.policies:
                verdict = policy(StatementBatch(tuple(completed), client, self.store))
                if verdict is not None:
                    raise Rejected(verdict.reason, verdict.status)
            result = self.store.save_statements(batch, attachments)
        for observer in self.observers:
            observer(StatementBatch(tuple(completed), client, self.store))
        return result
