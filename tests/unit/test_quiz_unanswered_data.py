"""The quiz's ``unanswered`` option: validated at its key, and handed to the runtime in the cf-data block."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from lxml import html

from courseforge.diagnostics import DiagnosticSink
from courseforge.model.course import Course
from courseforge.pipeline import BuildOptions, lint_course
from courseforge.stages.localize import localize_source
from courseforge.stages.render import render_site
from courseforge.stages.render.runtime_data import QuizData, quiz_data
from tests.factory import base_manifest, default_theme, write_course

THEME = default_theme()


def quiz_file(**options: Any) -> dict[str, Any]:
    return {"kind": "quiz", "id": "check", "title": "Check", **options, "questions": [
        {"id": "sky", "type": "true-false", "prompt": "The sky is blue.", "answer": True},
        {"id": "pair", "type": "matching", "prompt": "Match them.",
         "sources": [{"id": "s1", "text": "One"}, {"id": "s2", "text": "Two"}],
         "targets": [{"id": "t1", "text": "1"}, {"id": "t2", "text": "2"}], "answer": {"s1": "t1", "s2": "t2"}},
    ]}


def lint(tmp_path: Path, course_policy: str | None = None, **options: Any) -> tuple[Course | None, DiagnosticSink]:
    manifest = base_manifest("unanswered", ["quizzes/check.yaml"])
    if course_policy is not None:
        manifest["unanswered"] = course_policy
    folder = write_course(tmp_path, manifest, {"quizzes/check.yaml": quiz_file(**options)})
    sink = DiagnosticSink()
    return lint_course(folder, "unanswered", sink, BuildOptions(base_iri="https://learning.example.com/courses/")), sink


def shipped_quiz(course: Course) -> dict[str, object]:
    """The quiz as the built player page carries it (what the runtime parses)."""
    doc = html.fromstring(render_site(localize_source(course), THEME).files["index.html"])
    (script,) = [element for element in doc.iter("script") if element.get("id") == "cf-data"]
    quizzes = json.loads(str(script.text))["quizzes"]
    assert isinstance(quizzes, dict)
    quiz = quizzes["check"]
    assert isinstance(quiz, dict)
    return quiz


@pytest.mark.parametrize(("options", "expected"), [({}, "ask"), ({"unanswered": "ask"}, "ask"),
                                                    ({"unanswered": "refuse"}, "refuse")])
def test_the_policy_reaches_the_player_page(tmp_path: Path, options: dict[str, str], expected: str) -> None:
    course, sink = lint(tmp_path, **options)
    assert course is not None and not sink.failed(), [d.format() for d in sink]
    quiz = shipped_quiz(course)
    assert quiz["unanswered"] == expected
    assert set(quiz) == set(QuizData.__annotations__)


@pytest.mark.parametrize(("course_policy", "options", "expected"), [
    ("refuse", {}, "refuse"), ("refuse", {"unanswered": "ask"}, "ask"), ("ask", {"unanswered": "refuse"}, "refuse")])
def test_the_course_sets_the_default_and_a_quiz_may_differ(tmp_path: Path, course_policy: str,
                                                          options: dict[str, str], expected: str) -> None:
    course, sink = lint(tmp_path, course_policy, **options)
    assert course is not None and not sink.failed(), [d.format() for d in sink]
    assert shipped_quiz(course)["unanswered"] == expected


def test_quiz_data_keys_are_the_typed_contract(tmp_path: Path) -> None:
    course, _ = lint(tmp_path, unanswered="refuse")
    assert course is not None
    data = quiz_data(course, course.quizzes[0])
    assert (data["unanswered"], data["attempts"], data["draw"]) == ("refuse", 0, None)
    assert [q["id"] for q in data["questions"]] == ["sky", "pair"]


@pytest.mark.parametrize("value", ["maybe", "Ask", True, 1])
def test_an_unknown_policy_is_an_error_at_its_key(tmp_path: Path, value: object) -> None:
    _, sink = lint(tmp_path, unanswered=value)
    assert sink.failed()
    (error,) = [d for d in sink if "unanswered" in d.message]
    assert error.severity.value == "error" and error.code == "schema.type"
    assert error.location is not None and error.location.path.endswith("quizzes/check.yaml")
    assert error.location.line == 4
    assert "'ask' or 'refuse'" in error.message
