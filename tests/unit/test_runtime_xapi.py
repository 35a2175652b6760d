"""The xAPI runtime's pure parts in node (the real runtime/scoring.js and runtime/xapi-client.js, nothing
stubbed but ``window``): interactions as xAPI for every question type, durations, ids, the launch query;
and the runtime's copies of the Tin Can facts held equal to standards/xapi.py."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from courseforge.standards.xapi import (
    ATTEMPT_EXTENSION,
    INTERACTION_TYPES,
    PROGRESS_EXTENSION,
    SCREEN_TYPES,
    STATE_ID,
    VERB_PREFIX,
    VERSION,
    ActivityType,
    Verb,
)

RUNTIME = Path(__file__).resolve().parents[2] / "courseforge" / "themes" / "default" / "runtime"
CLIENT = (RUNTIME / "xapi-client.js").read_text(encoding="utf-8")
ADAPTER = (RUNTIME / "xapi.js").read_text(encoding="utf-8")


def run(expression: str) -> Any:
    """``expression`` evaluated after scoring.js and xapi-client.js, its value as JSON."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    script = ("globalThis.window = globalThis;\n" + (RUNTIME / "scoring.js").read_text(encoding="utf-8") + "\n"
              + CLIENT + f"\nconst cf = window.courseforge; process.stdout.write(JSON.stringify({expression}));")
    done = subprocess.run([node, "-e", script], capture_output=True, text=True, timeout=30, check=True)
    return json.loads(done.stdout)


def interaction(kind: str, question: dict[str, Any] | None, response: Any, texts: dict[str, Any] | None = None,
                result: str = "correct") -> dict[str, Any]:
    record = {"id": "quiz__q__1", "type": kind, "question": question, "response": response, "result": result,
              "weighting": 1, "latencyMs": 65_432, "time": 0}
    value: dict[str, Any] = run(
        f"(() => {{ const r = {json.dumps(record)}; return {{activity: cf.xapi.interactionActivity(r, "
        f"'https://x.example/c/quiz/q', 'de', {json.dumps(texts)}), result: cf.xapi.interactionResult(r)}}; }})()")
    return value


def test_choice_with_texts_in_language_maps() -> None:
    question = {"id": "q", "type": "multiple", "choices": ["a", "b", "c"], "correct": ["c", "a"]}
    texts = {"prompt": "Welche?", "choices": {"a": "Eins", "b": "Zwei", "c": "Drei"}}
    value = interaction("multiple", question, ["c", "b"], texts, result="wrong")
    definition = value["activity"]["definition"]
    assert value["activity"]["id"] == "https://x.example/c/quiz/q"
    assert definition == {"type": ActivityType.INTERACTION, "interactionType": "choice",
                          "name": {"de": "Welche?"}, "description": {"de": "Welche?"},
                          "correctResponsesPattern": ["a[,]c"],
                          "choices": [{"id": "a", "description": {"de": "Eins"}}, {"id": "b", "description":
                                      {"de": "Zwei"}}, {"id": "c", "description": {"de": "Drei"}}]}
    assert value["result"] == {"response": "b[,]c", "duration": "PT1M5.43S", "success": False}


@pytest.mark.parametrize(("kind", "question", "response", "patterns", "answer"), [
    ("true-false", {"answer": False}, True, ["false"], "true"),
    ("fill-in", {"accepted": ["Paris", "paris", "PARIS ville"], "caseSensitive": False}, "  Paris ",
     ["Paris", "PARIS ville"], "Paris"),
    ("fill-in", {"accepted": ["Paris", "paris"], "caseSensitive": True}, "paris",
     ["{case_matters=true}Paris", "{case_matters=true}paris"], "paris"),
    ("numeric", {"answer": 8}, " 8,0 ", ["8"], "8"),
    ("numeric", {"min": 1.5, "max": 3}, "2", ["1.5[:]3"], "2"),
    ("numeric", {"min": None, "max": 10}, "abc", ["[:]10"], "abc"),
    ("matching", {"sources": ["dog", "cat"], "targets": ["woof", "meow"], "answer": {"dog": "woof", "cat": "meow"}},
     {"cat": "woof"}, ["dog[.]woof[,]cat[.]meow"], "cat[.]woof"),
    ("sequencing", {"items": ["pour", "boil", "bag"], "answer": ["boil", "bag", "pour"]},
     {"pour": 3, "boil": 1, "bag": 2}, ["boil[,]bag[,]pour"], "boil[,]bag[,]pour"),
])
def test_every_accepted_answer_is_a_pattern(kind: str, question: dict[str, Any], response: Any,
                                            patterns: list[str], answer: str) -> None:
    value = interaction(kind, {"id": "q", "type": kind, **question}, response)
    assert value["activity"]["definition"]["correctResponsesPattern"] == patterns
    assert value["activity"]["definition"]["interactionType"] == kind
    assert value["result"]["response"] == answer


def test_matching_and_sequencing_components() -> None:
    matching = {"id": "q", "type": "matching", "sources": ["dog"], "targets": ["woof", "moo"],
                "answer": {"dog": "woof"}}
    definition = interaction("matching", matching, {"dog": "moo"},
                             {"prompt": "P", "sources": {"dog": "Hund"}, "targets": {"woof": "Wau"}})[
        "activity"]["definition"]
    assert definition["source"] == [{"id": "dog", "description": {"de": "Hund"}}]
    assert definition["target"] == [{"id": "woof", "description": {"de": "Wau"}}, {"id": "moo"}]
    sequencing = {"id": "q", "type": "sequencing", "items": ["x", "y"], "answer": ["y", "x"]}
    assert interaction("sequencing", sequencing, {"x": 1, "y": 2}, {"items": {"x": "X"}})[
        "activity"]["definition"]["choices"] == [{"id": "x", "description": {"de": "X"}}, {"id": "y"}]


def test_survey_items_have_no_key_and_no_success() -> None:
    likert = interaction("likert", None, 2, {"prompt": "Useful?", "scale": ["No", "Maybe", "Yes"]}, result="neutral")
    assert likert["activity"]["definition"] == {
        "type": ActivityType.INTERACTION, "interactionType": "likert", "name": {"de": "Useful?"},
        "description": {"de": "Useful?"},
        "scale": [{"id": "0", "description": {"de": "No"}}, {"id": "1", "description": {"de": "Maybe"}},
                  {"id": "2", "description": {"de": "Yes"}}]}
    assert likert["result"] == {"response": "2", "duration": "PT1M5.43S"}
    text = interaction("text", None, "  Fine.  ", None, result="neutral")
    assert text["activity"]["definition"] == {"type": ActivityType.INTERACTION, "interactionType": "long-fill-in"}
    assert text["result"]["response"] == "Fine."


def test_a_long_prompt_is_shortened_in_the_name_only() -> None:
    prompt = "x" * 300
    definition = interaction("true-false", {"id": "q", "type": "true-false", "answer": True}, True,
                             {"prompt": prompt})["activity"]["definition"]
    assert len(definition["name"]["de"]) == 120 and definition["name"]["de"].endswith("\u2026")
    assert definition["description"]["de"] == prompt


def test_the_item_path_comes_from_the_course_data_even_with_double_underscores() -> None:
    data = {"quizzes": {"final": {}, "final__b": {}}, "surveys": {"s": {}},
            "texts": {"final__b": {"q__1": {"prompt": "P"}}, "s": {"likes": {"prompt": "L"}}}}
    found = run(f"""(() => {{ const data = {json.dumps(data)};
        return [cf.xapi.interactionTexts(data, {{id: "final__b__q__1__2", question: {{id: "q__1"}}}}),
                cf.xapi.interactionTexts(data, {{id: "s__likes__1", question: null}}),
                cf.xapi.interactionTexts(data, {{id: "other__x__1", question: null}})]; }})()""")
    assert found == [{"path": "final__b/q__1", "texts": {"prompt": "P"}}, {"path": "s/likes", "texts": {"prompt": "L"}},
                     None]


def test_durations_ids_timestamps_and_the_launch_query() -> None:
    values = run("""[[0, 999, 61_005, 3_600_000, 3_723_456].map(cf.xapi.duration), cf.xapi.uuid(), cf.xapi.uuid(),
        cf.xapi.timestamp(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6))),
        cf.xapi.query("?endpoint=http%3A%2F%2Flrs%2FxAPI%2F&actor=%7B%22a%22%3A1%7D&x=a+b&x=second&flag")]""")
    durations, first, second, stamp, launch = values
    assert durations == ["PT0S", "PT1S", "PT1M1.01S", "PT1H0S", "PT1H2M3.46S"]
    uuid = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
    assert uuid.match(first) and uuid.match(second) and first != second
    assert stamp == "2024-01-02T03:04:05.006Z"
    assert launch == {"endpoint": "http://lrs/xAPI/", "actor": '{"a":1}', "x": "a b", "flag": ""}


def test_the_runtime_carries_the_facts_of_standards_xapi() -> None:
    assert f'var VERSION = "{VERSION}";' in CLIENT
    assert f'var INTERACTION = "{ActivityType.INTERACTION.value}";' in CLIENT
    kinds = set(re.findall(r':\s*"([a-z-]+)"', CLIENT[CLIENT.index("var KINDS"):CLIENT.index("};", CLIENT.index(
        "var KINDS"))]))
    assert kinds <= INTERACTION_TYPES
    assert f'var VERBS = "{VERB_PREFIX}";' in ADAPTER
    assert f'var PROGRESS = "{PROGRESS_EXTENSION}";' in ADAPTER
    assert f'var ATTEMPT = "{ATTEMPT_EXTENSION}";' in ADAPTER
    assert f'var STATE_ID = "{STATE_ID}";' in ADAPTER
    assert f'var SURVEY = "{ActivityType.SURVEY.value}";' in ADAPTER
    prefix = re.search(r'var ACTIVITIES = "([^"]+)";', ADAPTER)
    types = re.search(r"var TYPES = \{([^}]+)\}", ADAPTER)
    assert prefix and types
    runtime_types = {kind: prefix.group(1) + short for kind, short in re.findall(r'(\w+): "(\w+)"', types.group(1))}
    assert runtime_types == {kind: value for kind, value in SCREEN_TYPES.items() if kind != "survey"}
    assert ActivityType.COURSE.value == prefix.group(1) + "course" and 'ACTIVITIES + "course"' in ADAPTER
    sent = set(re.findall(r'send\("(\w+)"', ADAPTER)) | {"passed", "failed"}
    assert sent == {verb.name.lower() for verb in Verb}
