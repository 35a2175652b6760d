"""The text rule's byte-level check (``inputs.holds_no_forbidden``) decides exactly what the character pattern
decides, so a file that passes it need not be searched character by character."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from courseforge.diagnostics import DiagnosticSink
from courseforge.stages.inputs import FORBIDDEN_IN_VALUE, decode_text, holds_no_forbidden

EDGES = "\x00\x08\t\n\x0b\x0c\r\x0e\x1f \x7f\x80\x9f\xa0\xc2\u00ab\ud7ff\ue000\ufffd\ufffe\uffff\U00010000\U0010ffff"
"""Characters at the rule's edges and around the byte patterns (C2 lead bytes, EF BF sequences)."""
texts = st.text(st.one_of(st.sampled_from(EDGES), st.characters(exclude_categories=("Cs",))), max_size=40)


@given(texts)
def test_the_byte_check_agrees_with_the_character_pattern(text: str) -> None:
    assert holds_no_forbidden(text.encode()) == (FORBIDDEN_IN_VALUE.search(text) is None)


@given(texts)
def test_decode_text_reports_the_same_first_character_either_way(text: str) -> None:
    sink = DiagnosticSink()
    decoded = decode_text(text.encode(), "page.md", sink)
    expected = FORBIDDEN_IN_VALUE.search(text)
    lone_return = "\r" in text.replace("\r\n", "")
    assert (decoded is None) == (expected is not None or lone_return)
    if expected is not None and not lone_return:
        (problem,) = list(sink)
        assert f"U+{ord(expected.group()):04X}" in problem.message
