"""The validator's whole table of invalid statements, sent over real HTTP: each is a 400 whose body is
the exact reason, and none of them is stored (single statements, PUT by id, and inside a batch)."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable

import httpx
import pytest
from test_validation import BASE, INVALID


def with_fresh_id(statement: object) -> object:
    """Each case gets an id of its own unless the case is about the id, so nothing can collide."""
    if isinstance(statement, dict) and statement.get("id") == BASE.get("id"):
        return {**statement, "id": str(uuid.uuid4())}
    return statement


def test_the_http_table_has_at_least_sixty_statements() -> None:
    assert len(INVALID) >= 60


@pytest.mark.parametrize(("build", "reason"), [pytest.param(b, r, id=n) for n, b, r in INVALID])
def test_each_invalid_statement_is_a_400_with_its_reason(client: httpx.Client, build: Callable[[], object],
                                                         reason: str) -> None:
    sent = with_fresh_id(build())
    if isinstance(sent, list):  # a JSON array is a batch for POST; as one statement it goes by PUT
        response = client.put("statements", params={"statementId": str(uuid.uuid4())}, json=sent)
        assert response.status_code == 400, response.text
        return
    response = client.post("statements", json=sent)
    assert response.status_code == 400, response.text
    assert response.text.startswith(reason), response.text
    if isinstance(sent, dict) and isinstance(sent.get("id"), str):
        assert client.get("statements", params={"statementId": sent["id"]}).status_code in (400, 404)


def test_one_invalid_statement_refuses_the_whole_batch(client: httpx.Client) -> None:
    good = [with_fresh_id(copy.deepcopy(BASE)) for _ in range(3)]
    bad = with_fresh_id(INVALID[0][1]())
    response = client.post("statements", json=[*good, bad])
    assert response.status_code == 400
    for statement in good:
        assert isinstance(statement, dict)
        assert client.get("statements", params={"statementId": statement["id"]}).status_code == 404
