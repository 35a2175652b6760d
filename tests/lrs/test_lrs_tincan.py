"""Rustici's TinCanPython (``tincan`` on the package index) as an independent client.

Known quirks of the published 1.0.0 that these tests work with, not around: ``save_state`` sends its PUT
twice and never sends ``registration``; ``save_*_profile`` sends ``If-Match`` only when the document has an
etag, so a first save goes without a precondition.
"""

from __future__ import annotations

import uuid

import pytest
from lrs_harness import KEY, SECRET, ThreadedLrs
from tincan import (
    Activity,
    ActivityDefinition,
    ActivityProfileDocument,
    Agent,
    AgentProfileDocument,
    LanguageMap,
    RemoteLRS,
    StateDocument,
    Statement,
    StatementRef,
    Verb,
)

VERBS = "http://adlnet.gov/expapi/verbs/"


@pytest.fixture
def remote(lrs: ThreadedLrs) -> RemoteLRS:
    return RemoteLRS(endpoint=lrs.endpoint, username=KEY, password=SECRET, version="1.0.3")


@pytest.fixture
def learner() -> Agent:
    return Agent(name="Tin Can Learner", mbox=f"mailto:tincan-{uuid.uuid4()}@example.com")


@pytest.fixture
def activity() -> Activity:
    return Activity(id=f"https://example.com/tincan/{uuid.uuid4()}",
                    definition=ActivityDefinition(name=LanguageMap({"en-US": "Tin Can course"})))


def make_statement(learner: Agent, activity: Activity, verb: str = "experienced") -> Statement:
    return Statement(actor=learner, verb=Verb(id=VERBS + verb, display=LanguageMap({"en-US": verb})),
                     object=activity)


def test_about(remote: RemoteLRS) -> None:
    response = remote.about()
    assert response.success, response.data
    assert "1.0.3" in response.content.version


def test_save_retrieve_query_more_void(remote: RemoteLRS, learner: Agent, activity: Activity) -> None:
    saved = remote.save_statement(make_statement(learner, activity))
    assert saved.success, saved.data
    statement_id = str(saved.content.id)
    retrieved = remote.retrieve_statement(statement_id)
    assert retrieved.success, retrieved.data
    assert retrieved.content.actor.mbox == learner.mbox
    assert retrieved.content.authority is not None and retrieved.content.stored is not None

    batch = [make_statement(learner, activity, verb) for verb in ("attempted", "completed", "passed")]
    saved_batch = remote.save_statements(batch)
    assert saved_batch.success, saved_batch.data
    page = remote.query_statements({"agent": learner, "limit": 2, "ascending": True})
    assert page.success, page.data
    ids = [str(item.id) for item in page.content.statements]
    while page.content.more:
        page = remote.more_statements(page.content)
        assert page.success, page.data
        ids.extend(str(item.id) for item in page.content.statements)
    assert ids == [statement_id, *(str(item.id) for item in saved_batch.content)]

    voiding = Statement(actor=learner, verb=Verb(id=VERBS + "voided", display=LanguageMap({"en-US": "voided"})),
                        object=StatementRef(id=statement_id))
    voiding_saved = remote.save_statement(voiding)
    assert voiding_saved.success, voiding_saved.data
    assert remote.retrieve_voided_statement(statement_id).content.id == retrieved.content.id
    assert not remote.retrieve_statement(statement_id).success
    # the voided statement no longer matches; the voiding statement does, through its StatementRef
    remaining = remote.query_statements({"agent": learner, "verb": Verb(id=VERBS + "experienced")})
    assert [str(item.id) for item in remaining.content.statements] == [str(voiding_saved.content.id)]


def test_state_documents(remote: RemoteLRS, learner: Agent, activity: Activity) -> None:
    state = StateDocument(activity=activity, agent=learner, id="bookmark", content='{"page": 3}',
                          content_type="application/json")
    assert remote.save_state(state).success
    retrieved = remote.retrieve_state(activity, learner, "bookmark")
    assert retrieved.success, retrieved.data
    assert retrieved.content.content == bytearray(b'{"page": 3}')
    assert retrieved.response.getheader("ETag")
    assert remote.retrieve_state_ids(activity, learner).content == ["bookmark"]
    assert remote.delete_state(retrieved.content).success
    assert remote.retrieve_state(activity, learner, "bookmark").response.status == 404  # tincan calls 404 success
    assert remote.save_state(StateDocument(activity=activity, agent=learner, id="other", content="x")).success
    assert remote.clear_state(activity, learner).success
    assert remote.retrieve_state_ids(activity, learner).content == []


def test_activity_profile_documents(remote: RemoteLRS, activity: Activity) -> None:
    profile = ActivityProfileDocument(activity=activity, id="settings", content='{"theme": "dark"}',
                                      content_type="application/json")
    assert remote.save_activity_profile(profile).success
    retrieved = remote.retrieve_activity_profile(activity, "settings")
    assert retrieved.success and retrieved.content.content == bytearray(b'{"theme": "dark"}')
    retrieved.content.content = '{"theme": "light"}'
    assert remote.save_activity_profile(retrieved.content).response.status == 409  # no If-Match: refused
    first_etag = retrieved.response.getheader("ETag")
    retrieved.content.etag = first_etag
    assert remote.save_activity_profile(retrieved.content).success
    stale = ActivityProfileDocument(activity=activity, id="settings", content="{}", etag=first_etag)
    assert remote.save_activity_profile(stale).response.status == 412
    current = remote.retrieve_activity_profile(activity, "settings").content
    assert current.content == bytearray(b'{"theme": "light"}')
    assert remote.retrieve_activity_profile_ids(activity).content == ["settings"]
    assert remote.delete_activity_profile(stale).response.status == 412  # If-Match with a stale ETag
    assert remote.delete_activity_profile(current).success
    assert remote.retrieve_activity_profile_ids(activity).content == []


def test_agent_profile_documents(remote: RemoteLRS, learner: Agent) -> None:
    profile = AgentProfileDocument(agent=learner, id="prefs", content='{"language": "fr"}',
                                   content_type="application/json")
    assert remote.save_agent_profile(profile).success
    retrieved = remote.retrieve_agent_profile(learner, "prefs")
    assert retrieved.success and retrieved.content.content == bytearray(b'{"language": "fr"}')
    assert remote.retrieve_agent_profile_ids(learner).content == ["prefs"]
    assert remote.delete_agent_profile(retrieved.content).success
    assert remote.retrieve_agent_profile_ids(learner).content == []
