"""The floor's work itself, with the bare libraries only (markdown-it-py, Jinja2, zipfile): what a build does at
the least, run in the benchmark's process or in a process of its own.

``python -m bench.floor_process INPUT REPORT`` runs :func:`main`: it loads a pickled :class:`BuildFloorInput` and
does its work once, as a build does in its own process. A full build's figure is its command's CPU, so the floor
beside it is a process too: interpreter start and these libraries' imports count, reading the pickled inputs does
not (REPORT gets what that cost, which the caller subtracts).
"""

from __future__ import annotations

import io
import json
import pickle
import time
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment
from markdown_it import MarkdownIt

SCREENS = Environment(autoescape=False).from_string(
    "<!doctype html><html lang=\"{{ lang }}\"><head><title>{{ title }}</title></head><body><main>"
    "{% for screen in screens %}<section class=\"screen\" id=\"s{{ loop.index }}\">{{ screen }}</section>"
    "{% endfor %}</main></body></html>")


@dataclass(frozen=True)
class Entry:
    name: str
    data: bytes
    method: int
    level: int | None


@dataclass(frozen=True)
class PackageEntries:
    locale: str
    entries: tuple[Entry, ...]

    @property
    def size(self) -> int:
        return sum(len(entry.data) for entry in self.entries)


@dataclass(frozen=True)
class BuildFloorInput:
    """What a full build's floor works on: each locale's page bodies, and every package's entries."""

    bodies: dict[str, list[str]]
    packages: tuple[PackageEntries, ...]


def markdown() -> MarkdownIt:
    return MarkdownIt("commonmark").enable(["table", "strikethrough"])


def rezip(package: PackageEntries) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for entry in package.entries:
            info = zipfile.ZipInfo(entry.name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = entry.method
            archive.writestr(info, entry.data, compresslevel=entry.level)
    return buffer.getvalue()


def render_screens(screens: list[str], locale: str) -> str:
    return SCREENS.render(screens=screens, lang=locale, title="Course")


def build_work(parser: MarkdownIt, bodies: dict[str, list[str]], packages: Iterable[PackageEntries]) -> None:
    """The floor of a build: each locale's pages rendered once, then per package one render and one zip."""
    screens = {locale: [parser.render(body) for body in pages] for locale, pages in bodies.items()}
    for package in packages:
        render_screens(screens[package.locale], package.locale)
        rezip(package)


def edit_work(parser: MarkdownIt, body: str, screens: list[str], packages: Iterable[PackageEntries]) -> None:
    """The floor of a one-page rebuild: that page rendered, then per package one render and one zip."""
    parser.render(body)
    for package in packages:
        render_screens(screens, package.locale)
        rezip(package)


def main(inputs: Path, report: Path) -> None:
    started_cpu, started = time.process_time(), time.perf_counter()
    with inputs.open("rb") as file:
        work: BuildFloorInput = pickle.load(file)
    loading = {"load_cpu_s": time.process_time() - started_cpu, "load_wall_s": time.perf_counter() - started}
    build_work(markdown(), work.bodies, work.packages)
    report.write_text(json.dumps(loading))

