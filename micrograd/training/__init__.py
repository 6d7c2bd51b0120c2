"""Training: losses, optimizers, data, metrics, and fit(), which puts them together.

- ``train.py``: ``fit()`` and ``train_step()``; ``history.py``: the ``History`` fit returns;
  ``watch.py``: fit watching its epochs (a stalled loss, a diverging one, an interrupt, a view);
  ``compiled_run.py``: ``fit(compiled=True)``; ``divergence.py``: a loss that is NaN or ∞.
- ``losses.py``, ``optim.py`` (SGD, Adam), ``data.py`` (moons, circles, xor, spirals, digits),
  ``metrics.py`` (loss and accuracy on a data set), ``labels.py`` (class index and one-hot).
- ``diagnose.py``: ``diagnose()``, what keeps a network from learning.

Each name is imported from its module: ``from micrograd.training.train import fit``.
"""
