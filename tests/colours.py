"""WCAG 2 contrast, read from a real browser: the text colour of an element against all that is painted behind it."""

from __future__ import annotations

import re

COLOURS = """element => {
  const layers = [];  // the element's background, then each ancestor's, up to the root
  for (let e = element; e; e = e.parentElement) {
    layers.push(getComputedStyle(e).backgroundColor);
  }
  const probe = document.createElement("div");  // what the browser paints where nothing else is: the canvas
  probe.style.backgroundColor = "Canvas";
  document.body.appendChild(probe);
  const canvas = getComputedStyle(probe).backgroundColor;
  probe.remove();
  return {text: getComputedStyle(element).color, layers, canvas};
}"""


def rgba(css: str) -> tuple[float, float, float, float]:
    """A computed CSS colour, rgb(r, g, b) or rgba(r, g, b, a), as numbers."""
    parts = [float(x) for x in re.fullmatch(r"rgba?\(([^)]*)\)", css).group(1).split(",")]
    return (*parts[:3], parts[3] if len(parts) == 4 else 1.0)


def over(top: tuple[float, ...], bottom: tuple[float, ...]) -> tuple[float, float, float, float]:
    """top painted over an opaque bottom."""
    a = top[3]
    return (*(a * t + (1 - a) * b for t, b in zip(top[:3], bottom[:3])), 1.0)


def luminance(colour: tuple[float, ...]) -> float:
    """WCAG 2's relative luminance of an sRGB colour."""
    channels = [c / 255 for c in colour[:3]]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


NAMED = {"black": "#000", "white": "#fff", "red": "#f00", "green": "#008000", "blue": "#00f"}  # CSS's names


def hex_rgb(css: str) -> tuple[float, float, float, float]:
    """A colour written #rgb, #rrggbb or by one of the NAMED, as numbers."""
    if not css.startswith("#") and css not in NAMED:
        raise ValueError(f"not a colour this test reads: {css!r}")
    digits = NAMED.get(css, css).removeprefix("#")
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return (*(float(int(digits[i : i + 2], 16)) for i in (0, 2, 4)), 1.0)


def ratio(text: tuple[float, ...], background: tuple[float, ...]) -> float:
    """WCAG 2's contrast ratio of a text colour (which may be translucent) on an opaque background."""
    lighter, darker = sorted([luminance(over(text, background)), luminance(background)], reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def painted(layers: list[str], canvas: str) -> tuple[float, float, float, float]:
    """What is painted behind an element: its own and its ancestors' backgrounds (innermost first) on the canvas."""
    background = rgba(canvas)
    for layer in reversed(layers):
        background = over(rgba(layer), background)
    return background


TOKENS = """element => {
  const probe = document.createElement("div");  // the canvas, as in COLOURS
  probe.style.backgroundColor = "Canvas";
  document.body.appendChild(probe);
  const canvas = getComputedStyle(probe).backgroundColor;
  probe.remove();
  const seen = new Map();  // one of each (text colour, backgrounds): the block itself, then every span in it
  for (const token of [element, ...element.querySelectorAll("span")]) {
    const layers = [];
    for (let e = token; e; e = e.parentElement) layers.push(getComputedStyle(e).backgroundColor);
    const text = getComputedStyle(token).color;
    const key = text + layers.join();
    if (!seen.has(key)) seen.set(key, {text, layers, canvas, cls: token.className, sample: token.textContent});
  }
  return [...seen.values()];
}"""


def token_contrasts(element) -> list[tuple[str, str, str, float]]:
    """Each distinct text colour in a block of highlighted code (a playwright locator), with the background it is
    read on: (the colour, a class and a piece of text shown in it, its contrast ratio), as the browser paints it."""
    found = []
    for token in element.evaluate(TOKENS):
        background = painted(token["layers"], token["canvas"])
        found.append((token["text"], token["cls"], token["sample"][:30], ratio(rgba(token["text"]), background)))
    return found


def contrast(page, selector: str) -> float:
    """WCAG 2's contrast ratio of the element's text against what is painted behind it."""
    return contrast_of(page.locator(selector))


def contrast_of(element) -> float:
    """The same, for a playwright locator of one element."""
    seen = element.evaluate(COLOURS)
    return ratio(rgba(seen["text"]), painted(seen["layers"], seen["canvas"]))
