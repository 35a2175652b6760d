"""Checks on the authored preview scenarios (``course.yaml`` ``scenarios``) that a schema cannot express.

Every answer must name a quiz and a question of the course and have the shape its question type takes;
``expect`` must agree with the course rules (model/outcome.py) for the answers given, so a scenario that
cannot happen fails at lint, not after a browser run.
"""

from __future__ import annotations

from collections.abc import Mapping

from courseforge.diagnostics import DiagnosticSink
from courseforge.model.course import (
    Course,
    FillIn,
    Matching,
    MultipleResponse,
    Numeric,
    Question,
    Quiz,
    Sequencing,
    SingleChoice,
    TrueFalse,
)
from courseforge.model.scenario import DERIVED_SCENARIOS, AnswerValue, AuthoredScenario
from courseforge.stages.validate.ids import check_unique

SHAPES = {
    SingleChoice: "a choice id",
    MultipleResponse: "a list of choice ids",
    TrueFalse: "true or false",
    FillIn: "the text the learner types",
    Numeric: "a number",
    Matching: "a map of source id to target id",
    Sequencing: "the item ids in the right order",
}


def _ids(values: object) -> list[str] | None:
    if isinstance(values, list | tuple) and all(isinstance(v, str) for v in values):
        return list(values)
    return None


def shape_problem(question: Question, value: AnswerValue) -> str | None:
    """Why ``value`` cannot be an answer to ``question`` (unknown ids, wrong shape), or None."""
    if isinstance(question, SingleChoice):
        known = {c.id for c in question.choices}
        return None if isinstance(value, str) and value in known else f"is not one of {', '.join(sorted(known))}"
    if isinstance(question, MultipleResponse):
        known = {c.id for c in question.choices}
        ids = _ids([value] if isinstance(value, str) else value)
        return None if ids is not None and set(ids) <= known else f"names a choice that is not one of " \
            f"{', '.join(sorted(known))}"
    if isinstance(question, TrueFalse):
        return None if isinstance(value, bool) else "is not true or false"
    if isinstance(question, FillIn):
        return None if isinstance(value, str) and 0 < len(value) <= 255 else "is not a text of 1 to 255 characters"
    if isinstance(question, Numeric):
        return None if isinstance(value, int | float) and not isinstance(value, bool) else "is not a number"
    if isinstance(question, Matching):
        sources, targets = {s.id for s in question.sources}, {t.id for t in question.targets}
        if isinstance(value, Mapping) and set(value) <= sources and set(value.values()) <= targets:
            return None
        return f"is not a map of sources ({', '.join(sorted(sources))}) to targets ({', '.join(sorted(targets))})"
    if isinstance(question, Sequencing):
        items = [i.id for i in question.items]
        ids = _ids(value)
        return None if ids is not None and sorted(ids) == sorted(items) else \
            f"is not an order of all the items ({', '.join(items)})"
    return f"cannot answer a {question.type} question"


def check_answers(scenario: AuthoredScenario, quizzes: Mapping[str, Quiz], sink: DiagnosticSink) -> bool:
    """Reports unknown quizzes and questions and answers of the wrong shape; True when all are usable."""
    usable = True
    for group in scenario.answers:
        quiz = quizzes.get(group.quiz)
        if quiz is None:
            sink.error("scenario.unknown-quiz", f"scenario '{scenario.name}' answers quiz '{group.quiz}', which is "
                       "not a quiz in the course order", group.origin, hint=f"quizzes are: {', '.join(quizzes)}")
            usable = False
            continue
        questions = {q.id: q for q in quiz.questions}
        for answer in group.answers:
            question = questions.get(answer.question)
            if question is None:
                sink.error("scenario.unknown-question", f"scenario '{scenario.name}': quiz '{quiz.id}' has no "
                           f"question '{answer.question}'", answer.origin,
                           hint=f"its questions are: {', '.join(questions)}")
                usable = False
            elif (problem := shape_problem(question, answer.value)) is not None:
                sink.error("scenario.answer-shape", f"scenario '{scenario.name}': the answer to '{quiz.id}' "
                           f"'{question.id}' {problem}", answer.origin,
                           hint=f"a {question.type} question takes {SHAPES[type(question)]}")
                usable = False
    return usable


def predicted_attempt(scenario: AuthoredScenario, quiz: Quiz) -> float | None:
    """The attempt's percent the answers give, or None when a pool's draw decides it."""
    from courseforge.model.outcome import attempt_percent, is_right  # only a scenario with expectations needs it

    answers = scenario.answers_for(quiz.id)
    right = {q.id for q in quiz.questions
             if (is_right(q, answers[q.id]) if q.id in answers else scenario.others == "right")}
    drawn = quiz.pool.draw if quiz.pool else len(quiz.questions)
    if drawn < len(quiz.questions) and 0 < len(right) < len(quiz.questions):
        return None
    return attempt_percent(quiz.questions, right)


def check_expectation(scenario: AuthoredScenario, course: Course, sink: DiagnosticSink) -> None:
    """``expect`` against the rules: every screen visited, checklists ticked, surveys sent, one attempt each."""
    from courseforge.model.outcome import Progress, outcome  # not imported for a lint or build without one

    progress = Progress(visited=frozenset(s.id for s in course.screens),
                        ticked=frozenset((c.id, i.id) for c in course.checklists for i in c.items if i.required),
                        submitted=frozenset(s.id for s in course.surveys))
    for quiz in course.quizzes:
        result = predicted_attempt(scenario, quiz)
        if result is None:
            return  # a pool draws the questions: only the browser run can tell
        progress = progress.submit_attempt(quiz.id, result)
    predicted = outcome(course, progress)
    expect = scenario.expect
    if expect.status != predicted.status:
        sink.error("scenario.expect-status", f"scenario '{scenario.name}' expects status '{expect.status}', but "
                   f"the course rules give '{predicted.status}' for these answers (score {predicted.score})",
                   expect.origin_of("status"), hint="fix the answers or the expected status "
                   "(docs/authoring.md, Completion, score and mastery)")
    if expect.score is not None and (predicted.score is None or abs(expect.score - predicted.score) > 0.005):
        sink.error("scenario.expect-score", f"scenario '{scenario.name}' expects score {expect.score:g}, but the "
                   f"course rules give {predicted.score} for these answers", expect.origin_of("score"),
                   hint="scores are points-weighted percents with two decimals")


def check_scenarios(course: Course, sink: DiagnosticSink) -> None:
    scenarios = course.manifest.scenarios
    check_unique([_Named(s) for s in scenarios], "scenario", sink)
    quizzes = {q.id: q for q in course.quizzes}
    for scenario in scenarios:
        if scenario.name in DERIVED_SCENARIOS:
            sink.error("scenario.name-taken", f"scenario name '{scenario.name}' is one every course already runs",
                       scenario.origin_of("name"), hint=f"{', '.join(DERIVED_SCENARIOS)} are derived from the "
                       "course; choose another name")
        if check_answers(scenario, quizzes, sink):
            check_expectation(scenario, course, sink)


class _Named:
    """A scenario seen by its name, for the shared duplicate-id check."""

    def __init__(self, scenario: AuthoredScenario) -> None:
        self.id = scenario.name
        self.origin = scenario.origin_of("name")
