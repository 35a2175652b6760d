"""The xAPI rules tincan and @xapi/xapi do not reach, checked over real HTTP with httpx."""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from lrs_harness import OTHER_KEY, OTHER_SECRET, VERSION, ThreadedLrs, basic, follow, statement

from courseforge.lms.lrs.multipart import Part, parse_multipart, write_multipart

VOIDED = "http://adlnet.gov/expapi/verbs/voided"


def voiding(target: str) -> dict[str, Any]:
    return statement("voided", verb={"id": VOIDED, "display": {"en-US": "voided"}},
                     object={"objectType": "StatementRef", "id": target})


def test_version_header_on_every_response_and_required_on_requests(lrs: ThreadedLrs) -> None:
    about = httpx.get(lrs.endpoint + "about")
    assert about.status_code == 200 and "1.0.3" in about.json()["version"]
    assert about.headers["X-Experience-API-Version"] == "1.0.3"
    missing = httpx.get(lrs.endpoint + "statements", headers={"Authorization": basic()})
    assert missing.status_code == 400 and "X-Experience-API-Version" in missing.text
    assert missing.headers["X-Experience-API-Version"] == "1.0.3"
    wrong = httpx.get(lrs.endpoint + "statements",
                      headers={"Authorization": basic(), "X-Experience-API-Version": "2.0.0"})
    assert wrong.status_code == 400
    assert httpx.get(lrs.endpoint + "statements", headers={"Authorization": basic(), **VERSION}).status_code == 200


def test_basic_auth_per_client_with_its_own_authority(lrs: ThreadedLrs, client: httpx.Client) -> None:
    refused = httpx.get(lrs.endpoint + "statements", headers={**VERSION, "Authorization": basic("tester", "wrong")})
    assert refused.status_code == 401 and refused.headers["WWW-Authenticate"].startswith("Basic")
    assert httpx.get(lrs.endpoint + "statements", headers=VERSION).status_code == 401
    other = statement()
    response = httpx.post(lrs.endpoint + "statements", json={**other, "authority": {"mbox": "mailto:x@example.com"}},
                          headers={**VERSION, "Authorization": basic(OTHER_KEY, OTHER_SECRET)})
    assert response.status_code == 200
    stored = client.get("statements", params={"statementId": other["id"]}).json()
    assert stored["authority"]["account"]["name"] == OTHER_KEY
    mine = statement()
    client.post("statements", json=mine)
    authority = client.get("statements", params={"statementId": mine["id"]}).json()["authority"]
    assert authority["account"]["name"] == "tester"


def test_cors_preflight_and_exposed_headers(lrs: ThreadedLrs, client: httpx.Client) -> None:
    preflight = httpx.options(lrs.endpoint + "activities/state", headers={
        "Origin": "http://content.example", "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "authorization,content-type,x-experience-api-version,if-match"})
    assert preflight.status_code in (200, 204)
    assert preflight.headers["Access-Control-Allow-Origin"] == "http://content.example"
    allowed = preflight.headers["Access-Control-Allow-Headers"].lower()
    assert all(name in allowed for name in ("authorization", "content-type", "x-experience-api-version", "if-match"))
    assert "PUT" in preflight.headers["Access-Control-Allow-Methods"]
    response = client.get("statements", params={"limit": "1"}, headers={"Origin": "http://content.example"})
    exposed = response.headers["Access-Control-Expose-Headers"]
    for name in ("ETag", "Last-Modified", "X-Experience-API-Consistent-Through", "X-Experience-API-Version"):
        assert name in exposed


def test_alternate_request_syntax(lrs: ThreadedLrs, client: httpx.Client) -> None:
    sent = statement()
    form = {"Authorization": basic(), "X-Experience-API-Version": "1.0.3", "Content-Type": "application/json",
            "statementId": sent["id"], "content": json.dumps(sent)}
    put = httpx.post(lrs.endpoint + "statements?method=PUT", content=urlencode(form),
                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert put.status_code == 204, put.text
    get = httpx.post(lrs.endpoint + "statements?method=GET", content=urlencode(
        {"Authorization": basic(), "X-Experience-API-Version": "1.0.3", "statementId": sent["id"]}),
        headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert get.status_code == 200 and get.json()["id"] == sent["id"]
    extra = httpx.post(lrs.endpoint + f"statements?method=GET&statementId={sent['id']}", content=urlencode(form),
                       headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert extra.status_code == 400


def test_identical_statement_is_204_and_conflicting_is_409(client: httpx.Client) -> None:
    sent = statement()
    assert client.put("statements", params={"statementId": sent["id"]}, json=sent).status_code == 204
    reordered = {**dict(reversed(list(sent.items()))), "id": sent["id"].upper(), "verb": {"id": sent["verb"]["id"]}}
    assert client.put("statements", params={"statementId": sent["id"]}, json=reordered).status_code == 204
    assert client.post("statements", json=sent).json() == [sent["id"]]
    changed = {**sent, "object": {"id": "https://example.com/activities/other"}}
    conflict = client.put("statements", params={"statementId": sent["id"]}, json=changed)
    assert conflict.status_code == 409
    assert client.post("statements", json=[statement(), changed]).status_code == 409
    twice = statement()
    assert client.post("statements", json=[twice, twice]).status_code == 400
    mismatched = client.put("statements", params={"statementId": str(uuid.uuid4())}, json=statement())
    assert mismatched.status_code == 400


def test_voiding_rules(client: httpx.Client) -> None:
    target = statement()
    client.post("statements", json=target)
    void = voiding(target["id"])
    assert client.post("statements", json=void).status_code == 200
    assert client.get("statements", params={"statementId": target["id"]}).status_code == 404
    assert client.get("statements", params={"voidedStatementId": target["id"]}).json()["id"] == target["id"]
    assert client.get("statements", params={"voidedStatementId": void["id"]}).status_code == 404
    refused = client.post("statements", json=voiding(void["id"]))
    assert refused.status_code == 400 and "voiding statement" in refused.text
    activity = target["object"]["id"]
    listed = [item["id"] for item in client.get("statements", params={"activity": activity, "limit": "0"}).json()[
        "statements"]]
    assert void["id"] in listed and target["id"] not in listed
    both = client.get("statements", params={"statementId": target["id"], "voidedStatementId": target["id"]})
    assert both.status_code == 400


def test_lrs_sets_stored_timestamp_version_and_consistent_through(client: httpx.Client) -> None:
    sent = statement()
    sent.pop("id")
    statement_id = client.post("statements", json=sent).json()[0]
    response = client.get("statements", params={"statementId": statement_id})
    stored = response.json()
    assert stored["stored"] and stored["timestamp"] == stored["stored"] and stored["version"] == "1.0.0"
    assert response.headers["X-Experience-API-Consistent-Through"] >= stored["stored"]
    assert response.headers["Last-Modified"]


def test_filters_since_until_related_and_formats(client: httpx.Client) -> None:
    registration = str(uuid.uuid4())
    parent = f"https://example.com/parents/{uuid.uuid4()}"
    first = statement(context={"registration": registration, "contextActivities": {"parent": [{"id": parent}]}})
    client.post("statements", json=first)
    stored_first = client.get("statements", params={"statementId": first["id"]}).json()["stored"]
    second = statement("completed", context={"registration": registration})
    client.post("statements", json=second)

    def ids(**params: str) -> list[str]:
        response = client.get("statements", params=params)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["statements"]]

    assert ids(registration=registration) == [second["id"], first["id"]]
    assert ids(registration=registration, ascending="true") == [first["id"], second["id"]]
    assert ids(registration=registration, since=stored_first) == [second["id"]]
    assert ids(registration=registration, until=stored_first) == [first["id"]]
    assert ids(activity=parent) == []
    assert ids(activity=parent, related_activities="true") == [first["id"]]
    assert ids(registration=registration, verb="http://adlnet.gov/expapi/verbs/completed") == [second["id"]]
    team_member = {"mbox": f"mailto:{uuid.uuid4()}@example.com"}
    taught = statement(context={"instructor": team_member})
    client.post("statements", json=taught)
    assert ids(agent=json.dumps(team_member)) == []
    assert ids(agent=json.dumps(team_member), related_agents="true") == [taught["id"]]

    exact = client.get("statements", params={"statementId": first["id"]}).json()
    as_ids = client.get("statements", params={"statementId": first["id"], "format": "ids"}).json()
    assert as_ids["actor"] == {"objectType": "Agent", "mbox": exact["actor"]["mbox"]}
    assert as_ids["object"] == {"objectType": "Activity", "id": exact["object"]["id"]}
    assert as_ids["verb"] == {"id": exact["verb"]["id"]}
    multilingual = statement(verb={"id": "http://adlnet.gov/expapi/verbs/experienced",
                                   "display": {"en-US": "experienced", "fr": "a vécu"}})
    client.post("statements", json=multilingual)
    canonical = client.get("statements", params={"statementId": multilingual["id"], "format": "canonical"},
                           headers={"Accept-Language": "fr"}).json()
    assert canonical["verb"]["display"] == {"fr": "a vécu"}
    for bad in ({"agent": "{not json"}, {"verb": "not an iri"}, {"limit": "-1"}, {"format": "full"},
                {"since": "yesterday"}, {"unknown": "1"}, {"registration": "nope"}):
        assert client.get("statements", params=bad).status_code == 400, bad


def test_more_paging_is_stable_while_statements_arrive(client: httpx.Client) -> None:
    registration = str(uuid.uuid4())
    sent = [statement(context={"registration": registration}) for _ in range(25)]
    client.post("statements", json=sent)
    seen: list[str] = []
    response = client.get("statements", params={"registration": registration, "limit": "10"})
    while True:
        page = response.json()
        seen.extend(item["id"] for item in page["statements"])
        if not page["more"]:
            break
        assert page["more"].startswith("/xAPI/statements?")
        client.post("statements", json=statement(context={"registration": registration}))
        response = follow(client, page["more"])
    assert seen == [item["id"] for item in reversed(sent)]


def multipart_request(statements: Any, attachments: list[tuple[str, bytes]]) -> tuple[str, bytes]:
    parts = [Part({"Content-Type": "application/json"}, json.dumps(statements).encode())]
    parts.extend(Part({"Content-Type": content_type, "Content-Transfer-Encoding": "binary",
                       "X-Experience-API-Hash": hashlib.sha256(content).hexdigest()}, content)
                 for content_type, content in attachments)
    return write_multipart(parts)


def with_attachment(content: bytes, usage: str = "http://id.tincanapi.com/attachment/supporting_media",
                    content_type: str = "text/plain", **extra: Any) -> dict[str, Any]:
    return statement(attachments=[{"usageType": usage, "display": {"en-US": "file"}, "contentType": content_type,
                                   "length": len(content), "sha2": hashlib.sha256(content).hexdigest()}], **extra)


def test_attachments_round_trip_as_multipart(client: httpx.Client) -> None:
    content = bytes(range(256)) * 4 + b"\r\n--not-a-boundary\r\n"
    sent = with_attachment(content, content_type="application/octet-stream")
    content_type, body = multipart_request(sent, [("application/octet-stream", content)])
    response = client.post("statements", content=body, headers={"Content-Type": content_type})
    assert response.status_code == 200, response.text
    fetched = client.get("statements", params={"statementId": sent["id"], "attachments": "true"})
    parts = parse_multipart(fetched.headers["Content-Type"], fetched.content)
    assert json.loads(parts[0].content)["id"] == sent["id"]
    assert parts[1].content == content
    assert parts[1].headers["x-experience-api-hash"] == hashlib.sha256(content).hexdigest()
    missing = client.post("statements", json=with_attachment(b"never sent"))
    assert missing.status_code == 400
    content_type, body = multipart_request(with_attachment(b"declared"), [("text/plain", b"different")])
    assert client.post("statements", content=body, headers={"Content-Type": content_type}).status_code == 400


def jws(payload: dict[str, Any], alg: str = "RS256") -> bytes:
    def encode(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    header = encode(json.dumps({"alg": alg}).encode())
    return f"{header}.{encode(json.dumps(payload).encode())}.{encode(b'signature-bytes')}".encode()


def signed(payload: dict[str, Any], alg: str = "RS256", content_type: str = "application/octet-stream") \
        -> tuple[dict[str, Any], bytes]:
    signature = jws(payload, alg)
    usage = "http://adlnet.gov/expapi/attachments/signature"
    return {**payload, "attachments": [{"usageType": usage, "display": {"en-US": "signature"},
                                        "contentType": content_type, "length": len(signature),
                                        "sha2": hashlib.sha256(signature).hexdigest()}]}, signature


@pytest.mark.parametrize(("case", "expected"), [("good", 200), ("alg", 400), ("content type", 400),
                                                 ("payload", 400)])
def test_signed_statements(client: httpx.Client, case: str, expected: int) -> None:
    original = statement()
    payload = {**original, "verb": {"id": "http://adlnet.gov/expapi/verbs/failed"}} if case == "payload" else original
    sent, signature = signed(payload, "HS256" if case == "alg" else "RS256",
                             "text/plain" if case == "content type" else "application/octet-stream")
    sent = {**sent, "verb": original["verb"]}
    content_type, body = multipart_request(sent, [("application/octet-stream", signature)])
    response = client.post("statements", content=body, headers={"Content-Type": content_type})
    assert response.status_code == expected, response.text
    if expected == 200:
        kept = client.get("statements", params={"statementId": sent["id"], "attachments": "true"})
        assert parse_multipart(kept.headers["Content-Type"], kept.content)[1].content == signature


INVALID = [
    ({"verb": {"id": "http://adlnet.gov/expapi/verbs/x"}, "object": {"id": "https://example.com/a"}},
     "statement"),
    ({"actor": {"mbox": "ada@example.com"}}, "statement.actor.mbox"),
    ({"actor": {"mbox": "mailto:a@example.com", "openid": "https://example.com/a"}}, "statement.actor"),
    ({"verb": {"id": "not an iri"}}, "statement.verb.id"),
    ({"verb": {"id": "http://adlnet.gov/expapi/verbs/x", "display": {"not a language": "x"}}},
     "statement.verb.display"),
    ({"result": {"score": {"scaled": 1.5}}}, "statement.result.score.scaled"),
    ({"result": {"score": {"raw": 11, "min": 0, "max": 10}}}, "statement.result.score"),
    ({"result": {"duration": "1 minute"}}, "statement.result.duration"),
    ({"timestamp": "yesterday"}, "statement.timestamp"),
    ({"version": "2.0.0"}, "statement.version"),
    ({"context": {"registration": "not-a-uuid"}}, "statement.context.registration"),
    ({"context": {"extensions": {"not an iri": 1}}}, "statement.context.extensions"),
    ({"object": {"objectType": "Agent", "mbox": "mailto:b@example.com"}, "context": {"platform": "x"}},
     "statement.context.platform"),
    ({"mood": "happy"}, "statement"),
    ({"id": "not-a-uuid"}, "statement.id"),
]


@pytest.mark.parametrize(("change", "where"), INVALID, ids=[where for _, where in INVALID])
def test_invalid_statements_get_400_with_the_validators_reason(client: httpx.Client, change: dict[str, Any],
                                                               where: str) -> None:
    from courseforge.lms.lrs.validation import InvalidStatement, check_statement

    sent = statement(**change)
    if where == "statement" and "actor" not in change and "mood" not in change:
        sent.pop("actor")
    with pytest.raises(InvalidStatement) as expected:
        check_statement(sent)
    response = client.post("statements", json=sent)
    assert response.status_code == 400
    assert response.text == expected.value.reason
    assert response.text.startswith(where)
    assert client.get("statements", params={"statementId": sent["id"]}).status_code in (400, 404)


def test_documents_concurrency_merge_and_since(client: httpx.Client) -> None:
    agent = json.dumps({"mbox": f"mailto:{uuid.uuid4()}@example.com"})
    state = {"activityId": "https://example.com/activities/intro", "agent": agent, "stateId": "s",
             "registration": str(uuid.uuid4())}
    assert client.put("activities/state", params=state, json={"a": 1}).status_code == 204
    assert client.put("activities/state", params=state, json={"a": 2}).status_code == 204  # no precondition needed
    etag = client.get("activities/state", params=state).headers["ETag"]
    assert client.put("activities/state", params=state, json={"a": 3}, headers={"If-Match": '"stale"'}).status_code \
        == 412
    assert client.put("activities/state", params=state, json={"a": 3}, headers={"If-None-Match": "*"}).status_code \
        == 412
    assert client.post("activities/state", params=state, json={"b": 1}, headers={"If-Match": etag}).status_code == 204
    assert client.get("activities/state", params=state).json() == {"a": 2, "b": 1}
    not_object = client.post("activities/state", params=state, content=b"[1]",
                             headers={"Content-Type": "application/json"})
    assert not_object.status_code == 400
    text_doc = {**state, "stateId": "text"}
    client.put("activities/state", params=text_doc, content=b"plain", headers={"Content-Type": "text/plain"})
    assert client.post("activities/state", params=text_doc, json={"x": 1}).status_code == 400
    listing = {key: value for key, value in state.items() if key != "stateId"}
    assert sorted(client.get("activities/state", params=listing).json()) == ["s", "text"]
    last = client.get("activities/state", params=text_doc).headers["Last-Modified"]
    assert last
    profile = {"agent": agent, "profileId": "p"}
    assert client.put("agents/profile", params=profile, json={"v": 1}).status_code == 204
    assert client.put("agents/profile", params=profile, json={"v": 2}).status_code == 409
    assert client.get("activities/state", params={"agent": agent}).status_code == 400
    assert client.delete("activities/state", params=listing).status_code == 204
    assert client.get("activities/state", params=listing).json() == []


def test_activities_and_agents_resources(client: httpx.Client) -> None:
    activity_id = f"https://example.com/activities/{uuid.uuid4()}"
    client.post("statements", json=statement(object={"id": activity_id, "definition": {"name": {"en-US": "One"}}}))
    client.post("statements", json=statement(object={"id": activity_id, "definition": {"name": {"fr": "Un"}}}))
    activity = client.get("activities", params={"activityId": activity_id}).json()
    assert activity["definition"]["name"] == {"en-US": "One", "fr": "Un"}
    person = client.get("agents", params={"agent": json.dumps({"mbox": "mailto:ada@example.com"})}).json()
    assert person == {"objectType": "Person", "name": ["Ada"], "mbox": ["mailto:ada@example.com"]}
    assert client.get("agents", params={"agent": json.dumps({"name": "nobody"})}).status_code == 400
