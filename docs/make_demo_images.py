"""Regenerate the README's pictures of the demo.

    python docs/make_demo_images.py

Runs ``python -m micrograd demo`` with its default settings (two moons, MLP(2, [16, 16, 1]), seed 0)
and keeps three of the files it writes:
- docs/images/demo_decision_boundary.png: the trained model's decision boundary over the data;
- docs/images/demo_loss.png: the loss and accuracy after each epoch;
- docs/images/demo_neuron.svg: the graph of one neuron of the first layer after backward().

Needs matplotlib (``pip install micrograd-lab[plot]``).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from micrograd.__main__ import main as micrograd_main

IMAGES = Path(__file__).resolve().parent / "images"
KEPT = {
    "decision_boundary.png": "demo_decision_boundary.png",
    "loss.png": "demo_loss.png",
    "neuron.svg": "demo_neuron.svg",
}


def main() -> None:
    os.environ["MICROGRAD_RENDERER"] = "pure"  # the same drawing bytes on every platform
    IMAGES.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as out:
        if micrograd_main(["demo", "--out", out]) != 0:
            raise SystemExit("the demo failed")
        missing = [name for name in KEPT if not (Path(out) / name).is_file()]
        if missing:
            raise SystemExit(f"the demo did not write {', '.join(missing)}: is matplotlib installed?")
        for name, kept in KEPT.items():
            shutil.copyfile(Path(out) / name, IMAGES / kept)
            print(f"wrote docs/images/{kept}")


if __name__ == "__main__":
    main()
