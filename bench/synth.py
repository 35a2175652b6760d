"""A realistic synthetic course in a project folder of its own, seeded and deterministic (same shape and seed,
same bytes): pages of about 1,500 words with headings, lists, tables, inline Markdown, links and images
(JPEG photos, PNG diagrams); quizzes with every question type, a survey and a checklist; modules and lessons;
mastery rules; translations declared and their catalogs made by courseforge's own ``i18n init``, every entry
filled (``bench/translate.py``).

Run: ``.venv/bin/python -m bench.synth OUT --pages 100 --questions 50 --locales 5 --seed 1``.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import yaml

from bench import images
from bench.prose import Prose
from bench.questions import checklist, quiz, survey
from bench.translate import LOCALES, fill_locale, fix_template_date

COURSE_ID = "bench-course"
PAGES_PER_MODULE = 10
PAGES_PER_LESSON = 5
WORDS_PER_PAGE = 1500
PROJECT_YAML = "courses: courses\nlocales: locales\noutput: build\nthemes: themes\n" \
               "base_iri: https://learning.example.com/courses/\nbuild:\n  formats: []\n"


@dataclass(frozen=True)
class Shape:
    pages: int = 100
    questions: int = 50
    locales: int = 5
    """The source language included: 5 is en plus 4 translations."""
    seed: int = 1
    words_per_page: int = WORDS_PER_PAGE

    def __post_init__(self) -> None:
        if not 1 <= self.locales <= len(LOCALES):
            raise ValueError(f"locales must be 1 to {len(LOCALES)}")
        if self.pages < 1 or self.questions < 1:
            raise ValueError("a course needs at least one page and one question")


@dataclass(frozen=True)
class Project:
    root: Path
    course_dir: Path
    shape: Shape

    @property
    def translations(self) -> tuple[str, ...]:
        return LOCALES[1:self.shape.locales]

    def page_path(self, number: int) -> Path:
        return self.course_dir / "pages" / page_file(number)


def page_file(number: int) -> str:
    return f"p{number + 1:04d}.md"


def _dump(data: object) -> str:
    return yaml.dump(data, Dumper=yaml.CSafeDumper, sort_keys=False, allow_unicode=True, width=100)


def page_text(prose: Prose, number: int, words: int, image: str | None) -> str:
    """Sections (``#``, rendered as level 2) and sub-sections (``##``) of paragraphs, lists, a table on most
    pages and the page's image, until the page holds ``words`` words."""
    blocks = [prose.paragraph()]
    section = 0
    while sum(len(block.split()) for block in blocks) < words:
        section += 1
        blocks += [f"# {prose.short(3)}", prose.paragraph()]
        if section == 1 and image is not None:
            blocks.append(f"![{prose.sentence(inline=False)}](../assets/{image})")
        blocks += [f"## {prose.short(2)}", prose.paragraph(), prose.bullet_list() if section % 2 else
                   prose.numbered_list(), prose.paragraph()]
        if section == 2 and number % 5 != 4:
            blocks += [prose.table(), prose.paragraph(3)]
    front = _dump({"id": f"p{number + 1:04d}", "title": prose.short(4)})
    return f"---\n{front}---\n" + "\n\n".join(blocks) + "\n"


def page_image(number: int) -> tuple[str, str] | None:
    """Half the pages carry an image: a photo on every fourth page, a diagram on the others in between."""
    if number % 2:
        return None
    return (f"photo-{number + 1:04d}.jpg", "photo") if number % 4 == 0 else (f"diagram-{number + 1:04d}.png", "diagram")


def write_pages(course: Path, shape: Shape, rng: random.Random) -> None:
    (course / "pages").mkdir(parents=True)
    (course / "assets").mkdir()
    targets = [page_file(n) for n in range(shape.pages)]
    for number in range(shape.pages):
        prose = Prose(rng, [t for t in targets if t != page_file(number)])
        image = page_image(number)
        if image is not None:
            name, kind = image
            data = images.photo_jpeg(rng) if kind == "photo" else images.diagram_png(rng)
            (course / "assets" / name).write_bytes(data)
        text = page_text(prose, number, shape.words_per_page, image[0] if image else None)
        (course / "pages" / page_file(number)).write_text(text, encoding="utf-8")


def quiz_ranges(modules: int, questions: int) -> list[range]:
    """The questions spread over one quiz per module (at most one quiz per 5 questions, at least one)."""
    count = max(1, min(modules, questions // 5))
    bounds = [questions * n // count for n in range(count + 1)]
    return [range(bounds[n], bounds[n + 1]) for n in range(count)]


def write_activities(course: Path, shape: Shape, rng: random.Random, modules: int) -> list[str]:
    prose = Prose(rng)
    for folder in ("quizzes", "surveys", "checklists"):
        (course / folder).mkdir()
    ids = []
    for n, numbers in enumerate(quiz_ranges(modules, shape.questions)):
        quiz_id = f"quiz-{n + 1:02d}"
        (course / "quizzes" / f"{quiz_id}.yaml").write_text(
            _dump(quiz(prose, quiz_id, f"Check your understanding {n + 1}", numbers)), encoding="utf-8")
        ids.append(quiz_id)
    (course / "surveys" / "feedback.yaml").write_text(_dump(survey(prose)), encoding="utf-8")
    (course / "checklists" / "readiness.yaml").write_text(_dump(checklist(prose)), encoding="utf-8")
    return ids


def course_modules(shape: Shape, quiz_ids: list[str], prose: Prose) -> list[dict[str, object]]:
    modules: list[dict[str, object]] = []
    count = math.ceil(shape.pages / PAGES_PER_MODULE)
    for m in range(count):
        pages = range(m * PAGES_PER_MODULE, min(shape.pages, (m + 1) * PAGES_PER_MODULE))
        lessons = [{"id": f"l-{m + 1:03d}-{n + 1}", "title": prose.short(3),
                    "items": [f"pages/{page_file(p)}" for p in pages[start:start + PAGES_PER_LESSON]]}
                   for n, start in enumerate(range(0, len(pages), PAGES_PER_LESSON))]
        if m < len(quiz_ids):
            lessons[-1]["items"].append(f"quizzes/{quiz_ids[m]}.yaml")  # type: ignore[attr-defined]
        modules.append({"id": f"m-{m + 1:03d}", "title": prose.short(3), "lessons": lessons})
    modules[-1]["lessons"].append({"id": "l-wrap-up", "title": "Wrapping up",  # type: ignore[attr-defined]
                                   "items": ["checklists/readiness.yaml", "surveys/feedback.yaml"]})
    return modules


def write_course(course: Path, shape: Shape) -> None:
    rng = random.Random(shape.seed)
    write_pages(course, shape, rng)
    module_count = math.ceil(shape.pages / PAGES_PER_MODULE)
    quiz_ids = write_activities(course, shape, rng, module_count)
    prose = Prose(rng)
    manifest = {
        "id": COURSE_ID, "title": "Working safely on site", "description": prose.paragraph(4),
        "version": "1.0.0", "language": LOCALES[0],
        "translations": [{"language": locale, "required": 100} for locale in LOCALES[1:shape.locales]],
        "authors": [{"name": "Benchmark Content Team", "role": "author"}],
        "duration_minutes": 15 * module_count,
        "objectives": [{"id": f"obj-{n + 1}", "text": prose.sentence(inline=False)} for n in range(4)],
        "completion": {"pages": "all", "checklists": ["readiness"], "surveys": ["feedback"]},
        "mastery": {"score": 80, "quizzes": quiz_ids},
        "modules": course_modules(shape, quiz_ids, prose),
    }
    if not manifest["translations"]:
        del manifest["translations"]
    (course / "course.yaml").write_text(_dump(manifest), encoding="utf-8")


def courseforge(root: Path, *args: str) -> None:
    """Run courseforge's own command in the project (the catalogs are made the way an author makes them)."""
    done = subprocess.run([sys.executable, "-m", "courseforge", *args, "-q"], cwd=root, capture_output=True,
                          text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"courseforge {' '.join(args)} failed ({done.returncode}):\n{done.stdout}{done.stderr}")


def translate_locale(root: Path, locale: str) -> None:
    """One locale's catalogs: made by ``i18n init`` (the templates are current, so it writes only this
    locale's files: locales are independent and may be made side by side), then filled."""
    courseforge(root, "i18n", "init", locale)
    fill_locale(root / "locales", locale)


def write_project(root: Path, shape: Shape) -> Project:
    """The project in ``root`` (created, must not exist or be empty): courseforge.yaml, the course, catalogs."""
    root.mkdir(parents=True, exist_ok=True)
    if any(root.iterdir()):
        raise FileExistsError(f"{root} is not empty")
    (root / "courseforge.yaml").write_text(PROJECT_YAML, encoding="utf-8")
    course = root / "courses" / COURSE_ID
    write_course(course, shape)
    project = Project(root, course, shape)
    courseforge(root, "i18n", "extract")
    translations = project.translations
    if len(translations) > 1:
        with ProcessPoolExecutor(max_workers=min(len(translations), os.cpu_count() or 1)) as pool:
            list(pool.map(partial(translate_locale, root), translations))
    else:
        for locale in translations:
            translate_locale(root, locale)
    for template in sorted((root / "locales" / "templates").glob("*.pot")):
        fix_template_date(template)
    return project


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path, help="project folder to create (must not exist or be empty)")
    parser.add_argument("--pages", type=int, default=Shape.pages)
    parser.add_argument("--questions", type=int, default=Shape.questions)
    parser.add_argument("--locales", type=int, default=Shape.locales, help="the source language included")
    parser.add_argument("--seed", type=int, default=Shape.seed)
    args = parser.parse_args()
    project = write_project(args.out, Shape(args.pages, args.questions, args.locales, args.seed))
    print(project.course_dir)


if __name__ == "__main__":
    main()
