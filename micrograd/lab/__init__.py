"""What a learner sees: drawings, traces, steppers, quizzes, the network view, the ledger, live training.

- ``viz.py``: ``draw_dot()``, a graph of Values as SVG (its text in ``viz_text.py``), laid out by
  ``render.py`` (in the browser, with Graphviz compiled to WebAssembly: ``browser.py``); ``display.py``:
  code and pictures in a notebook.
- ``trace.py``: ``trace_backward()`` and ``trace_forward_mode()``; ``forward_pass.py``:
  ``trace_forward()``; ``steps.py``: what traces share; ``stepper.py``: a trace stepped through in
  one drawing (its page in ``static/``); ``quiz.py``: ``Quiz(trace)``, predict then check.
- ``network_view.py``: ``draw_network()``, the layers of neurons with δ (labels placed by
  ``placement.py``); ``ledger.py``: ``explain_update()``, one SGD step written out.
- ``live.py``: ``LiveView``, for ``fit(..., view=LiveView())``; ``plot.py``: pictures of training, with
  ``chart.py`` (``line_plot()``) and ``images.py`` (pictures of images), all made of ``svg.py``'s parts.

Each name is imported from its module: ``from micrograd.lab.viz import draw_dot``.
"""
