"""micrograd on the command line: a worked example of backward(), a demo that trains a network, and grading."""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
from collections.abc import Sequence

from micrograd.engine import Value, topological_order
from micrograd.nn import MLP
from micrograd.training.data import DATASETS, load_digits
from micrograd.training.history import History
from micrograd.training.losses import hinge_loss, l2_penalty, softmax_cross_entropy
from micrograd.training.metrics import Loss, accuracy, confusion_matrix
from micrograd.training.optim import SGD, Adam
from micrograd.training.train import fit

DEMO_OUT = "demo-output"
DEMO_FILES = ("decision_boundary.svg", "loss.svg", "neuron.svg", "model.json")  # what the demo writes to --out
DIGITS_FILES = ("confusion_matrix.svg", "misclassified.svg", "loss.svg", "model.json")  # and with --dataset digits
L2_ALPHA = 1e-4  # the weight penalty of micrograd's original demo
# The options' defaults: for the 2-D datasets, and for the digits (MLP(64, [32, 10]) with Adam).
DEFAULTS = {"epochs": 50, "hidden": [16, 16], "lr": 0.1, "batch_size": 20, "samples": 100}
DIGITS_DEFAULTS = {"epochs": 15, "hidden": [32], "lr": 0.02, "batch_size": 32}


def worked_example() -> str:
    """One tanh neuron, o = tanh(x1·w1 + x2·w2 + b): every node's value and grad, and the closed form."""
    x1, x2 = Value(2.0, "x1"), Value(0.0, "x2")
    w1, w2 = Value(-3.0, "w1"), Value(1.0, "w2")
    b = Value(6.8813735870195432, "b")
    x1w1 = x1 * w1
    x1w1.label = "x1*w1"
    x2w2 = x2 * w2
    x2w2.label = "x2*w2"
    n = x1w1 + x2w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    o.backward()

    # The same derivatives by hand, in plain floats: do/dn = 1 − tanh²(n), then the chain rule.
    n_ = 2.0 * -3.0 + 0.0 * 1.0 + 6.8813735870195432
    do_dn = 1.0 - math.tanh(n_) ** 2
    closed = {
        "o": (1.0, "do/do = 1"),
        "n": (do_dn, "do/dn = 1 − o²"),
        "x1*w1 + x2*w2": (do_dn, "do/d(x1w1 + x2w2) = do/dn"),
        "b": (do_dn, "do/db = do/dn"),
        "x1*w1": (do_dn, "do/d(x1w1) = do/dn"),
        "x2*w2": (do_dn, "do/d(x2w2) = do/dn"),
        "x1": (-3.0 * do_dn, "do/dx1 = w1·(1 − o²)"),
        "w1": (2.0 * do_dn, "do/dw1 = x1·(1 − o²)"),
        "x2": (1.0 * do_dn, "do/dx2 = w2·(1 − o²)"),
        "w2": (0.0 * do_dn, "do/dw2 = x2·(1 − o²)"),
    }
    order = topological_order(o)
    for node in order:
        if not node.label:  # the unnamed sum x1*w1 + x2*w2
            node.label = "x1*w1 + x2*w2"

    lines = [
        "A worked example: one neuron, o = tanh(x1·w1 + x2·w2 + b)",
        "",
        f"{'node':<15}{'op':<7}{'data':>12}{'grad (backward)':>18}{'grad (by hand)':>18}  formula",
    ]
    for node in reversed(order):
        by_hand, formula = closed[node.label]
        lines.append(
            f"{node.label:<15}{node._op or 'leaf'!s:<7}{node.data:>12.6f}{node.grad:>18.6f}{by_hand:>18.6f}  {formula}"
        )
    agree = all(node.grad == closed[node.label][0] for node in order)
    worst = max(abs(node.grad - closed[node.label][0]) for node in order)
    lines += ["", f"backward() and the closed form agree: {'yes' if agree else 'no'} (largest difference {worst:.1e})"]
    return "\n".join(lines)


def demo_setup(
    dataset: str = "moons", samples: int = 100, hidden: Sequence[int] = (16, 16), seed: int = 0
) -> tuple[MLP, list[list[float]], list[int], Loss, str]:
    """The demo's data, model and loss: (model, X, y, loss, a description of the loss).

    Two classes: one output and the max-margin loss of micrograd's demo (labels −1/+1) plus
    L2_ALPHA·Σw². More classes: one output per class and softmax cross-entropy (labels 0..K−1).
    """
    X, labels = DATASETS[dataset](samples, seed=seed)
    classes = sorted(set(labels))
    model = MLP(2, [*hidden, 1 if len(classes) == 2 else len(classes)], activation="relu", seed=seed)
    if len(classes) > 2:
        return model, X, labels, softmax_cross_entropy, "softmax cross-entropy"

    def loss(scores: list[Value], y: Sequence[int]) -> Value:
        return hinge_loss(scores, y) + l2_penalty(model.parameters(), L2_ALPHA)

    y = [1 if label == classes[1] else -1 for label in labels]
    return model, X, y, loss, f"max-margin + {L2_ALPHA:g}·Σw² (labels −1/+1)"


def train_digits(
    hidden: Sequence[int] = (32,),
    epochs: int = 15,
    lr: float = 0.02,
    batch_size: int = 32,
    seed: int = 0,
    compiled: bool = False,
    verbose: bool = True,
) -> tuple[MLP, History, float, tuple[list[list[float]], list[int], list[list[float]], list[int]]]:
    """The digits demo's training: (model, History with the test set's accuracy, seconds, the split data).

    MLP(64, [*hidden, 10]) with relu hidden layers, softmax cross-entropy and Adam, on load_digits(seed=seed);
    the held-out test set is fit's validation set, measured after each epoch and never trained on.
    """
    data = load_digits(seed=seed)
    X, y, X_test, y_test = data
    model = MLP(64, [*hidden, 10], activation="relu", seed=seed)
    start = time.perf_counter()
    history = fit(
        model,
        X,
        y,
        loss=softmax_cross_entropy,
        optimizer=Adam(model, lr=lr),
        epochs=epochs,
        batch_size=batch_size,
        seed=seed,
        verbose=verbose,
        compiled=compiled,
        validation=(X_test, y_test),
    )
    return model, history, time.perf_counter() - start, data


def demo_digits(args: argparse.Namespace) -> int:
    """python -m micrograd demo --dataset digits: train on 8×8 digits, print the test accuracy, write the pictures."""
    X, _, X_test, _ = load_digits(seed=args.seed)
    print(
        f"micrograd demo: digits, {len(X)} training images of 8×8 pixels (64 inputs), "
        f"{len(X_test)} held out for testing (seed {args.seed})"
    )
    print(f"model: MLP(64, {[*args.hidden, 10]}) with relu hidden layers; loss: softmax cross-entropy")
    compiled = ", each step compiled to Python" if args.compiled else ""
    print(f"training: Adam(lr={args.lr:g}), {args.epochs} epochs in mini-batches of {args.batch_size}{compiled}")
    sys.stdout.flush()
    try:
        model, history, seconds, (X, _, X_test, y_test) = train_digits(
            args.hidden, args.epochs, args.lr, args.batch_size, args.seed, args.compiled
        )
    except (FloatingPointError, OverflowError) as e:
        print(f"micrograd demo: {e}", file=sys.stderr)
        return 1
    final_accuracy = history.accuracy[-1]
    assert final_accuracy is not None  # ten classes
    test_accuracy = accuracy(model, X_test, y_test)
    print(f"final loss: {history.loss[-1]:.6g}")
    print(f"final accuracy: {final_accuracy:.1%} ({round(final_accuracy * len(X))} of {len(X)} training images)")
    print(f"test accuracy: {test_accuracy:.1%} ({round(test_accuracy * len(X_test))} of {len(X_test)} held-out images)")
    print(f"training time: {seconds:.1f} s ({seconds / args.epochs:.2f} s per epoch, measurements included)")

    os.makedirs(args.out, exist_ok=True)
    confusion_svg, misclassified_svg, loss_svg, model_json = DIGITS_FILES
    from micrograd.lab.plot import plot_confusion_matrix, plot_loss, plot_misclassified

    plot_confusion_matrix(confusion_matrix(model, X_test, y_test)).save(os.path.join(args.out, confusion_svg))
    written = [(confusion_svg, "the confusion matrix of the test set")]
    if test_accuracy < 1.0:
        plot_misclassified(model, X_test, y_test).save(os.path.join(args.out, misclassified_svg))
        written.append((misclassified_svg, "the test images it gets wrong, predicted (true)"))
    plot_loss(history).save(os.path.join(args.out, loss_svg))
    written.append((loss_svg, "the loss and accuracy after each epoch"))
    _save_model(model, args.out, model_json, written)
    return 0


def demo(args: argparse.Namespace) -> int:
    """python -m micrograd demo: train, print the final loss and accuracy, write the pictures and the model."""
    model, X, y, loss, loss_name = demo_setup(args.dataset, args.samples, args.hidden, args.seed)
    optimizer = SGD(model.parameters(), lr=args.lr, momentum=0.9)
    print(f"micrograd demo: {args.dataset}, {len(X)} points (seed {args.seed})")
    print(f"model: MLP({model.nin}, {model.sizes[1:]}) with relu hidden layers; loss: {loss_name}")
    compiled = ", each step compiled to Python" if args.compiled else ""
    print(f"training: {optimizer!r}, {args.epochs} epochs in mini-batches of {args.batch_size}{compiled}", flush=True)
    try:
        history = fit(
            model,
            X,
            y,
            loss=loss,
            optimizer=optimizer,
            epochs=args.epochs,
            batch_size=args.batch_size,
            seed=args.seed,
            compiled=args.compiled,
        )
    except (FloatingPointError, OverflowError) as e:
        print(f"micrograd demo: {e}", file=sys.stderr)
        return 1
    final_accuracy = history.accuracy[-1]
    assert final_accuracy is not None  # the demo's data are two or more classes
    right = round(final_accuracy * len(X))
    print(f"final loss: {history.loss[-1]:.6g}")
    print(f"final accuracy: {final_accuracy:.1%} ({right} of {len(X)} points)")

    os.makedirs(args.out, exist_ok=True)
    boundary_svg, loss_svg, neuron_svg, model_json = DEMO_FILES
    from micrograd.lab.plot import plot_decision_boundary, plot_loss

    plot_decision_boundary(model, X, y).save(os.path.join(args.out, boundary_svg))
    plot_loss(history).save(os.path.join(args.out, loss_svg))
    written = [(boundary_svg, "the decision boundary over the data")]
    written.append((loss_svg, "the loss and accuracy after each epoch"))
    from micrograd.lab.render import render_svg
    from micrograd.lab.viz import draw_dot

    # One neuron of the first layer on the first point: the first that is active there, so its grads are not all 0.
    x = [Value(X[0][0], "x[0]"), Value(X[0][1], "x[1]")]
    neurons = model.layers[0].neurons
    j = next((j for j, n in enumerate(neurons) if n.forward(x)[0].data > 0), 0)
    _, a = neurons[j].forward(x)
    a.backward()
    with open(os.path.join(args.out, neuron_svg), "w", encoding="utf-8") as f:
        f.write(render_svg(draw_dot(a, show_local=True)))
    written.append((neuron_svg, f"neuron {j} of layer 1 on the first point, after a.backward()"))
    _save_model(model, args.out, model_json, written)
    return 0


def _save_model(model: MLP, out: str, name: str, written: list[tuple[str, str]]) -> None:
    """Save the model to out/name, then list every file written, with what it holds."""
    model.save(os.path.join(out, name))
    written.append((name, "the trained model: MLP.load() reads it back"))
    width = max(len(os.path.join(out, file)) for file, _ in written)
    for i, (file, what) in enumerate(written):
        print(f"{'wrote' if i == 0 else '':<6}{os.path.join(out, file):<{width}}  {what}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m micrograd", description=__doc__)
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("example", help="print a worked example of backward() next to the closed form (the default)")
    d = sub.add_parser(
        "demo",
        help="train an MLP on a 2-D dataset, or on handwritten digits, and write its pictures and the model",
        description="Train an MLP on a small 2-D dataset with a progress bar, print the final loss and accuracy, "
        "and write to --out the decision boundary and the loss curve (SVG), the graph of "
        "one neuron (SVG) and the trained model (JSON). With --dataset digits: train MLP(64, [32, 10]) with Adam on "
        "the 8×8 handwritten digits shipped with micrograd, print the accuracy on held-out test images "
        "and the training time, and write the confusion matrix, the misclassified test images, the loss curve "
        "and the model.",
    )
    d.add_argument(
        "--dataset", choices=[*sorted(DATASETS), "digits"], default="moons", help="the data (default: moons)"
    )
    d.add_argument("--samples", type=_positive, metavar="N", help="number of points (default: 100; not with digits)")
    d.add_argument("--epochs", type=_positive, metavar="N", help="passes over the data (default: 50; digits: 15)")
    d.add_argument(
        "--hidden", type=_positive, nargs="+", metavar="N", help="hidden layer sizes (default: 16 16; digits: 32)"
    )
    d.add_argument("--seed", type=int, default=0, help="seed of the data, the weights and the shuffling (default: 0)")
    d.add_argument(
        "--lr", type=_learning_rate, help="learning rate (default: 0.1, of SGD with momentum; digits: 0.02, of Adam)"
    )
    d.add_argument("--batch-size", type=_positive, metavar="N", help="mini-batch size (default: 20; digits: 32)")
    d.add_argument("--out", default=DEMO_OUT, metavar="DIR", help=f"where to write the files (default: {DEMO_OUT})")
    d.add_argument(
        "--compiled",
        action="store_true",
        help="run each training step as generated Python: the same steps, bit for bit, several times faster",
    )
    g = sub.add_parser(
        "grade",
        help="run a learner's notebook in a fresh kernel and print each exercise: passed, not yet, not attempted",
        description="Run NOTEBOOK.ipynb in a fresh kernel and print a table: each exercise of micrograd.exercises, "
        "passed or not (the last check the notebook made of it), and the first line of its feedback. Every cell "
        "runs, also after one that raises (those are listed under the table). Exit status 0 whether or not the "
        "exercises pass; 1 if the notebook cannot run or does not finish within the time limit. Needs "
        "micrograd-lab[grade].",
    )
    g.add_argument("notebook", metavar="NOTEBOOK.ipynb", help="the learner's notebook")
    g.add_argument(
        "--timeout",
        type=_seconds,
        default=600.0,
        metavar="SECONDS",
        help="time limit for all the cells together (default: 600)",
    )
    args = parser.parse_args(argv)
    if args.command == "grade":
        from micrograd.exercises.grading import grade_command

        return grade_command(args.notebook, args.timeout)
    if args.command == "demo":
        return _demo_command(parser, args)
    print(worked_example())
    return 0


def _demo_command(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """The demo's options checked and its directory made and tried before any training, then the demo.

    A directory the demo made is removed again if the run ends without writing its files (only if
    still empty: os.rmdir never removes a file).
    """
    digits = args.dataset == "digits"
    if digits and args.samples is not None:
        parser.error("--samples does not apply to --dataset digits: it trains on all 1,797 images but the test set")
    for name, default in (DIGITS_DEFAULTS if digits else DEFAULTS).items():
        if getattr(args, name) is None:
            setattr(args, name, default)
    problem = _out_problem(args.out, DIGITS_FILES if digits else DEMO_FILES)
    if problem:  # found now, not after the training
        parser.error(problem)
    if not digits and args.samples < 3 and args.dataset == "spiral":
        parser.error("--samples must be at least 3 for the spiral's three classes")
    if not digits and args.samples < 2:
        parser.error("--samples must be at least 2, one point per class")
    made, problem = _make_out(args.out)
    if problem:
        parser.error(problem)
    status = 1
    try:
        status = demo_digits(args) if digits else demo(args)
    finally:
        if status != 0:
            _remove_empty(made)
    return status


def _out_problem(out: str, files: Sequence[str]) -> str | None:
    """Why the demo could not write its files to the directory ``out``, or None if it can."""
    if not out:
        return "--out must name a directory, got ''"
    if os.path.lexists(out) and not os.path.isdir(out):
        return f"--out {out!r} {_not_a_directory(out)}: give a directory for the demo's files"
    existing = os.path.abspath(out)
    while not os.path.lexists(existing):  # the directories the demo would make: is a file in their way?
        existing = os.path.dirname(existing)
    if not os.path.isdir(existing):
        return f"--out {out!r} cannot be made: {existing!r} {_not_a_directory(existing)}"
    for name in files:
        if os.path.isdir(os.path.join(out, name)):
            return f"--out {out!r} holds a directory {name!r} where the demo writes a file of that name"
    return None


def _not_a_directory(path: str) -> str:
    return "is a file, not a directory" if os.path.isfile(path) else "is not a directory"


def _make_out(out: str) -> tuple[list[str], str | None]:
    """Make the directory ``out`` and write (then remove) a file of a new name in it, before any training.

    Returns (the directories made, outermost first; why ``out`` cannot be made or written, or None).
    The trial file is created with O_EXCL under a fresh name, so no file already there is touched;
    on a failure the directories made are removed again.
    """
    made: list[str] = []
    directory = os.path.abspath(out)
    while not os.path.lexists(directory):
        made.insert(0, directory)
        directory = os.path.dirname(directory)
    try:
        os.makedirs(out, exist_ok=True)
    except (OSError, ValueError) as e:
        problem = f"--out {out!r} cannot be made: {_reason(e)}"
    else:
        try:
            fd, trial = tempfile.mkstemp(prefix=".micrograd-write-test-", dir=out)
            os.close(fd)
            os.unlink(trial)
        except OSError as e:
            problem = f"--out {out!r} cannot be written: {_reason(e, path=False)}"  # the trial's name says nothing
        else:
            return made, None
    _remove_empty(made)
    return [], problem


def _remove_empty(made: list[str]) -> None:
    """Remove the directories made, innermost first, while they are empty (os.rmdir never removes a file)."""
    for directory in reversed(made):
        if not os.path.isdir(directory):
            continue  # makedirs stopped before it
        try:
            os.rmdir(directory)
        except OSError:
            return  # not empty: it holds something, so do its parents


def _reason(error: Exception, path: bool = True) -> str:
    """An OSError as 'its reason: the path', without the errno number; any other error as its message."""
    if isinstance(error, OSError) and error.strerror:
        return f"{error.strerror}: {error.filename!r}" if error.filename and path else error.strerror
    return str(error)


def _positive(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number ≥ 1, got {text!r}")
    return n


def _seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and seconds > 0):
        raise argparse.ArgumentTypeError(f"expected a number of seconds > 0, got {text!r}")
    return seconds


def _learning_rate(text: str) -> float:
    try:
        lr = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not (math.isfinite(lr) and lr > 0):
        raise argparse.ArgumentTypeError(f"the learning rate must be a finite number > 0, got {text!r}")
    return lr


if __name__ == "__main__":
    # Windows writes a redirected stdout in its ANSI code page (cp1252), which lacks −, ², σ: escape those, not crash
    getattr(sys.stdout, "reconfigure", lambda **_: None)(errors="backslashreplace")
    sys.exit(main())
