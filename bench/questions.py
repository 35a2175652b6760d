"""Seeded quiz questions of every type courseforge scores, plus a survey and a checklist (docs/authoring.md)."""

from __future__ import annotations

from collections.abc import Callable

from bench.prose import Prose

Question = dict[str, object]


def _choices(prose: Prose, count: int, correct: set[int]) -> list[dict[str, object]]:
    choices: list[dict[str, object]] = []
    for n in range(count):
        choice: dict[str, object] = {"id": f"c{n + 1}", "text": prose.short(prose.rng.randint(2, 5))}
        if n in correct:
            choice["correct"] = True
        elif prose.rng.random() < 0.3:
            choice["feedback"] = prose.sentence(inline=False)
        choices.append(choice)
    return choices


def single(prose: Prose) -> Question:
    count = prose.rng.randint(3, 5)
    return {"type": "single", "choices": _choices(prose, count, {prose.rng.randrange(count)}),
            "shuffle": prose.rng.random() < 0.5}


def multiple(prose: Prose) -> Question:
    count = prose.rng.randint(4, 6)
    correct = set(prose.rng.sample(range(count), prose.rng.randint(1, count - 1)))
    return {"type": "multiple", "choices": _choices(prose, count, correct)}


def true_false(prose: Prose) -> Question:
    return {"type": "true-false", "answer": prose.rng.random() < 0.5}


def fill_in(prose: Prose) -> Question:
    word = prose.short(1).lower()
    return {"type": "fill-in", "accepted": [word, f"the {word}", f"a {word}"], "case_sensitive": False}


def numeric(prose: Prose) -> Question:
    low = prose.rng.randint(1, 90)
    if prose.rng.random() < 0.5:
        return {"type": "numeric", "answer": low}
    return {"type": "numeric", "min": low, "max": low + prose.rng.randint(1, 20)}


def matching(prose: Prose) -> Question:
    pairs = prose.rng.randint(3, 5)
    sources = [{"id": f"s{n + 1}", "text": prose.short(3)} for n in range(pairs)]
    targets = [{"id": f"t{n + 1}", "text": prose.short(3)} for n in range(pairs + 1)]
    order = prose.rng.sample(range(pairs + 1), pairs)
    return {"type": "matching", "points": 2, "sources": sources, "targets": targets,
            "answer": {f"s{n + 1}": f"t{order[n] + 1}" for n in range(pairs)}}


def sequencing(prose: Prose) -> Question:
    count = prose.rng.randint(3, 6)
    items = [{"id": f"e{n + 1}", "text": prose.sentence(inline=False)} for n in range(count)]
    order = prose.rng.sample(range(count), count)
    if order == sorted(order):  # items are written scrambled: the written order is never the answer
        order = order[1:] + order[:1]
    return {"type": "sequencing", "items": items, "answer": [f"e{n + 1}" for n in order]}


QUESTION_TYPES: tuple[Callable[[Prose], Question], ...] = (
    single, multiple, true_false, fill_in, numeric, matching, sequencing)


def question(prose: Prose, number: int) -> Question:
    """Question ``number`` of the course: the types in turn, so any 7 consecutive ones cover every type."""
    body = QUESTION_TYPES[number % len(QUESTION_TYPES)](prose)
    item: Question = {"id": f"q{number + 1}", "type": body.pop("type"),
                      "prompt": prose.sentence().rstrip(".!?") + "?"}
    item.update(body)
    if prose.rng.random() < 0.4:
        item["feedback"] = {"correct": prose.sentence(inline=False), "incorrect": prose.sentence()}
    return item


def quiz(prose: Prose, quiz_id: str, title: str, numbers: range) -> dict[str, object]:
    return {"kind": "quiz", "id": quiz_id, "title": title, "intro": prose.paragraph(2),
            "attempts": prose.rng.choice((0, 2, 3)), "questions": [question(prose, n) for n in numbers]}


def survey(prose: Prose) -> dict[str, object]:
    items: list[dict[str, object]] = [{"id": f"s-{n + 1}", "type": "likert", "prompt": prose.sentence(inline=False)}
                                      for n in range(4)]
    items.append({"id": "s-length", "type": "likert", "prompt": "The length of the course was",
                  "scale": ["Too short", "About right", "Too long"]})
    items.append({"id": "s-comment", "type": "text", "prompt": "What would you add or change?", "max_length": 200})
    return {"kind": "survey", "id": "feedback", "title": "Your feedback", "intro": prose.paragraph(2),
            "questions": items}


def checklist(prose: Prose) -> dict[str, object]:
    return {"kind": "checklist", "id": "readiness", "title": "Before I start work",
            "intro": "Tick each statement that is true for you. The first four are required.",
            "items": [{"id": f"c-{n + 1}", "text": prose.sentence(inline=False), "required": n < 4}
                      for n in range(6)]}
