"""Rewrite docs/edge-cases.md from the cases that tests/test_edge_cases.py checks (needs PyTorch).

python docs/make_edge_table.py
"""

import sys
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from edge_cases import markdown_table  # noqa: E402

(ROOT / "docs" / "edge-cases.md").write_text(markdown_table(torch), encoding="utf-8")
