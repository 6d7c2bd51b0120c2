# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Derivatives of derivatives, and forward mode
#
# `backward()` gives the derivative of one number with respect to every input. This notebook
# differentiates the derivative itself (`grad(..., create_graph=True)`), uses the second
# derivatives to take Newton steps, and then turns the chain rule around: forward mode carries a
# derivative along with each value, as a dual number, in the same pass that computes it.
#
# Every number on this page is computed by micrograd, and each derivative is checked against its
# closed form where there is one.

# %%
import math
import time

import matplotlib.pyplot as plt

from micrograd import Dual, Value, grad, gradcheck, gradgradcheck, hessian, jvp, trace_forward_mode
from micrograd.lab.trace import trace_backward
from micrograd.lab.viz import draw_dot

# %% [markdown]
# ## A derivative is a graph too
#
# With `create_graph=True`, `grad()` returns the derivative as a `Value` whose graph computes it
# from the inputs. For y = tanh(x), backward's local derivative is 1 − tanh², written in terms of
# the output y: so the graph of dy/dx is built from y itself.

# %%
x = Value(0.5, label="x")
y = x.tanh()
y.label = "y"
(dy_dx,) = grad(y, [x], create_graph=True)
dy_dx.label = "dy/dx"
print(f"dy/dx = {dy_dx.data!r};  1 - tanh(0.5)^2 = {1 - math.tanh(0.5) ** 2!r}")
assert dy_dx.data == 1 - math.tanh(0.5) ** 2
draw_dot(dy_dx)

# %% [markdown]
# The drawing reads from the left: x, then y = tanh(x), then y·y and 1 − y·y. Differentiating that
# graph again is what `grad()` does for the second derivative.
#
# ## tanh and its first four derivatives
#
# The classic picture: each derivative is `grad()` of the one before, at 200 points. Each is
# checked against its closed form, with t = tanh x:
# tanh' = 1 − t², tanh'' = −2t(1 − t²), tanh''' = (1 − t²)(6t² − 2), tanh'''' = 8t(1 − t²)(2 − 3t²).


# %%
def derivatives(x0: float, order: int) -> list[float]:
    """tanh and its derivatives 1..order at x0, each from grad() of the one before."""
    x = Value(x0)
    d = x.tanh()
    found = [d.data]
    for _ in range(order):
        (d,) = grad(d, [x], create_graph=True)
        found.append(d.data)
    return found


def closed_forms(x0: float) -> list[float]:
    t = math.tanh(x0)
    s = 1 - t * t
    return [t, s, -2 * t * s, s * (6 * t * t - 2), 8 * t * s * (2 - 3 * t * t)]


xs = [-4 + 8 * i / 199 for i in range(200)]
curves = [derivatives(x0, 4) for x0 in xs]
worst = max(abs(a - b) for x0, row in zip(xs, curves) for a, b in zip(row, closed_forms(x0)))
print(f"largest difference from the closed forms over 200 points and 5 curves: {worst:.1e}")
assert worst < 1e-13

fig, ax = plt.subplots(figsize=(7, 4))
names = ["tanh", "tanh'", "tanh''", "tanh'''", "tanh''''"]
for k, name in enumerate(names):
    ax.plot(xs, [row[k] for row in curves], label=name)
ax.set_xlabel("x")
ax.legend()
ax.set_title("tanh and its derivatives, each grad() of the one before")
plt.show()

# %% [markdown]
# ## Newton's method with the exact Hessian
#
# Gradient descent steps along −∇f with a fixed rate. Newton's method solves H·s = −∇f, with the
# Hessian H from `hessian()`: it jumps to the minimum of the quadratic that matches f's value, slope
# and curvature where it stands. Far from the minimum that quadratic is a poor guide and the first
# steps leap about; near it, each step roughly doubles the number of correct digits. The function
# is a gentle Rosenbrock valley, f(x, y) = (x − 1)² + 5(y − x²)², with its minimum at (1, 1).


# %%
def f(v):
    return (v[0] - 1) ** 2 + 5 * (v[1] - v[0] ** 2) ** 2


def gradient(p):
    leaves = [Value(c) for c in p]
    return [g.data for g in grad(f(leaves), leaves)]


def newton(p, tol=1e-10, limit=100):
    path = [p]
    for _ in range(limit):
        g = gradient(p)
        if math.hypot(*g) < tol:
            break
        (a, b), (c, d) = hessian(f, p)
        det = a * d - b * c
        step = [-(d * g[0] - b * g[1]) / det, -(-c * g[0] + a * g[1]) / det]  # H⁻¹·(−∇f), 2×2
        p = [p[0] + step[0], p[1] + step[1]]
        path.append(p)
    return path


def descent(p, lr=0.02, tol=1e-10, limit=20000):
    path = [p]
    for _ in range(limit):
        g = gradient(p)
        if math.hypot(*g) < tol:
            break
        p = [p[0] - lr * g[0], p[1] - lr * g[1]]
        path.append(p)
    return path


start = [-1.0, 1.5]
by_newton, by_descent = newton(start), descent(start)
print(f"Newton's method: {len(by_newton) - 1} steps to |∇f| < 1e-10, ending at {by_newton[-1]}")
print(f"gradient descent (rate 0.02): {len(by_descent) - 1} steps, ending at {by_descent[-1]}")
assert max(abs(c - 1) for c in by_newton[-1]) < 1e-9

# %%
path = by_newton + by_descent  # the picture shows every point of both paths
x_lo, x_hi = min(p[0] for p in path) - 0.3, max(p[0] for p in path) + 0.3
y_lo, y_hi = min(p[1] for p in path) - 0.3, max(p[1] for p in path) + 0.3
gx = [x_lo + (x_hi - x_lo) * i / 99 for i in range(100)]
gy = [y_lo + (y_hi - y_lo) * j / 99 for j in range(100)]
fig, ax = plt.subplots(figsize=(7, 4.5))
ax.contour(gx, gy, [[math.log1p(f([u, v])) for u in gx] for v in gy], levels=20, cmap="Greys")
ax.plot(*zip(*by_descent), ".-", ms=2, label=f"gradient descent: {len(by_descent) - 1} steps")
ax.plot(*zip(*by_newton), "o-", label=f"Newton: {len(by_newton) - 1} steps")
ax.plot([1], [1], "k*", ms=12, label="minimum (1, 1)")
ax.legend()
ax.set_title("f(x, y) = (x − 1)² + 5(y − x²)²")
plt.show()

# %% [markdown]
# `gradgradcheck` compares those second derivatives with central differences of the gradient,
# entry by entry; `gradcheck` does the same for the first derivatives.

# %%
print(gradcheck(f, start))
print()
print(gradgradcheck(f, start))

# %% [markdown]
# ## Forward mode: a derivative carried along
#
# A dual number a + b·ε, with ε² = 0, carries a value a and a derivative b. Arithmetic on dual
# numbers is the chain rule: (2 + ε)³ = 8 + 12ε + 6ε² + ε³ = 8 + 12ε, which is x³ and 3x² at 2.

# %%
print(Dual(2.0, 1.0) ** 3)
print(Dual(0.5, 1.0).tanh(), " against ", math.tanh(0.5), 1 - math.tanh(0.5) ** 2)

# %% [markdown]
# `trace_forward_mode` runs forward mode on a recorded graph and writes out each step. Here it is on
# the lecture's expression L = (a·b + c)·f, next to backward on the same graph. Forward mode along a
# finds ∂L/∂a in three steps, one per op; backward finds all four inputs' derivatives in six steps,
# one per edge.

# %%
a, b, c, f_ = Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c"), Value(-2.0, label="f")
e = a * b
e.label = "e"
d = e + c
d.label = "d"
L = d * f_
L.label = "L"
forward = trace_forward_mode(L, wrt=a)
print(forward)

# %%
forward.stepper()

# %%
backward = trace_backward(L)
assert backward.grads[a] == forward.derivative == 6.0
backward.stepper()

# %% [markdown]
# ## Forward or reverse: who needs fewer passes?
#
# One forward pass gives the derivative of **every output** along **one input**; one backward pass
# gives the derivative of **one output** along **every input**. So for f: Rⁿ → R (a loss of n
# weights) reverse mode needs 1 pass and forward mode n; for g: R → Rⁿ it is the other way round.
# Below, the full derivative of each, for n = 1 to 64, timed both ways (best of three runs). g's
# outputs are the n states of a recurrence, so each of its outputs depends on all the ones before:
# one backward pass per output walks back through them all.


# %%
def f_n(v):
    """Rⁿ → R: Σ tanh(v_i · v_{i+1}) + Σ v_i²."""
    return sum((v[i] * v[(i + 1) % len(v)]).tanh() for i in range(len(v))) + sum(vi * vi for vi in v)


def g_n(t, n):
    """R → Rⁿ: the n states of the recurrence h_k = tanh(0.9·h_{k−1} + t), from h_0 = 0."""
    h, states = 0.0, []
    for _ in range(n):
        h = (h * 0.9 + t).tanh()
        states.append(h)
    return states


def g_n_derivative(t, n):
    """The closed form, by the recurrence: h_k' = (1 − h_k²)(0.9·h_{k−1}' + 1)."""
    h, dh, found = 0.0, 0.0, []
    for _ in range(n):
        h = math.tanh(0.9 * h + t)
        dh = (1 - h * h) * (0.9 * dh + 1)
        found.append(dh)
    return found


def timed(fn, *args):
    """fn(*args), and its best time of three runs."""
    best = math.inf
    for _ in range(3):
        start = time.perf_counter()
        result = fn(*args)
        best = min(best, time.perf_counter() - start)
    return result, best


def gradient_of_f_forward(point):
    return [jvp(f_n, point, [1.0 if j == i else 0.0 for j in range(len(point))])[1] for i in range(len(point))]


def gradient_of_f_reverse(point):
    leaves = [Value(p) for p in point]
    return [g.data for g in grad(f_n(leaves), leaves)]


def jacobian_of_g_forward(t, n):
    return jvp(lambda v: g_n(v[0], n), [t], [1.0])[1]


def jacobian_of_g_reverse(t, n):
    x = Value(t)
    return [grad(out, [x])[0].data for out in g_n(x, n)]


ns = [1, 2, 4, 8, 16, 32, 64]
rows = []
for n in ns:
    point = [math.sin(i) for i in range(n)]
    fwd, t_fwd = timed(gradient_of_f_forward, point)
    rev, t_rev = timed(gradient_of_f_reverse, point)
    assert max(abs(p - q) for p, q in zip(fwd, rev)) < 1e-12
    gf, t_gf = timed(jacobian_of_g_forward, 0.3, n)
    gr, t_gr = timed(jacobian_of_g_reverse, 0.3, n)
    assert max(abs(p - q) for p, q in zip(gf, gr)) < 1e-12
    assert max(abs(p - q) for p, q in zip(gf, g_n_derivative(0.3, n))) < 1e-12
    rows.append((n, t_fwd, t_rev, t_gf, t_gr))
    print(
        f"n = {n:2d}   f: Rⁿ→R  forward {n:2d} passes {t_fwd * 1e3:7.2f} ms, reverse 1 pass {t_rev * 1e3:6.2f} ms"
        f"   g: R→Rⁿ  forward 1 pass {t_gf * 1e3:6.2f} ms, reverse {n:2d} passes {t_gr * 1e3:7.2f} ms"
    )

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.5), sharey=True)
left.plot(ns, [r[1] * 1e3 for r in rows], "o-", label="forward: n passes")
left.plot(ns, [r[2] * 1e3 for r in rows], "s-", label="reverse: 1 pass")
left.set_title("∇f for f: Rⁿ → R")
right.plot(ns, [r[3] * 1e3 for r in rows], "o-", label="forward: 1 pass")
right.plot(ns, [r[4] * 1e3 for r in rows], "s-", label="reverse: n passes")
right.set_title("g' for g: R → Rⁿ")
for ax in (left, right):
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("n")
    ax.legend()
left.set_ylabel("ms")
plt.show()

# %% [markdown]
# At n = 1 the two modes do the same work and take about the same time; from there the mode whose
# pass count grows with n falls behind, and since each of its passes also grows with n, its time
# grows as n². Training a network is the left-hand
# case, with n the number of weights: that is why every deep learning library differentiates in
# reverse, and why forward mode is kept for derivatives of few inputs and many outputs, and for
# Hessian-vector products by "forward over reverse".
