"""Rewrite docs/edge-cases.md from the cases that tests/test_edge_cases.py checks (needs PyTorch).

python docs/make_edge_table.py
"""

import importlib.util
import sys
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("edge_cases", ROOT / "tests" / "edge_cases.py")
edge_cases = importlib.util.module_from_spec(spec)
sys.modules["edge_cases"] = edge_cases  # registered before it runs, as an import would (its dataclasses look it up)
spec.loader.exec_module(edge_cases)

(ROOT / "docs" / "edge-cases.md").write_text(edge_cases.markdown_table(torch), encoding="utf-8")
