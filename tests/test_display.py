"""Code as a notebook shows it: the very source, highlighted where Pygments is installed, plain text otherwise."""

from __future__ import annotations

import re
import sys
from html.parser import HTMLParser

import pytest

from micrograd import Value
from micrograd.compile import compile_graph
from micrograd.lab.display import Code


class Reader(HTMLParser):
    """The text a browser shows inside <pre>, and the classes of the spans around each piece of it."""

    def __init__(self) -> None:
        super().__init__()
        self.pre, self.spans, self.classes, self.style = "", [], [], ""
        self.inside_pre = self.inside_style = False

    def handle_starttag(self, tag, attrs):
        if tag == "pre":
            self.inside_pre = True
        elif tag == "span":
            self.classes.append(dict(attrs).get("class", ""))
        elif tag == "style":
            self.inside_style = True

    def handle_endtag(self, tag):
        if tag == "pre":
            self.inside_pre = False
        elif tag == "span":
            self.classes.pop()
        elif tag == "style":
            self.inside_style = False

    def handle_data(self, data):
        if self.inside_pre:
            self.pre += data
            self.spans.append((data, self.classes[-1] if self.classes else ""))
        elif self.inside_style:
            self.style += data


def shown(html: str) -> Reader:
    reader = Reader()
    reader.feed(html)
    reader.close()
    return reader


def generated_source() -> str:
    a, b = Value(2.0, "a"), Value(-3.0, "b")
    c = (a * b).tanh()
    c.label = "c"
    return compile_graph(c, [a, b]).source


def test_print_shows_the_source_as_it_is():
    source = generated_source()
    assert str(Code(source)) == repr(Code(source)) == source


def test_in_jupyter_the_source_is_highlighted_in_the_themes_editor_colours():
    pytest.importorskip("pygments")
    source = generated_source()
    seen = shown(Code(source)._repr_html_())
    assert seen.pre == source  # every character, as it is
    assert ("def", "k") in seen.spans and ("return", "k") in seen.spans  # keywords in the keyword colour
    assert ("1.0", "mf") in seen.spans  # numbers in the number colour
    assert "color: var(--jp-mirror-editor-keyword-color, #008000); font-weight: bold" in seen.style
    assert not re.search(r"var\([^)]*;", seen.style)  # each var() closes before the declaration ends
    assert "background: var(--jp-cell-editor-background" in seen.style  # with the text colour it is read on


def test_markup_in_the_source_is_shown_as_text():
    source = 'x = "</pre><script>alert(1)</script> & <b>"\n'
    for html in (Code(source)._repr_html_(), without_pygments(source)):
        assert shown(html).pre == source
        assert "<script>" not in html


def test_without_pygments_the_source_is_plain_preformatted_text(monkeypatch):
    source = generated_source()
    monkeypatch.setitem(sys.modules, "pygments", None)  # import pygments now raises ImportError
    html = Code(source)._repr_html_()
    assert html.startswith('<pre class="mg-code">') and "<span" not in html and "<style" not in html
    assert shown(html).pre == source


def without_pygments(source: str) -> str:
    saved = sys.modules.get("pygments")
    sys.modules["pygments"] = None
    try:
        return Code(source)._repr_html_()
    finally:
        if saved is None:
            del sys.modules["pygments"]
        else:
            sys.modules["pygments"] = saved


def test_code_takes_a_string():
    with pytest.raises(TypeError, match="Code\\(\\) takes the source as a str, got int"):
        Code(3)
