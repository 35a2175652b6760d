"""SIGKILL while a large batch POST is in flight: after a restart on the same database the batch is
stored whole or not at all, and every statement acknowledged with a 200 before is there."""

from __future__ import annotations

import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from lrs_harness import SubprocessLrs, follow, headers, statement

BATCH = 3000
DELAYS = (0.05, 0.15, 0.3)


def count_registration(endpoint: str, registration: str) -> int:
    with httpx.Client(base_url=endpoint, headers=headers(), timeout=30) as http:
        total, response = 0, http.get("statements", params={"registration": registration, "limit": "500"})
        for _ in range(100):
            page = response.json()
            total += len(page["statements"])
            if not page["more"]:
                return total
            response = follow(http, page["more"])
    raise AssertionError("paging did not end")


def post_in_background(endpoint: str, batch: list[dict[str, Any]]) -> tuple[threading.Thread, dict[str, object]]:
    """Start the POST in a thread; ``outcome`` gets its status, or the transport error the kill caused."""
    outcome: dict[str, object] = {}

    def post() -> None:
        try:
            outcome["status"] = httpx.post(endpoint + "statements", json=batch, headers=headers(),
                                           timeout=30).status_code
        except httpx.TransportError as error:
            outcome["error"] = error

    sender = threading.Thread(target=post)
    sender.start()
    return sender, outcome


def test_sigkill_during_a_batch_keeps_all_or_nothing(tmp_path: Path) -> None:
    database = tmp_path / "kill.sqlite"
    acknowledged: list[str] = []
    in_flight_kills = 0
    server = SubprocessLrs(database).start()
    try:
        for delay in DELAYS:
            with httpx.Client(base_url=server.endpoint, headers=headers(), timeout=30) as http:
                response = http.post("statements", json=[statement() for _ in range(50)])
                assert response.status_code == 200
                acknowledged.extend(response.json())
            registration = str(uuid.uuid4())
            sender, outcome = post_in_background(
                server.endpoint, [statement(context={"registration": registration}) for _ in range(BATCH)])
            time.sleep(delay)
            server.kill()
            sender.join(30)
            in_flight_kills += "error" in outcome
            server = SubprocessLrs(database).start()
            stored = count_registration(server.endpoint, registration)
            assert stored in (0, BATCH), f"partial batch after SIGKILL at {delay}s: {stored} of {BATCH}"
            if outcome.get("status") == 200:
                assert stored == BATCH
            with httpx.Client(base_url=server.endpoint, headers=headers(), timeout=30) as http:
                for statement_id in acknowledged:
                    assert http.get("statements", params={"statementId": statement_id}).status_code == 200
    finally:
        server.kill()
    assert in_flight_kills >= 1, "no kill landed while the batch was in flight: make BATCH larger"
