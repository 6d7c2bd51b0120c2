"""Rewrite docs/index.md, the site's home, from README.md: the same front page, its links made relative to docs/.

The README is the one home of the front page (the learning path above all); a test fails if this page drifts.
"""

from __future__ import annotations

import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[1]
INDEX = ROOT / "docs" / "index.md"
NOTICE = "<!-- Written from README.md by docs/make_index.py: edit the README, then run it. -->\n\n"


def home_page(readme: str) -> str:
    """The README as the site's home: a link or picture into docs/ is relative to docs/ itself."""
    return NOTICE + re.sub(r"\]\(docs/", "](", readme)


if __name__ == "__main__":
    INDEX.write_text(home_page((ROOT / "README.md").read_text(encoding="utf-8")), encoding="utf-8")
