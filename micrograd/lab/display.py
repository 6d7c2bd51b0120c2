"""What a notebook shows: source code (Code) and pictures (picture_html), readable in light and dark themes.

Code(text) prints as itself, and shows in Jupyter highlighted. Highlighting uses Pygments when it is
installed (it comes with IPython, so with Jupyter), on the theme's code background, in JupyterLab's editor
colours where those reach a contrast of 4.5:1 (WCAG AA) and in a darker or lighter shade of them where they
do not, one set for light themes and one for dark (JupyterLab marks a dark theme on <body>); without
Pygments, or where the front end drops the style (JupyterLab does in a notebook that is not trusted), the
code shows as plain preformatted text in the theme's text colour.

picture_html(svg) shows an SVG (a drawing of a graph, a network, a training curve) as a picture that shrinks
to the width of the output down to the size where its text is MIN_TEXT_PX high, and past that scrolls
sideways. It is a CSS background image with inline styles only, which JupyterLab keeps in a notebook that is
not trusted.
"""

from __future__ import annotations

import base64
import re
import uuid
from html import escape

FONT_SIZE = 12  # points, for every text of a drawing (16 px at full size)
MIN_TEXT_PX = 9  # a picture shrinks to fit no further than this height of its smallest text
FIT_WIDTH = 960  # px: about the width of a notebook's output, where a wider picture is scaled down

# Pygments' token classes -> their colour on a light theme's code background, on a dark theme's, and a style.
# Each reaches 4.5:1 on JupyterLab's code backgrounds: light #f5f5f5 (and #f7f7f7, the background outside
# JupyterLab), dark #212121 and high-contrast #111. JupyterLab's own editor colours, except: numbers
# #080 → #007a00 and comments #408080 → #3a7575 in light (4.26 and 4.17:1), definitions #1e88e5 → #2196f3
# and comments #408080 → #56acac (the high-contrast theme's) in dark (4.38 and 3.54:1).
_COLOURS = {
    "k kc kd kn kp kr": ("#008000", "#4caf50", "font-weight: bold"),
    "ow": ("#7800c2", "#d48fff", "font-weight: bold"),
    "o": ("#7800c2", "#d48fff", ""),
    "nf nc": ("#0000ff", "#2196f3", ""),
    "nb bp": ("#008000", "#43a047", ""),
    "mi mf mh mo m": ("#007a00", "#66bb6a", ""),
    "s s1 s2 sd sa se si": ("#ba2121", "#ff7070", ""),
    "c c1 cm ch cs": ("#3a7575", "#56acac", "font-style: italic"),
    "p": ("#0055aa", "#42a5f5", ""),
}
_DARK = '[data-jp-theme-light="false"]'  # JupyterLab's mark of a dark theme, on <body>


class Code:
    """Source code to show: print(code) writes it as it is, Jupyter shows it highlighted."""

    def __init__(self, source: str, language: str = "python") -> None:
        if not isinstance(source, str):
            raise TypeError(f"Code() takes the source as a str, got {type(source).__name__}")
        self.source = source
        self.language = language

    def __str__(self) -> str:
        return self.source

    def __repr__(self) -> str:
        return self.source

    def _repr_html_(self) -> str:
        uid = f"mg-code-{uuid.uuid4().hex[:12]}"
        body = _highlighted(self.source, self.language)
        if body is None:
            return f'<pre class="mg-code">{escape(self.source)}</pre>'
        rules = "\n".join(
            ", ".join(f"{theme}#{uid} .{cls}" for cls in classes.split()) + f" {{ {style} }}"
            for classes, (light, dark, extra) in _COLOURS.items()
            for theme, style in (("", f"color: {light}; {extra}".rstrip("; ")), (f"{_DARK} ", f"color: {dark}"))
        )
        box = (
            f"#{uid} {{ color: var(--jp-content-font-color1, #1f1f1f); "
            "background: var(--jp-cell-editor-background, #f7f7f7); padding: 0.5em 0.7em; overflow-x: auto; }"
        )
        return f'<style>\n{box}\n{rules}\n</style>\n<pre id="{uid}" class="mg-code">{body}</pre>'


def _highlighted(source: str, language: str) -> str | None:
    """The source as HTML spans with Pygments' token classes, or None without Pygments."""
    try:
        from pygments import highlight
        from pygments.formatters import HtmlFormatter
        from pygments.lexers import get_lexer_by_name
    except ImportError:
        return None
    html: str = highlight(source, get_lexer_by_name(language), HtmlFormatter(nowrap=True))
    return html[:-1] if html.endswith("\n") and not source.endswith("\n") else html


def svg_size(svg: str) -> tuple[float, float]:
    """(width, height) of an SVG from Graphviz in CSS pixels, at full size (Graphviz writes points)."""
    match = re.search(r'<svg width="([0-9.]+)pt" height="([0-9.]+)pt"', svg)
    if match is None:
        raise ValueError("not an SVG from Graphviz: its <svg> element has no width and height in points")
    return float(match.group(1)) * 4 / 3, float(match.group(2)) * 4 / 3


def smallest_scale(svg: str) -> float:
    """How far the drawing may shrink: until its smallest text is MIN_TEXT_PX high (at most 1: never larger)."""
    sizes = [float(size) for size in re.findall(r'font-size="([0-9.]+)"', svg)]
    smallest_px = min(sizes, default=FONT_SIZE) * 4 / 3
    return min(1.0, MIN_TEXT_PX / smallest_px)


def svg_data_uri(svg: str) -> str:
    """The SVG as a data: URI, base64 (which has no character that ends a CSS url())."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def picture_html(svg: str, *, title: str, open_at_end: bool = False) -> str:
    """The SVG as HTML that fits the width of a notebook's output, for a drawing shown in Jupyter.

    The picture shrinks with the output down to smallest_scale(), then scrolls sideways; open_at_end
    opens the scrolling frame at its right end (where the root of a left-to-right drawing is). The SVG
    is a CSS background image, which JupyterLab keeps in an untrusted notebook, where it removes inline
    SVG and images with a data: URI; only inline styles are used, for the same reason.
    """
    width, height = svg_size(svg)
    scale = smallest_scale(svg)
    frame = "max-width: 100%; overflow-x: auto; overflow-y: hidden"
    if open_at_end:  # right to left: the frame opens scrolled to its right end, and the picture keeps to the left
        frame += "; direction: rtl"
    sizer = (
        f"direction: ltr; width: {width:.0f}px; max-width: 100%; min-width: {width * scale:.0f}px; margin-right: auto"
    )
    picture = (
        f"height: 0; padding-top: {100 * height / width:.4f}%; background-image: url({svg_data_uri(svg)}); "
        "background-size: 100% 100%; background-repeat: no-repeat"
    )
    caption = ""
    if width * scale > FIT_WIDTH:
        caption = (
            f'<div class="mg-caption" style="font-size: 0.85em; margin-top: 0.3em">{width:,.0f} × {height:,.0f} px '
            f"at full size: it shrinks to {scale:.0%} at most, then scrolls sideways. For all of it at full size, "
            "save it: drawing.render('graph', format='svg') writes graph.svg.</div>"
        )
    return (
        f'<div class="mg-figure"><div class="mg-frame" style="{frame}"><div class="mg-sizer" style="{sizer}">'
        f'<div class="mg-picture" title="{escape(title)}" style="{picture}"></div></div></div>{caption}</div>'
    )


__all__ = ["FONT_SIZE", "Code", "picture_html", "smallest_scale", "svg_data_uri", "svg_size"]
