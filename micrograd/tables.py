"""Numbers and tables as micrograd shows them: in drawings, traces and checks, as text and as HTML."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from html import escape


def format_number(x: float, digits: int = 4) -> str:
    """x to `digits` significant digits, as shown in drawings and traces: 0.8814, -3, 1e+308, nan, inf, -0."""
    return f"{x:.{digits}g}"


def text_table(header: Sequence[str], rows: list[list[str]]) -> str:
    """Columns padded to their widest cell: text left-aligned, numbers right-aligned."""
    widths = [max(_width(cell) for cell in column) for column in zip(header, *rows)]
    numeric = [all(_is_number(row[j]) for row in rows) for j in range(len(header))]
    lines = []
    for row in [list(header), *rows]:
        pads = [" " * (w - _width(cell)) for cell, w in zip(row, widths)]
        cells = [pad + cell if num else cell + pad for cell, pad, num in zip(row, pads, numeric)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def _width(cell: str) -> int:
    """The columns a cell takes: a combining mark (the dot of L̇) takes none."""
    return sum(not unicodedata.combining(ch) for ch in cell)


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def html_table(title: str, header: Sequence[str], rows: list[list[str]]) -> str:
    """An HTML table: numbers right-aligned, names and formulas left-aligned, everything escaped."""
    numeric = [all(_is_number(row[j]) for row in rows) for j in range(len(header))]
    align = ["right" if num else "left" for num in numeric]
    head = "".join(f'<th style="text-align: {a}">{escape(h)}</th>' for h, a in zip(header, align))
    body = "".join(
        "<tr>" + "".join(f'<td style="text-align: {a}">{escape(cell)}</td>' for cell, a in zip(row, align)) + "</tr>\n"
        for row in rows
    )
    return (
        '<table class="micrograd-trace" style="font-family: ui-monospace, monospace">\n'
        f'<caption style="text-align: left">{escape(title)}</caption>\n<thead><tr>{head}</tr></thead>\n'
        f"<tbody>\n{body}</tbody>\n</table>"
    )
