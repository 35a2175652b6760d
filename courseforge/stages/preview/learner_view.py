"""What a learner reads in one built package: the accessible names of its controls, found by id.

The robot learner acts only through roles and accessible names, in the package's own language. The
names come from the package itself (its launch page, parsed here once, never from the running page):
a question's legend, each choice's label, the labels of the player's buttons and dialogs. Ids stay the
course's, so a scenario written with ids answers in every language. Fill-in answers are text by nature,
so the accepted answers of this package's language come from its course data block.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import lxml.html
from lxml.html import HtmlElement

LAUNCH_PAGE = "index.html"
SPACES = re.compile(r"\s+")


class ViewError(ValueError):
    """The package is not a courseforge package the robot can read (no launch page, a control missing)."""


def _name(element: HtmlElement) -> str:
    """Text content as an accessible name reads it: aria-hidden parts left out, white space collapsed."""
    parts: list[str] = []

    def walk(node: HtmlElement) -> None:
        if node.get("aria-hidden") == "true":
            return
        parts.append(node.text or "")
        for child in node:
            walk(child)
            parts.append(child.tail or "")

    walk(element)
    return SPACES.sub(" ", "".join(parts)).strip()


@dataclass(frozen=True)
class LearnerView:
    """The names of one package's controls, by the course's ids."""

    root: HtmlElement
    data: Mapping[str, Any]
    """The course data block (cf-data): ids, answer keys, fill-in answers in this language."""
    ui: Mapping[str, Any]
    """The player strings the runtime writes (cf-ui): result lines, progress, ..."""

    @classmethod
    def of_package(cls, package: bytes) -> LearnerView:
        try:
            with zipfile.ZipFile(io.BytesIO(package)) as archive:
                html = archive.read(LAUNCH_PAGE)
        except (zipfile.BadZipFile, KeyError) as error:
            raise ViewError(f"not a courseforge package: {error}") from None
        return cls.of_html(html)

    @classmethod
    def of_html(cls, html: bytes) -> LearnerView:
        root = lxml.html.fromstring(html)
        return cls(root, cls._json(root, "cf-data"), cls._json(root, "cf-ui"))

    @staticmethod
    def _json(root: HtmlElement, element_id: str) -> Mapping[str, Any]:
        found = root.xpath(f'//script[@id="{element_id}"]')
        if not found:
            raise ViewError(f"the launch page has no {element_id} block")
        value = json.loads(found[0].text or "{}")
        if not isinstance(value, dict):
            raise ViewError(f"{element_id} is not a JSON object")
        return value

    # ---------------------------------------------------------------------------------- lookups

    @staticmethod
    def _all(scope: HtmlElement, path: str, value: str = "") -> list[HtmlElement]:
        """XPath with the id passed as ``$v`` (never pasted into the expression)."""
        found = scope.xpath(path, v=value)
        return [e for e in found if isinstance(e, HtmlElement)] if isinstance(found, list) else []

    def _one(self, scope: HtmlElement, path: str, what: str, value: str = "") -> HtmlElement:
        found = self._all(scope, path, value)
        if not found:
            raise ViewError(f"the package shows no {what}")
        return found[0]

    def _label_of(self, control: HtmlElement, what: str) -> str:
        control_id = control.get("id") or ""
        labels = self._all(self.root, "//label[@for=$v]", control_id) if control_id else []
        if not labels:
            raise ViewError(f"{what} has no label")
        return _name(labels[0])

    def screen(self, screen_id: str) -> HtmlElement:
        return self._one(self.root, "//section[@data-screen=$v]", f"screen '{screen_id}'", screen_id)

    def title(self, screen_id: str) -> str:
        return _name(self._one(self.screen(screen_id), ".//h1", f"heading of screen '{screen_id}'"))

    def button(self, element_id: str) -> str:
        """A player button by its element id (``cf-next``, ``cf-prev``)."""
        return _name(self._one(self.root, "//*[@id=$v]", f"button #{element_id}", element_id))

    def role_text(self, screen_id: str, role: str) -> str:
        """The name of a screen's control by its part (``submit``, ``retry``, ``keep``, ``submit-anyway``)."""
        return _name(self._one(self.screen(screen_id), ".//*[@data-role=$v]",
                               f"'{role}' control on screen '{screen_id}'", role))

    def dialog_title(self, screen_id: str) -> str:
        dialog = self._one(self.screen(screen_id), ".//dialog", f"dialog on screen '{screen_id}'")
        title = self.root.get_element_by_id(dialog.get("aria-labelledby") or "", None)
        if title is None:
            raise ViewError(f"the dialog of screen '{screen_id}' has no title")
        return _name(title)

    def resume(self) -> tuple[str, str, str]:
        """The resume dialog's title and its two buttons: (title, resume, start over)."""
        dialog = self._one(self.root, "//dialog[@id=$v]", "resume dialog", "cf-resume")
        title = self.root.get_element_by_id(dialog.get("aria-labelledby") or "", None)
        if title is None:
            raise ViewError("the resume dialog has no title")
        return (_name(title), _name(self._one(dialog, ".//*[@data-role=$v]", "Resume button", "resume")),
                _name(self._one(dialog, ".//*[@data-role=$v]", "Start over button", "restart")))

    def question(self, screen_id: str, question_id: str) -> HtmlElement:
        return self._one(self.screen(screen_id), ".//fieldset[@data-question=$v]",
                         f"question '{question_id}' on '{screen_id}'", question_id)

    def prompt(self, screen_id: str, question_id: str) -> str:
        return _name(self._one(self.question(screen_id, question_id), ".//legend", f"prompt of '{question_id}'"))

    def option(self, screen_id: str, question_id: str, value: str) -> str:
        """The label of a radio or checkbox of a question, by its value (a choice id, ``true``/``false``)."""
        box = self.question(screen_id, question_id)
        control = self._one(box, ".//input[@value=$v]", f"option '{value}' of '{question_id}'", value)
        return self._label_of(control, f"option '{value}' of '{question_id}'")

    def row(self, screen_id: str, question_id: str, row_id: str) -> tuple[str, dict[str, str]]:
        """A matching source or sequencing item: its label and its list's options (value -> text)."""
        box = self.question(screen_id, question_id)
        select = self._one(box, ".//select[@data-source=$v or @data-item=$v]", f"list '{row_id}' of '{question_id}'",
                           row_id)
        options = {o.get("value", ""): _name(o) for o in self._all(select, ".//option") if o.get("value")}
        return self._label_of(select, f"list '{row_id}' of '{question_id}'"), options

    def checklist_item(self, screen_id: str, item_id: str) -> str:
        control = self._one(self.screen(screen_id), ".//input[@data-item=$v]", f"checklist item '{item_id}'", item_id)
        return self._label_of(control, f"checklist item '{item_id}'")

    def survey_item(self, screen_id: str, item_id: str) -> tuple[str, tuple[str, ...]]:
        """A survey item's prompt and, for a scale, the labels of its points (empty for a text item)."""
        box = self._one(self.screen(screen_id), ".//*[@data-item=$v]", f"survey item '{item_id}'", item_id)
        if box.tag == "fieldset":
            legend = self._one(box, ".//legend", f"prompt of '{item_id}'")
            return _name(legend), tuple(self._label_of(i, f"point of '{item_id}'") for i in self._all(box, ".//input"))
        area = self._one(box, ".//textarea", f"text box of '{item_id}'")
        return self._label_of(area, f"survey item '{item_id}'"), ()

    def accepted(self, quiz_id: str, question_id: str) -> tuple[str, ...]:
        """A fill-in question's accepted answers in this package's language."""
        for question in self.data.get("quizzes", {}).get(quiz_id, {}).get("questions", []):
            if question.get("id") == question_id:
                return tuple(str(a) for a in question.get("accepted", ()))
        raise ViewError(f"the course data has no question '{question_id}' in '{quiz_id}'")

    def result_line(self, passed: bool) -> re.Pattern[str]:
        """What the quiz's result line says, the percent left open (its digits are the locale's)."""
        template = str(self.ui["resultPassed" if passed else "resultFailed"])
        before, _, after = template.partition("{percent}")
        return re.compile(re.escape(before.strip()) + r".+" + re.escape(after.strip()))

    def resume_where(self, title: str) -> str:
        return str(self.ui["resumeWhere"]).replace("{title}", title)
