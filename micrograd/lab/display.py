"""Source code as a notebook shows it: Code(text) prints as itself, and shows in Jupyter highlighted.

Highlighting uses Pygments when it is installed (it comes with IPython, so with Jupyter), and is coloured
by the JupyterLab theme's own editor colours, so that it reads in light and dark themes alike; without
Pygments, or where the front end drops the style (JupyterLab does in a notebook that is not trusted), the
code shows as plain preformatted text in the theme's text colour.
"""

from __future__ import annotations

import uuid
from html import escape

# Pygments' token classes -> the CSS variables of JupyterLab's editor colours, with its light theme's as fallback.
_COLOURS = {
    "k kc kd kn kp kr": ("keyword", "#008000", "font-weight: bold"),
    "ow": ("operator", "#aa22ff", "font-weight: bold"),
    "o": ("operator", "#aa22ff", ""),
    "nf nc": ("def", "#0000ff", ""),
    "nb bp": ("builtin", "#008000", ""),
    "mi mf mh mo m": ("number", "#008800", ""),
    "s s1 s2 sd sa se si": ("string", "#ba2121", ""),
    "c c1 cm ch cs": ("comment", "#408080", "font-style: italic"),
    "p": ("punctuation", "#0055aa", ""),
}


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
            ", ".join(f"#{uid} .{cls}" for cls in classes.split())
            + f" {{ color: var(--jp-mirror-editor-{name}-color, {fallback}); {extra} }}"
            for classes, (name, fallback, extra) in _COLOURS.items()
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


__all__ = ["Code"]
