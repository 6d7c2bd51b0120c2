"""Regenerate the README's pictures of the demo.

    python docs/make_demo_images.py

Runs ``python -m micrograd demo`` with its default settings (two moons, MLP(2, [16, 16, 1]), seed 0)
and keeps three of the files it writes, all SVG:
- docs/images/demo_decision_boundary.svg: the trained model's decision boundary over the data;
- docs/images/demo_loss.svg: the loss and accuracy after each epoch;
- docs/images/demo_neuron.svg: the graph of one neuron of the first layer after backward().
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from micrograd.__main__ import DEMO_FILES
from micrograd.__main__ import main as micrograd_main

IMAGES = Path(__file__).resolve().parent / "images"
KEPT = [name for name in DEMO_FILES if name.endswith(".svg")]  # the pictures; docs/images/demo_<name>


def main() -> None:
    os.environ["MICROGRAD_RENDERER"] = "pure"  # the same drawing bytes on every platform
    IMAGES.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as out:
        if micrograd_main(["demo", "--out", out]) != 0:
            raise SystemExit("the demo failed")
        for name in KEPT:
            shutil.copyfile(Path(out) / name, IMAGES / f"demo_{name}")
            print(f"wrote docs/images/demo_{name}")


if __name__ == "__main__":
    main()
