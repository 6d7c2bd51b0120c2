"""The autodiff extras: derivatives beyond backward(), each from the same op definitions.

- ``autograd.py``: ``grad()`` as torch.autograd.grad, with ``create_graph=True`` to any order;
  ``hessian()`` and ``hvp()`` from it.
- ``forward_mode.py``: forward mode with dual numbers, ``Dual`` and ``jvp()``.
- ``gradcheck.py``: ``gradcheck()`` and ``gradgradcheck()``, the engine against central differences.
- ``anomaly.py``: ``detect_anomaly()``, which stops at the first NaN or ±inf and says where it was made.

Their public names are imported from ``micrograd`` itself: ``from micrograd import grad, jvp, gradcheck``.
"""
