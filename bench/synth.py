"""Synthetic course generator for the benchmark: realistic shape, any size, deterministic."""

from __future__ import annotations

import argparse
from pathlib import Path

import yaml

PARAGRAPH = ("Report every hazard you notice to your supervisor before the end of your shift, and record it "
             "in the hazard log so that the next team knows what was found and what was done about it.")


def page_text(number: int) -> str:
    body = "\n\n".join([f"## Section {number}.{n}\n\n{PARAGRAPH}\n\n- first point\n- second point" for n in range(3)])
    return f"---\nid: p{number}\ntitle: Page {number}\n---\n# Page {number}\n\n{body}\n"


def quiz_data(number: int, questions: int) -> dict[str, object]:
    items: list[dict[str, object]] = []
    for q in range(questions):
        items.append({"id": f"q{q}", "type": "single", "prompt": f"Question {q} of quiz {number}?",
                      "choices": [{"id": f"c{c}", "text": f"Choice {c}", "correct": c == 0} for c in range(4)]})
    return {"kind": "quiz", "id": f"quiz{number}", "title": f"Quiz {number}", "questions": items}


def write_synthetic_course(root: Path, course_id: str, modules: int, pages_per_module: int,
                           questions_per_quiz: int) -> Path:
    """One quiz per module after its pages; course id equals the folder name."""
    course = root / course_id
    (course / "pages").mkdir(parents=True, exist_ok=True)
    (course / "quizzes").mkdir(exist_ok=True)
    module_entries = []
    for m in range(modules):
        items = []
        for p in range(pages_per_module):
            number = m * pages_per_module + p
            (course / "pages" / f"p{number}.md").write_text(page_text(number), encoding="utf-8")
            items.append(f"pages/p{number}.md")
        (course / "quizzes" / f"quiz{m}.yaml").write_text(
            yaml.dump(quiz_data(m, questions_per_quiz), Dumper=yaml.CSafeDumper, sort_keys=False), encoding="utf-8")
        items.append(f"quizzes/quiz{m}.yaml")
        module_entries.append({"id": f"m{m}", "title": f"Module {m}",
                               "lessons": [{"id": f"l{m}", "title": f"Lesson {m}", "items": items}]})
    manifest = {"id": course_id, "title": "Synthetic course", "description": "Generated for the benchmark.",
                "version": "1.0.0", "language": "en", "authors": [{"name": "Bench"}], "duration_minutes": 60,
                "mastery": {"score": 80, "quizzes": [f"quiz{m}" for m in range(modules)]},
                "modules": module_entries}
    (course / "course.yaml").write_text(yaml.dump(manifest, Dumper=yaml.CSafeDumper, sort_keys=False),
                                        encoding="utf-8")
    return course


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--modules", type=int, default=10)
    parser.add_argument("--pages", type=int, default=10, help="pages per module")
    parser.add_argument("--questions", type=int, default=10, help="questions per quiz")
    args = parser.parse_args()
    print(write_synthetic_course(args.out, "synthetic", args.modules, args.pages, args.questions))


if __name__ == "__main__":
    main()
