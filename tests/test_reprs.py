"""What a learner reads when a notebook prints a model or a training history: one short line each."""

from __future__ import annotations

from micrograd import MLP, Layer, Neuron
from micrograd.training.data import make_moons
from micrograd.training.history import History
from micrograd.training.losses import hinge_loss
from micrograd.training.optim import SGD
from micrograd.training.train import fit


def test_an_mlp_prints_its_architecture_and_parameter_count_in_one_line():
    model = MLP(2, [16, 16, 1], activation="relu", output_activation="linear", seed=0)
    # 16·(2 + 1) + 16·(16 + 1) + 1·(16 + 1) weights and biases
    assert repr(model) == "MLP(2, [16, 16, 1], activation='relu', output_activation='linear'): 337 parameters"
    assert len(model.parameters()) == 337
    assert str(model) == repr(model)
    assert (
        repr(MLP(3, [1], output_activation="sigmoid", seed=0))
        == "MLP(3, [1], output_activation='sigmoid'): 4 parameters"
    )


def test_a_model_whose_hidden_layers_differ_lists_every_activation():
    model = MLP(2, [3, 3, 1], seed=0)
    state = model.state_dict()
    state["activations"] = ["relu", "tanh", "linear"]
    loaded = MLP.from_state_dict(state)
    assert repr(loaded) == "MLP(2, [3, 3, 1], activations=['relu', 'tanh', 'linear']): 25 parameters"


def test_layers_and_neurons_print_in_one_line_and_the_listing_stays_in_reach():
    layer = Layer(2, 16, activation="tanh", seed=0)
    assert repr(layer) == "Layer(2, 16, activation='tanh'): 48 parameters"
    assert repr(Neuron(2, seed=0)) == "Neuron(2, activation='relu'): 3 parameters"
    assert repr(Neuron(1, nonlin=False, seed=0)) == "Neuron(1, activation='linear'): 2 parameters"
    model = MLP(2, [16, 16, 1], seed=0)
    listing = repr(model.layers[0].neurons)  # every neuron of a layer, one by one
    assert listing.count("Neuron(2, activation='relu'): 3 parameters") == 16


def test_a_history_prints_the_first_and_last_loss_and_accuracy_not_every_number():
    X, labels = make_moons(40, noise=0.1, seed=0)
    y = [2 * label - 1 for label in labels]
    model = MLP(2, [8, 1], seed=0)
    history = fit(
        model,
        X,
        y,
        loss=hinge_loss,
        optimizer=SGD(model.parameters(), lr=0.1),
        epochs=30,
        batch_size=10,
        verbose=False,
    )
    first, last = history.loss[0], history.loss[-1]
    accuracy = f"accuracy {history.accuracy[0]:.1%} → {history.accuracy[-1]:.1%}"
    assert (
        repr(history)
        == f"History(30 epochs, 120 steps: loss {first:.4g} → {last:.4g}, {accuracy}; see .loss, .accuracy)"
    )
    assert len(repr(history)) < 120  # one line, where the dataclass's repr printed 150 full-precision floats
    assert len(history.loss) == 30 and len(history.batch_loss) == 120  # every number, where the repr points


def test_a_regression_history_has_no_accuracy_to_print():
    assert repr(History([2.0, 0.5], [None, None], [2.0, 1.0])) == (
        "History(2 epochs, 2 steps: loss 2 → 0.5; see .loss, .accuracy)"
    )
    assert repr(History()) == "History(0 epochs, 0 steps)"


def test_the_per_neuron_listing_is_a_method():
    model = MLP(2, [3, 1], activation="tanh", seed=0)
    lines = model.describe().splitlines()
    assert len(lines) == 4
    assert lines[0] == "layer 1 neuron 0: Neuron(2, activation='tanh'): 3 parameters"
    assert lines[-1] == "layer 2 neuron 0: Neuron(3, activation='linear'): 4 parameters"
