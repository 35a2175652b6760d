"""A scripted AU over HTTP (httpx), doing what §8-§10 tell an AU to do, for the cmi5 service tests.

It reads the launch URL, fetches the token, reads LMS.LaunchData and builds statements from its context
template, so each test states only the statements it is about.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from tests.lrs.cmi5_au.server import ADMIN_AUTH, RunningHost

XAPI_HEADERS = {"X-Experience-API-Version": "1.0.3"}
VERBS = "http://adlnet.gov/expapi/verbs/"
CMI5_CATEGORY = {"id": "https://w3id.org/xapi/cmi5/context/categories/cmi5"}
MOVEON_CATEGORY = {"id": "https://w3id.org/xapi/cmi5/context/categories/moveon"}
QUIZ = "https://courseforge.example/test/cmi5/au/quiz"
WELCOME = "https://courseforge.example/test/cmi5/au/welcome"
COURSE = "https://courseforge.example/test/cmi5/course"
LEARNER = {"homePage": "https://lms.courseforge.example", "name": "learner-1"}


def register(http: httpx.Client, host: RunningHost, name: str = "learner-1") -> str:
    response = http.post(f"{host.base_url}/cmi5/registrations",
                         json={"course": COURSE, "learner": {**LEARNER, "name": name},
                               "preferences": {"languages": ["fr-FR", "en-US"], "audio": "off"}})
    assert response.status_code == 201, response.text
    registration: str = response.json()["registration"]
    return registration


def launch(http: httpx.Client, host: RunningHost, registration: str, au: str = QUIZ, mode: str = "Normal") -> str:
    response = http.post(f"{host.base_url}/cmi5/registrations/{registration}/launches",
                         json={"au": au, "launchMode": mode, "returnURL": f"{host.base_url}/done"})
    assert response.status_code == 201, response.text
    url: str = response.json()["url"]
    return url


@dataclass
class ScriptedAu:
    http: httpx.Client
    params: dict[str, str]
    token: str
    launch_data: dict[str, Any]

    @classmethod
    def start(cls, http: httpx.Client, url: str) -> ScriptedAu:
        params = {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}
        fetched = http.post(params["fetch"])
        assert fetched.status_code == 200, fetched.text
        token = fetched.json()["auth-token"]
        au = cls(http, params, token, {})
        au.launch_data = au.get_state().json()
        return au

    @property
    def endpoint(self) -> str:
        return self.params["endpoint"]

    @property
    def actor(self) -> dict[str, Any]:
        actor: dict[str, Any] = json.loads(self.params["actor"])
        return actor

    @property
    def session_id(self) -> str:
        template = self.launch_data["contextTemplate"]
        session: str = template["extensions"]["https://w3id.org/xapi/cmi5/context/extensions/sessionid"]
        return session

    def headers(self) -> dict[str, str]:
        return {**XAPI_HEADERS, "Authorization": f"Basic {self.token}"}

    def get_state(self) -> httpx.Response:
        return self.http.get(f"{self.endpoint}activities/state", headers=self.headers(), params={
            "stateId": "LMS.LaunchData", "activityId": self.params["activityId"], "agent": self.params["actor"],
            "registration": self.params["registration"]})

    def statement(self, verb: str, *, result: dict[str, Any] | None = None, cmi5: bool = True,
                  moveon: bool | None = None, object_id: str | None = None) -> dict[str, Any]:
        """A statement built on the context template; cmi5 defined unless ``cmi5`` is False."""
        context = json.loads(json.dumps(self.launch_data["contextTemplate"]))
        context["registration"] = self.params["registration"]
        categories = [CMI5_CATEGORY] if cmi5 else []
        wants_moveon = moveon if moveon is not None else bool(result and ({"success", "completion"} & set(result)))
        if wants_moveon:
            categories.append(MOVEON_CATEGORY)
        if categories:
            context["contextActivities"]["category"] = categories
        statement: dict[str, Any] = {
            "id": str(uuid.uuid4()),
            "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "actor": self.actor,
            "verb": {"id": verb if verb.startswith("http") else VERBS + verb, "display": {"en-US": verb}},
            "object": {"objectType": "Activity", "id": object_id or self.params["activityId"]},
            "context": context,
        }
        if result is not None:
            statement["result"] = result
        return statement

    def send(self, *statements: dict[str, Any], auth: str | None = None) -> httpx.Response:
        headers = {**XAPI_HEADERS, "Authorization": auth or f"Basic {self.token}"}
        body: Any = statements[0] if len(statements) == 1 else list(statements)
        return self.http.post(f"{self.endpoint}statements", json=body, headers=headers)


def stored_statements(http: httpx.Client, host: RunningHost, registration: str) -> list[dict[str, Any]]:
    """Every statement of a registration in store order, read with the admin credentials."""
    response = http.get(f"{host.base_url}/xAPI/statements", params={"registration": registration,
                                                                    "ascending": "true", "limit": "500"},
                        headers={**XAPI_HEADERS, "Authorization": ADMIN_AUTH})
    assert response.status_code == 200, response.text
    body = response.json()
    assert not body.get("more")
    statements: list[dict[str, Any]] = body["statements"]
    return statements


def verbs(statements: list[dict[str, Any]]) -> list[str]:
    return [statement["verb"]["id"].rsplit("/", 1)[1] for statement in statements]
