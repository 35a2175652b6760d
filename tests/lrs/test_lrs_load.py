"""Load: 20 concurrent clients post 20,000 statements in batches of 100 to ``courseforge lrs`` (a real
process), then ``more`` paging returns each of them exactly once.

``COURSEFORGE_LRS_LOAD_STATEMENTS`` scales the count down on a slow machine; the default is the issue's.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import httpx
from lrs_harness import SubprocessLrs, follow, headers, statement

CLIENTS = 20
BATCH = 100
TOTAL = int(os.environ.get("COURSEFORGE_LRS_LOAD_STATEMENTS", "20000"))
TIME_LIMIT_S = 90


def test_twenty_clients_then_more_paging_returns_each_once(tmp_path: Path) -> None:
    server = SubprocessLrs(tmp_path / "load.sqlite").start()
    registration = str(uuid.uuid4())
    posted: list[list[str]] = [[] for _ in range(CLIENTS)]
    failures: list[str] = []
    batches_per_client = TOTAL // (CLIENTS * BATCH)

    def run(number: int) -> None:
        with httpx.Client(base_url=server.endpoint, headers=headers(), timeout=60) as http:
            for _ in range(batches_per_client):
                batch = [statement(context={"registration": registration}) for _ in range(BATCH)]
                response = http.post("statements", json=batch)
                if response.status_code != 200:
                    failures.append(f"{response.status_code} {response.text[:200]}")
                    return
                posted[number].extend(response.json())

    try:
        started = time.monotonic()
        threads = [threading.Thread(target=run, args=(number,)) for number in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(TIME_LIMIT_S)
        assert not failures, failures[:3]
        sent = [statement_id for ids in posted for statement_id in ids]
        assert len(sent) == CLIENTS * batches_per_client * BATCH

        returned: list[str] = []
        with httpx.Client(base_url=server.endpoint, headers=headers(), timeout=60) as http:
            response = http.get("statements", params={"registration": registration, "limit": "100"})
            for _ in range(TOTAL // 100 + 10):
                assert response.status_code == 200, response.text
                page = response.json()
                returned.extend(item["id"] for item in page["statements"])
                if not page["more"]:
                    break
                # a statement stored while paging must not shift the pages
                http.post("statements", json=statement(context={"registration": registration}))
                response = follow(http, page["more"])
        elapsed = time.monotonic() - started
        duplicates = [statement_id for statement_id, count in Counter(returned).items() if count > 1]
        assert not duplicates, duplicates[:5]
        assert set(returned) == set(sent)
        assert elapsed < TIME_LIMIT_S, f"load test took {elapsed:.1f} s"
    finally:
        server.kill()
