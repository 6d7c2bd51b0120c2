"""What a notebook shows: code as its very source, highlighted where Pygments is installed, and fitting pictures.

A picture shrinks to the output's width down to where its text is 9 px high, then scrolls sideways."""

from __future__ import annotations

import pathlib
import re
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest

from colours import hex_rgb, ratio
from conftest import optional_import
from micrograd import Value
from micrograd.compile import compile_graph
from micrograd.lab.display import Code, picture_html, svg_size
from micrograd.lab.viz import draw_dot
from reading import (
    RENDERERS,
    SVG,
    lecture_example_after_backward,
    picture_in,
    recurrence,
    style_of,
    using,
    what_a_person_sees,
)


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
    optional_import("pygments")
    source = generated_source()
    seen = shown(Code(source)._repr_html_())
    assert seen.pre == source  # every character, as it is
    assert ("def", "k") in seen.spans and ("return", "k") in seen.spans  # keywords in the keyword colour
    assert ("1.0", "mf") in seen.spans  # numbers in the number colour
    assert ".k, " in seen.style and "{ color: #008000; font-weight: bold }" in seen.style  # JupyterLab's green
    assert '[data-jp-theme-light="false"] #' in seen.style  # and colours of their own in a dark theme
    assert not re.search(r"var\([^)]*;", seen.style)  # each var() closes before the declaration ends
    assert "background: var(--jp-cell-editor-background" in seen.style  # with the text colour it is read on


def jupyterlab_themes() -> dict[str, dict[str, str]]:
    """The CSS variables of each theme JupyterLab ships, read from its CSS, by the theme's folder name; with the
    Material palette (--md-blue-600, ...) that its themes refer to, from JupyterLab's core."""
    folder = pathlib.Path(optional_import("jupyterlab").__file__).parent
    (core,) = (folder / "static").glob("jlab_core.*.js")
    palette = dict(re.findall(r"(--md-[\w-]+): *(#[0-9a-fA-F]+)", core.read_text(encoding="utf-8")))
    return {
        path.parent.name: {**palette, **dict(re.findall(r"(--[\w-]+):([^;}]+)", path.read_text(encoding="utf-8")))}
        for path in sorted((folder / "themes").glob("*/theme-*-extension/index.css"))
    }


def resolve(value: str, variables: dict[str, str]) -> str:
    """A CSS value as a theme makes it: var(--name, fallback) is the theme's --name, or else the fallback."""
    call = re.fullmatch(r"var\((--[\w-]+)(?:, *(.*))?\)", value.strip())
    if call is None:
        return value.strip()
    return resolve(variables[call[1]] if call[1] in variables else call[2], variables)


def test_every_colour_of_highlighted_code_reads_on_every_jupyterlab_theme_s_code_background():
    """WCAG AA: 4.5:1 for each token colour of the style, as JupyterLab's light and dark themes (and a front end
    without JupyterLab's variables) make it, on the code's background as the same theme makes it."""
    optional_import("pygments")
    style = shown(Code(generated_source() + "# a comment\n")._repr_html_()).style
    rules = re.findall(r"^([^{\n]*) \{ ([^}]*)\}", style, flags=re.MULTILINE)
    themes = {"outside JupyterLab": {}, **jupyterlab_themes()}
    assert {"theme-light-extension", "theme-dark-extension"} <= set(themes)
    failing, seen = [], set()
    for name, variables in themes.items():
        dark = "dark" in name  # JupyterLab marks a dark theme with data-jp-theme-light="false" on <body>
        colours = {}  # token class -> its colour in this theme (a dark theme's rules, more specific, win)
        for selectors, declarations in sorted(rules, key=lambda rule: rule[0].startswith("[")):
            if selectors.startswith('[data-jp-theme-light="false"] ') and not dark:
                continue
            colour = re.search(r"(?:^|; )color: ([^;]+)", declarations)
            for selector in selectors.split(", "):
                if colour and " ." in selector:
                    colours[selector.rsplit(".", 1)[1]] = resolve(colour[1], variables)
                elif " " not in selector.strip():  # the block itself: its background
                    background = resolve(re.search(r"background: ([^;]+)", declarations)[1], variables)
        assert {"k", "c1", "mf", "nf", "o", "s1", "p"} <= set(colours), name
        for token, colour in colours.items():
            seen.add((dark, colour))
            contrast = ratio(hex_rgb(colour), hex_rgb(background))
            if contrast < 4.5:
                failing.append(f"{name}: .{token} in {colour} on {background}: {contrast:.2f}:1")
    assert not failing, "under 4.5:1 (WCAG AA):\n" + "\n".join(failing)
    assert len(seen) >= 10  # a colour of its own for each kind of token, light and dark


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


# -- pictures: a drawing in a notebook fits the output -----------------------------------------------


@pytest.mark.parametrize("renderer", RENDERERS)
def test_a_drawing_in_a_notebook_shrinks_to_fit_no_further_than_readable(renderer):
    v = lecture_example_after_backward()
    with using(renderer):
        html = draw_dot(v["L"], show_local=True)._repr_html_()
    svg = picture_in(html)
    assert what_a_person_sees(svg)[0]["L"] == ["data -8", "grad 1"]
    root = ET.fromstring(svg)
    width_pt = float(root.get("width").removesuffix("pt"))
    height_pt = float(root.get("height").removesuffix("pt"))
    smallest_font_pt = min(float(t.get("font-size")) for t in root.iter(f"{SVG}text"))
    sizer = style_of(html, "mg-sizer")
    assert sizer["width"] == f"{width_pt * 4 / 3:.0f}px"  # full size: a CSS px is 3/4 of a point
    assert sizer["max-width"] == "100%"  # narrower where the output is narrower ...
    # ... but never so small that its smallest text is under 9 px: there the frame scrolls instead
    assert float(sizer["min-width"].removesuffix("px")) == pytest.approx(
        width_pt * 4 / 3 * 9 / (smallest_font_pt * 4 / 3), abs=0.5
    )
    picture = style_of(html, "mg-picture")
    assert float(picture["padding-top"].removesuffix("%")) == pytest.approx(100 * height_pt / width_pt, rel=1e-4)
    assert style_of(html, "mg-frame")["overflow-x"] == "auto"
    assert style_of(html, "mg-frame")["direction"] == "rtl"  # opens scrolled to its right end, where L is
    assert "<svg" not in html and "<script" not in html and "<style" not in html  # what an untrusted notebook keeps
    assert "mg-caption" not in html  # it fits a notebook's width without scrolling: nothing to say


def test_a_drawing_too_wide_to_fit_says_how_to_see_all_of_it(monkeypatch):
    monkeypatch.setenv("MICROGRAD_RENDER_TIMEOUT", "30")  # generous: it takes well under a second
    h, _, _ = recurrence(10)
    html = draw_dot(h)._repr_html_()
    caption = re.search(r'<div class="mg-caption"[^>]*>(.*?)</div>', html).group(1)
    assert "scrolls sideways" in caption and "drawing.render('graph', format='svg')" in caption
    assert "rtl" not in draw_dot(h, rankdir="RL")._repr_html_()  # right to left: the root is already at the start


def test_a_picture_needs_the_size_graphviz_writes():
    assert svg_size('<svg width="96pt" height="48pt" viewBox="0 0 96 48">') == (128.0, 64.0)  # a CSS px is 3/4 pt
    with pytest.raises(ValueError, match="not an SVG from Graphviz: its <svg> element has no width and height"):
        picture_html('<svg width="100%" height="100%"></svg>', title="a picture")
