"""Branding without templates: a logo, colours, a font stack and a cover image, from courseforge.yaml
(project-wide) and course.yaml (per course, key by key over the project's).

Only values that cannot carry arbitrary CSS are accepted: colours are hex colours, the font is a plain
family stack, images are files inside the project or course. Each colour maps onto one custom property
of the default theme's player.css, so a brand restyles the player without a stylesheet of its own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePosixPath
from typing import Annotated

from pydantic import AfterValidator, StringConstraints, field_validator
from pydantic_core import PydanticCustomError

from courseforge.model.node import Node

HEX_COLOR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
QUOTED_FAMILY = r"\"[^\"\\;{}<>()\n\r]+\"|'[^'\\;{}<>()\n\r]+'"
PLAIN_FAMILY = r"[^\W\d][\w-]*(?: [\w-]+)*"
FONT_STACK = re.compile(rf"(?:{QUOTED_FAMILY}|{PLAIN_FAMILY})(?:, ?(?:{QUOTED_FAMILY}|{PLAIN_FAMILY}))*")
FONT_STACK_LIMIT = 300
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg")

COLOR_PROPERTIES: Mapping[str, str] = {
    "primary": "--cf-accent",
    "primary_text": "--cf-accent-text",
    "text": "--cf-text",
    "muted": "--cf-muted",
    "background": "--cf-surface",
    "panel": "--cf-panel",
    "focus": "--cf-focus",
    "correct": "--cf-correct",
    "incorrect": "--cf-incorrect",
}
"""Branding colour key -> the player.css custom property it sets."""

DEFAULT_COLORS: Mapping[str, str] = {
    "primary": "#1f4fbf",
    "primary_text": "#ffffff",
    "text": "#1b1b1f",
    "muted": "#4a4a55",
    "background": "#ffffff",
    "panel": "#f3f4f7",
    "focus": "#c45800",
    "correct": "#1d6b34",
    "incorrect": "#a1232b",
}
"""The default theme's values of those properties (player.css; a test keeps the two in step)."""


def hex_color(value: str) -> str:
    if not HEX_COLOR.fullmatch(value):
        raise PydanticCustomError("hex_color", "must be a CSS hex colour, #rgb or #rrggbb (e.g. \"#1f4fbf\")")
    return value.lower()


def font_stack(value: str) -> str:
    """A comma-separated list of family names, quoted or plain: nothing that could end the declaration."""
    stack = value.strip()
    if len(stack) > FONT_STACK_LIMIT or not FONT_STACK.fullmatch(stack):
        raise PydanticCustomError(
            "font_stack", "must be a plain font-family stack of names separated by commas "
            "(e.g. '\"Source Sans 3\", Arial, sans-serif'); no url(), ';', braces or other CSS")
    return stack


def image_path(value: str) -> str:
    """A relative path to an image file inside the folder the key is written in."""
    path = PurePosixPath(value)
    if (not value.strip() or path.is_absolute() or ".." in path.parts or "\\" in value or ":" in value
            or any(part.startswith(".") for part in path.parts)):
        raise PydanticCustomError("image_path", "must be a relative path to a file inside the folder "
                                  "(no '..', no absolute path, no URL, no hidden folder)")
    if path.suffix.lower() not in IMAGE_SUFFIXES:
        raise PydanticCustomError("image_path", "must name a PNG, JPEG, GIF, WebP or SVG image "
                                  "(.png, .jpg, .jpeg, .gif, .webp, .svg)")
    return path.as_posix()


HexColor = Annotated[str, AfterValidator(hex_color)]
FontStack = Annotated[str, AfterValidator(font_stack)]
ImagePath = Annotated[str, AfterValidator(image_path)]
AltText = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]


class BrandNode(Node):
    """Every key is optional, but a key that is written needs a value: in YAML a bare ``#`` starts a
    comment, so ``primary: #1f4fbf`` silently reads as an empty value."""

    @field_validator("*", mode="before")
    @classmethod
    def _written_means_set(cls, value: object) -> object:
        if value is None:
            raise PydanticCustomError("empty_value", "has no value (in YAML '#' starts a comment: write a "
                                      "colour in quotes, e.g. \"#1f4fbf\", or remove the key)")
        return value


class BrandColors(BrandNode):
    """Colours of the player; each one a custom property of player.css (``COLOR_PROPERTIES``)."""

    primary: HexColor | None = None
    """Links, buttons, the current entry of the contents."""
    primary_text: HexColor | None = None
    """Text on the primary colour (primary buttons, the current entry)."""
    text: HexColor | None = None
    muted: HexColor | None = None
    """Secondary text: breadcrumbs, lesson names, progress."""
    background: HexColor | None = None
    panel: HexColor | None = None
    """The header band."""
    focus: HexColor | None = None
    """The keyboard focus outline."""
    correct: HexColor | None = None
    incorrect: HexColor | None = None

    def chosen(self) -> dict[str, str]:
        """The colours written, by key, in the order of ``COLOR_PROPERTIES``."""
        return {key: value for key in COLOR_PROPERTIES if (value := getattr(self, key)) is not None}


class Branding(BrandNode):
    """``branding:`` of courseforge.yaml (paths from the project root) or course.yaml (from the course)."""

    logo: ImagePath | None = None
    logo_alt: AltText | None = None
    """Required with ``logo``: what the logo says (usually the organisation's name)."""
    cover: ImagePath | None = None
    cover_alt: AltText | None = None
    """Required with ``cover``."""
    colors: BrandColors | None = None
    font: FontStack | None = None
    """A CSS font-family stack of fonts the learner's device has (web fonts belong in a theme folder)."""

    def image_paths(self) -> tuple[str, ...]:
        """The image files written (logo, cover), as written."""
        return tuple(path for role in ImageRole if (path := getattr(self, role)) is not None)


# ------------------------------------------------------------------------------------ resolved, for render

@dataclass(frozen=True)
class ProjectBranding:
    """courseforge.yaml's ``branding`` with its image files as read at the edge (project root)."""

    branding: Branding
    images: Mapping[str, bytes]
    """Image path as written -> bytes, for every image that could be read inside the project."""
    failures: Mapping[str, str]
    """Image path as written -> why it could not be read (missing, outside the project, unreadable)."""


class ImageOwner(StrEnum):
    COURSE = "course"
    """Written in course.yaml: relative to the course folder, shipped with the course's files."""
    PROJECT = "project"
    """Written in courseforge.yaml: relative to the project root, shipped with the theme."""


class ImageRole(StrEnum):
    LOGO = "logo"
    COVER = "cover"


@dataclass(frozen=True)
class BrandImage:
    role: ImageRole
    path: str
    """As written, relative to the folder of its owner."""
    owner: ImageOwner
    alt: str
    data: bytes


@dataclass(frozen=True)
class ChosenColor:
    key: str
    """A key of ``COLOR_PROPERTIES``."""
    value: str


@dataclass(frozen=True)
class ResolvedBranding:
    """The course's branding merged over the project's, checked, with its images' bytes."""

    colors: tuple[ChosenColor, ...] = ()
    font: str | None = None
    logo: BrandImage | None = None
    cover: BrandImage | None = None

    @property
    def is_empty(self) -> bool:
        return not (self.colors or self.font or self.logo or self.cover)

    def color_values(self) -> dict[str, str]:
        """Every colour of the player: the chosen ones over the default theme's."""
        return {**DEFAULT_COLORS, **{c.key: c.value for c in self.colors}}


NO_BRANDING = ResolvedBranding()
