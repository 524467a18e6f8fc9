"""Repository text stays inert in Markdown, whatever it contains."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from harvester.render.escape import code_block, code_span, inline, link, visible


def test_hostile_text_is_literal() -> None:
    assert inline("[x](javascript:alert(1))") == "\\[x\\](javascript:alert(1))"
    assert inline("<img src=x onerror=alert(1)>") == "\\<img src=x onerror=alert(1)\\>"
    assert inline("a | b") == "a \\| b"
    assert inline("# heading") == "\\# heading"
    assert inline("1. item") == "1\\. item"
    assert inline("@everyone") == "\\@everyone"
    assert inline("\x1b[31mred\x1b[0m") == "\\\\x1b\\[31mred\\\\x1b\\[0m"
    assert inline("evil\u202etxt.exe") == "evil\\\\u202etxt.exe"
    assert inline("line\nbreak") == "line break"
    assert inline("&lt;b&gt;") == "&amp;lt;b&amp;gt;"
    assert inline("{{ 7*7 }} ${{ secrets.X }}") == "{{ 7\\*7 }} \\${{ secrets.X }}"


def test_code_spans_and_blocks_outlast_backticks() -> None:
    assert code_span("a`b") == "``a`b``"
    assert code_span("`start") == "`` `start ``"
    assert code_block(["```", "x"]) == "````\n```\nx\n````"


def test_links_only_to_safe_urls() -> None:
    assert (
        link("abc", "https://github.com/o/r/commit/abc")
        == "[abc](https://github.com/o/r/commit/abc)"
    )
    assert link("abc", "javascript:alert(1)") == "abc"
    assert link("a]b", "https://x.org/a) [y](z") == "a\\]b"


_UNESCAPED = re.compile(r"(?<!\\)[\[\]<>|`*_]")


@given(st.text())
def test_inline_never_leaves_markdown_syntax_open(text: str) -> None:
    escaped = inline(text)
    assert "\n" not in escaped
    stripped = escaped.replace("\\\\", "")
    assert not _UNESCAPED.search(stripped)
    assert not any(ord(c) < 0x20 for c in escaped)


@given(st.text())
def test_code_span_keeps_text_on_one_line(text: str) -> None:
    span = code_span(text)
    assert "\n" not in span and span.startswith("`") and span.endswith("`")


def _unescape(markdown: str) -> str:
    text = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown)
    return text.replace("&amp;", "&")


@given(st.text())
def test_inline_escaping_round_trips(text: str) -> None:
    expected = visible(" ".join(text.splitlines()).replace("\t", " "))
    assert _unescape(inline(text)) == expected


def test_an_ampersand_is_kept_unless_it_would_start_an_entity() -> None:
    assert inline("reject(&:valid?) && ok") == "reject(&:valid?) && ok"
    assert inline("a &copy; b &#169;") == "a &amp;copy; b &amp;#169;"
