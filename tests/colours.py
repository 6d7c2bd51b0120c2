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


def contrast(page, selector: str) -> float:
    """WCAG 2's contrast ratio of the element's text against what is painted behind it."""
    return contrast_of(page.locator(selector))


def contrast_of(element) -> float:
    """The same, for a playwright locator of one element."""
    seen = element.evaluate(COLOURS)
    background = rgba(seen["canvas"])
    for layer in reversed(seen["layers"]):
        background = over(rgba(layer), background)
    lighter, darker = sorted([luminance(over(rgba(seen["text"]), background)), luminance(background)], reverse=True)
    return (lighter + 0.05) / (darker + 0.05)
