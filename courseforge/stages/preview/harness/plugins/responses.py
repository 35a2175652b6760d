"""A learner's answer in a standard's words, for every standard's rules: which part of a question an answer
names (the choices, the pairs, an order, a text, a number) and which answer the key holds is decided here,
once; how that is written down (letters or ids, separators, limits) is the standard's
:class:`ResponseSyntax`.

SCORM 2004 and xAPI share :class:`DelimitedIds` (authored ids, ``[,]`` between items, ``[.]`` in a pair,
``[:]`` in a numeric range); SCORM 1.2 writes letters by authored position (``scorm12_rules.py``). Pure
functions over the course model.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from courseforge.model.course import (
    FillIn,
    Matching,
    MultipleResponse,
    Numeric,
    Question,
    Sequencing,
    SingleChoice,
    Survey,
    SurveyItem,
    TrueFalse,
)
from courseforge.model.scenario import AnswerValue
from courseforge.stages.preview.assertions import ExpectedInteraction, js_number

INTERACTION_TYPES = {"single": "choice", "multiple": "choice", "true-false": "true-false", "fill-in": "fill-in",
                     "numeric": "numeric", "matching": "matching", "sequencing": "sequencing", "likert": "likert",
                     "text": "long-fill-in"}
"""A question's or survey item's type -> its interaction type, in the vocabulary SCORM 2004 defines and xAPI
adopts (SCORM 1.2 has no long-fill-in)."""


class ResponseSyntax(Protocol):
    """How one standard writes a learner's answer and the answer key's patterns."""

    def choices(self, authored: Sequence[str], chosen: Sequence[str]) -> str:
        ...

    def true_false(self, value: bool) -> str:
        ...

    def fill_in(self, question: FillIn, typed: str) -> str:
        ...

    def numeric(self, value: AnswerValue) -> str:
        ...

    def matching(self, question: Matching, pairs: Mapping[str, str]) -> str:
        ...

    def sequencing(self, authored: Sequence[str], order: Sequence[str]) -> str:
        ...

    def fill_in_patterns(self, question: FillIn, accepted: Sequence[str]) -> tuple[str, ...]:
        """``accepted``: the answers the key holds (empty: the question's own)."""
        ...

    def numeric_patterns(self, question: Numeric) -> tuple[str, ...]:
        ...


def answer_ids(value: AnswerValue | None) -> list[str]:
    """The item ids an answer names: one choice id, or a list of them."""
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value] if isinstance(value, tuple | list) else []


def typed_number(value: AnswerValue) -> float:
    """A numeric answer as the runtime reads it (a decimal comma allowed); ValueError when it is no number."""
    return float(value) if isinstance(value, int | float) else float(str(value).strip().replace(",", ".", 1))


def accepted_once(question: FillIn, accepted: Sequence[str] = (), limit: int | None = None) -> tuple[str, ...]:
    """Each accepted answer once, as the learner's answer is compared (case folded unless case counts), in
    authored order; none longer than ``limit`` (a pattern cut short would be a wrong key)."""
    seen: dict[str, str] = {}
    for text in accepted or question.accepted:
        if limit is None or len(text) <= limit:
            seen.setdefault(text if question.case_sensitive else text.lower(), text)
    return tuple(seen.values())


def response(syntax: ResponseSyntax, question: Question, value: AnswerValue) -> str:
    """The learner's answer ``value`` to ``question`` as the standard writes it."""
    if isinstance(question, SingleChoice | MultipleResponse):
        return syntax.choices([c.id for c in question.choices], answer_ids(value))
    if isinstance(question, TrueFalse):
        return syntax.true_false(value is True)
    if isinstance(question, FillIn):
        return syntax.fill_in(question, str(value))
    if isinstance(question, Numeric):
        return syntax.numeric(value)
    if isinstance(question, Matching) and isinstance(value, Mapping):
        return syntax.matching(question, value)
    if isinstance(question, Sequencing):
        return syntax.sequencing([i.id for i in question.items], answer_ids(value))
    raise TypeError(f"no response format for {type(question).__name__}")


def patterns(syntax: ResponseSyntax, question: Question, accepted: Sequence[str] = ()) -> tuple[str, ...]:
    """The answer key's correct_responses patterns: the standard's own for a text or a number, else the one
    right answer written as the learner's would be."""
    if isinstance(question, FillIn):
        return syntax.fill_in_patterns(question, accepted)
    if isinstance(question, Numeric):
        return syntax.numeric_patterns(question)
    return (response(syntax, question, key(question)),)


def key(question: Question) -> AnswerValue:
    """The right answer to a choice, true-false, matching or sequencing question, in a learner's terms."""
    if isinstance(question, SingleChoice | MultipleResponse):
        return tuple(c.id for c in question.choices if c.correct)
    if isinstance(question, TrueFalse):
        return question.answer
    if isinstance(question, Matching):
        return dict(question.answer)
    if isinstance(question, Sequencing):
        return tuple(question.answer)
    raise TypeError(f"no pattern format for {type(question).__name__}")


def same_number(expected: str, recorded: str) -> bool:
    """Two numeric responses equal by value (by their text when either is no number)."""
    try:
        return float(expected) == float(recorded)
    except ValueError:
        return expected == recorded


class DelimitedIds:
    """The syntax SCORM 2004 defines and xAPI adopts: authored ids, choices in authored order, ``[,]``
    between items, ``[.]`` in a pair, ``[:]`` between a range's bounds, ``true``/``false``. A subclass writes
    texts (its limits) and may round numbers (:meth:`number`)."""

    def number(self, value: float) -> str:
        return js_number(value)

    def choices(self, authored: Sequence[str], chosen: Sequence[str]) -> str:
        return "[,]".join(item for item in authored if item in chosen)

    def true_false(self, value: bool) -> str:
        return "true" if value else "false"

    def numeric(self, value: AnswerValue) -> str:
        return self.number(typed_number(value))

    def matching(self, question: Matching, pairs: Mapping[str, str]) -> str:
        return "[,]".join(f"{s.id}[.]{pairs[s.id]}" for s in question.sources if s.id in pairs)

    def sequencing(self, authored: Sequence[str], order: Sequence[str]) -> str:
        return "[,]".join(order)

    def numeric_patterns(self, question: Numeric) -> tuple[str, ...]:
        """The exact answer, else the range ``min[:]max`` (an open bound empty)."""
        if question.answer is not None:
            return (self.number(question.answer),)
        low = "" if question.min is None else self.number(question.min)
        high = "" if question.max is None else self.number(question.max)
        return (f"{low}[:]{high}",)


QuizInteraction = Callable[[str, int, Question, AnswerValue, bool, Sequence[str]], ExpectedInteraction]
"""(quiz id, attempt, question, the learner's answer, whether it is right, the accepted answers) -> what the
record must hold."""
SurveyInteraction = Callable[[str, str, str, int | str], ExpectedInteraction]
"""(survey id, item id, item type, the answer) -> what the record must hold."""


@dataclass(frozen=True)
class FunctionCodec:
    """An :class:`~courseforge.stages.preview.harness.interface.InteractionCodec` of a standard's rule
    functions (SCORM: ids and types of its own, nothing per package)."""

    quiz_interaction: QuizInteraction
    survey_interaction: SurveyInteraction
    compare: Callable[[str, str, str], bool]
    """(interaction type, expected, recorded) -> whether the standard reads them as the same response."""

    def quiz(self, quiz_id: str, attempt: int, question: Question, value: AnswerValue, right: bool,
             accepted: Sequence[str] = ()) -> ExpectedInteraction:
        return self.quiz_interaction(quiz_id, attempt, question, value, right, accepted)

    def survey(self, survey: Survey, item: SurveyItem, answer: int | str) -> ExpectedInteraction:
        return self.survey_interaction(survey.id, item.id, item.type, answer)

    def same(self, kind: str, expected: str, recorded: str) -> bool:
        return self.compare(kind, expected, recorded)
