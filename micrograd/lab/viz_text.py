"""The text of a drawing (viz): any text shown as itself in a Graphviz HTML-like label, and a value's box.

Labels are always text, never markup: a label such as "<b>" or "\\N" is drawn as those characters, not read
as HTML or as one of Graphviz's escapes, and characters that cannot be drawn (controls, surrogates) show as
Python escapes. Cells are sized for any common sans-serif font, not only Graphviz's Helvetica.
"""

from __future__ import annotations

import unicodedata
from html import escape

HIGHLIGHT = "#ffd54f"  # the background of a highlighted value
UNNAMED_COLOR = "#5a5a5a"  # the name micrograd gives a value that has no label (4.5:1 or more on any box)
LEAF_COLOR = "#eceff1"  # the background of a leaf's name: an input, a weight or a constant
WRAP = 80  # characters per line of a label; longer lines wrap


def display_text(text: str) -> str:
    """text as it is drawn: characters that cannot be shown (controls, surrogates) as Python escapes."""
    return "".join(c if _showable(c) else repr(c)[1:-1] for c in text.replace("\r\n", "\n"))


def _showable(c: str) -> bool:
    if c == "\n":
        return True
    return unicodedata.category(c) not in ("Cc", "Cs") and c not in "\ufffe\uffff"


def html_text(text: str, wrap: int = WRAP) -> str:
    """text as the content of a Graphviz HTML-like label: shown as itself, never read as DOT or HTML.

    Lines break at newlines and every `wrap` characters; each break also ends the line of DOT source,
    since older dot versions reject a single line longer than 16384 characters.
    """
    # Graphviz reads \N, \G, \E ... in labels as the name of the node or graph, and \\ as one backslash.
    # Graphviz 2.43 (Debian 12's) drops a cell's text made only of "]" into the next cell: spell it &#93;.
    return "<BR/>\n".join(
        escape(line, quote=True).replace("\\", "\\\\").replace("]", "&#93;") for line in _lines(text, wrap)
    )


def _lines(text: str, wrap: int = WRAP) -> list[str]:
    lines = []
    for line in display_text(text).split("\n"):
        lines.extend([line[i : i + wrap] for i in range(0, len(line), wrap)] or [""])
    return lines


def _cell(text: str, content: str | None = None, attrs: str = "", width_of: str | None = None) -> str:
    """A table cell showing text, wide enough for it (or for width_of) in any common sans-serif font.

    Graphviz sizes a cell with the metrics of its own Helvetica; a browser without Helvetica or Arial
    draws it in a wider font (DejaVu Sans), which would overflow the cell without this minimum width.
    """
    widest = max(
        sum(12 if unicodedata.east_asian_width(c) in "WF" else 8 for c in line)
        for line in _lines(text if width_of is None else width_of)
    )
    content = html_text(text) if content is None else content
    return f'<TD WIDTH="{min(widest + 8, 65535)}"{attrs}>{content}</TD>'


def value_label(
    name: str,
    unnamed: bool,
    leaf: bool,
    data: str,
    grad: str | None,
    lit: bool,
    copy: bool = False,
    grad_width: str | None = None,
    grad_word: str = "grad",
) -> str:
    """A value's box: its name (bold; grey italic for a name micrograd made up), then data, then grad."""
    dashed = ' STYLE="dashed"' if copy else ""
    shown = html_text(name)
    content = f'<FONT COLOR="{UNNAMED_COLOR}"><I>{shown}</I></FONT>' if unnamed else f"<B>{shown}</B>"
    background = f' BGCOLOR="{LEAF_COLOR}"' if leaf and not lit else ""
    cells = [_cell(name, content, dashed + background), _cell(f"data {data}", attrs=dashed)]
    if grad is not None:
        width_of = None if grad_width is None else f"{grad_word} {grad_width}"
        cells.append(_cell(f"{grad_word} {grad}", attrs=dashed, width_of=width_of))
    table_background = f' BGCOLOR="{HIGHLIGHT}"' if lit else ""
    rows = "".join(f"<TR>{cell}</TR>\n" for cell in cells)
    return f'<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3"{table_background}>\n{rows}</TABLE>>'


__all__ = ["HIGHLIGHT", "LEAF_COLOR", "UNNAMED_COLOR", "display_text", "html_text", "value_label"]
