"""About, Activities (the merged definition) and Agents (the Person object)."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from courseforge.lms.lrs.params import agent_param, iri, required, single_values
from courseforge.lms.lrs.store import LrsStore

VERSIONS = ["1.0.3", "1.0.2", "1.0.1", "1.0.0"]
IFIS = ("mbox", "mbox_sha1sum", "openid", "account")


async def about(request: Request) -> Response:
    return JSONResponse({"version": VERSIONS, "extensions": {}})


class ResourceEndpoints:
    def __init__(self, store: LrsStore) -> None:
        self.store = store

    async def activity(self, request: Request) -> Response:
        values = single_values(request.query_params, frozenset({"activityId"}))
        activity_id = iri(required(values, "activityId"), "activityId")
        definition = await run_in_threadpool(self.store.activity_definition, activity_id)
        activity: dict[str, Any] = {"objectType": "Activity", "id": activity_id}
        if definition:
            activity["definition"] = dict(definition)
        return JSONResponse(activity)

    async def person(self, request: Request) -> Response:
        values = single_values(request.query_params, frozenset({"agent"}))
        agent, key = agent_param(required(values, "agent"))
        names = list(await run_in_threadpool(self.store.agent_names, key))
        if isinstance(agent.get("name"), str) and agent["name"] not in names:
            names.insert(0, agent["name"])
        person: dict[str, Any] = {"objectType": "Person"}
        if names:
            person["name"] = names
        person.update({ifi: [agent[ifi]] for ifi in IFIS if ifi in agent})
        return JSONResponse(person)
