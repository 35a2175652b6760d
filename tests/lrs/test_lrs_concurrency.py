"""Concurrent writers: of PUTs holding the same ETag exactly one wins, the others get 412."""

from __future__ import annotations

import json
import threading
import uuid

import httpx
from lrs_harness import ThreadedLrs

WRITERS = 12


def test_concurrent_if_match_puts_have_exactly_one_winner(lrs: ThreadedLrs, client: httpx.Client) -> None:
    params = {"activityId": f"https://example.com/race/{uuid.uuid4()}", "profileId": "counter"}
    created = client.put("activities/profile", params=params, json={"value": 0}, headers={"If-None-Match": "*"})
    assert created.status_code == 204, created.text
    etag = client.get("activities/profile", params=params).headers["ETag"]
    barrier = threading.Barrier(WRITERS)
    statuses: dict[int, int] = {}

    def write(number: int) -> None:
        with lrs.client() as own:
            barrier.wait(10)
            # Each writer's content differs from the document's (value 0): ETags are over the content, so a
            # writer putting back the same bytes would leave the ETag as it was, and a second If-Match would hold.
            response = own.put("activities/profile", params=params, json={"value": number + 1},
                               headers={"If-Match": etag})
            statuses[number] = response.status_code

    threads = [threading.Thread(target=write, args=(number,)) for number in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    winners = [number for number, status in statuses.items() if status == 204]
    assert len(statuses) == WRITERS
    assert len(winners) == 1, statuses
    assert sorted(statuses.values()) == [204] + [412] * (WRITERS - 1)
    final = client.get("activities/profile", params=params)
    assert json.loads(final.content) == {"value": winners[0] + 1}
    assert final.headers["ETag"] != etag
