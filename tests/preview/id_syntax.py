"""The answers SCORM 2004 and xAPI write alike (``plugins/responses.py: DelimitedIds``), checked once for both
plug-ins' codec tests: ids in authored order, ``[,]``, ``[.]``, ``[:]``, a decimal comma, every accepted
fill-in answer once with the case prefix where case counts."""

from __future__ import annotations

from collections.abc import Callable

from courseforge.model.course import FillIn, Matching, MultipleResponse, Numeric, Pairable, Question, Sequencing
from courseforge.model.scenario import AnswerValue

Response = Callable[[Question, AnswerValue], str]
Patterns = Callable[[Question], tuple[str, ...]]

MULTIPLE = MultipleResponse.model_validate({"id": "q", "type": "multiple", "prompt": "P", "choices": [
    {"id": "a", "text": "A", "correct": True}, {"id": "b", "text": "B"}, {"id": "c", "text": "C", "correct": True}]})
"""A multiple-response question whose key is a and c."""
FILL_IN = FillIn(id="f", type="fill-in", prompt="P", accepted=("Paris", "paris", "Lutèce"), case_sensitive=False)


def check_delimited_ids(response: Response, patterns: Patterns) -> None:
    assert response(MULTIPLE, ("c", "a")) == "a[,]c" and patterns(MULTIPLE) == ("a[,]c",)
    assert patterns(FILL_IN) == ("Paris", "Lutèce")
    exact = FillIn(id="f", type="fill-in", prompt="P", accepted=("Paris",), case_sensitive=True)
    assert patterns(exact) == ("{case_matters=true}Paris",)
    assert patterns(Numeric(id="n", type="numeric", prompt="P", min=1.5, max=3)) == ("1.5[:]3",)
    assert response(Numeric(id="n", type="numeric", prompt="P", answer=8), "8,0") == "8"
    pets = (Pairable(id="dog", text="Dog"), Pairable(id="cat", text="Cat"))
    sounds = (Pairable(id="woof", text="Woof"), Pairable(id="meow", text="Meow"))
    matching = Matching(id="m", type="matching", prompt="P", sources=pets, targets=sounds,
                        answer={"dog": "woof", "cat": "meow"})
    assert patterns(matching) == ("dog[.]woof[,]cat[.]meow",)
    order = Sequencing(id="s", type="sequencing", prompt="P", items=pets, answer=("cat", "dog"))
    assert response(order, ("cat", "dog")) == "cat[,]dog"
