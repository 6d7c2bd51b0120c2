"""Regenerate the tour's pictures of the teaching lab, from the engine's own numbers.

    python docs/make_lab_images.py

Writes:
- docs/images/network_view.svg: draw_network() of the tour's 2-3-1 network after one example's backward()
  (tests/test_network_view.py checks it is what draw_network() draws);
- docs/images/ledger.png: the ledger of one SGD step on four examples, as Jupyter shows it;
- docs/images/quiz.png: the backward quiz of L = (a·b + c)·f after a wrong and two right answers;
- docs/images/live_training.svg: the live view's last picture of notebook 08's training on two moons
  (tests/test_live.py checks it is what the live view draws).

The two screenshots are taken in headless Chromium (playwright, and chromium on PATH: the dev setup).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from make_graph_images import expression  # the tour's expression, L = (a·b + c)·f

from micrograd import MLP
from micrograd.lab.ledger import explain_update
from micrograd.lab.live import LiveView
from micrograd.lab.network_view import draw_network
from micrograd.lab.quiz import Quiz
from micrograd.lab.trace import trace_backward
from micrograd.training.data import make_moons
from micrograd.training.losses import hinge_loss
from micrograd.training.optim import SGD
from micrograd.training.train import fit

IMAGES = Path(__file__).resolve().parent / "images"
PAGE = (
    '<!DOCTYPE html><html><head><meta charset="utf-8"></head>'
    '<body style="margin: 8px; font-family: sans-serif">{}</body></html>'
)


def network_view_svg() -> str:
    """The tour's network view: MLP(2, [3, 1]) of tanh neurons, x = (0.5, −1), y = 1."""
    model = MLP(2, [3, 1], activation="tanh", seed=1)
    return draw_network(model, [0.5, -1.0], 1.0, show_weight_grads=True, highlight=(1, 2)).svg


def ledger_html() -> str:
    model = MLP(2, [3, 1], activation="tanh", seed=1)
    X, y = [[0.5, -1.0], [1.0, 0.3], [-0.4, 0.8], [0.1, 0.1]], [1.0, -1.0, 0.5, 0.0]
    return explain_update(model, X, y, 0.1, params=["w[1][0][0]", "w[1][2][1]", "b[1][2]", "w[2][0][1]"])._repr_html_()


def live_svg() -> str:
    points, labels = make_moons(60, noise=0.1, seed=0)
    signs = [2 * t - 1 for t in labels]
    model = MLP(2, [8, 8, 1], seed=0)
    history = fit(model, points, signs, loss=hinge_loss, optimizer=SGD(model, lr=0.1, momentum=0.9), epochs=40,
                  batch_size=20, verbose=False)  # fmt: skip
    view = LiveView(show=lambda bundle: None)
    view.start(model, points, signs, 40)
    return view.svg(history)


def screenshots(ledger: str, quiz: str) -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1000, "height": 600}, device_scale_factor=1)
        (Path(folder) / "ledger.html").write_text(PAGE.format(ledger), encoding="utf-8")
        page.goto((Path(folder) / "ledger.html").as_uri())
        page.locator("table").screenshot(path=str(IMAGES / "ledger.png"))
        (Path(folder) / "quiz.html").write_text(quiz, encoding="utf-8")
        page.goto((Path(folder) / "quiz.html").as_uri())
        page.keyboard.press("Tab")
        for answer in ("2", "-2", "4"):  # step 1 wrong, then right; step 2 right
            page.keyboard.press("Control+a")
            page.keyboard.type(answer)
            page.keyboard.press("Enter")
        page.keyboard.type("-3")  # step 3, wrong: the hint shows
        page.keyboard.press("Enter")
        page.locator(".mg-quiz").screenshot(path=str(IMAGES / "quiz.png"))
        browser.close()


def main() -> None:
    IMAGES.mkdir(exist_ok=True)
    (IMAGES / "network_view.svg").write_text(network_view_svg(), encoding="utf-8")
    (IMAGES / "live_training.svg").write_text(live_svg(), encoding="utf-8")
    screenshots(ledger_html(), Quiz(trace_backward(expression())).html())
    for name in ("network_view.svg", "ledger.png", "quiz.png", "live_training.svg"):
        print(f"wrote docs/images/{name}")


if __name__ == "__main__":
    main()
