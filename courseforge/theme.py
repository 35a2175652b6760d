"""Locating themes: ``templates/<theme>/`` in the source checkout (the project is installed editable)."""

from __future__ import annotations

from pathlib import Path

TEMPLATES_ROOT = Path(__file__).resolve().parent.parent / "templates"


def theme_dir(theme: str) -> Path:
    return TEMPLATES_ROOT / theme
