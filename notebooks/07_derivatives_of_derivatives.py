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
# derivatives to take Newton steps (and shows when such a step helps and when it goes uphill), and
# then turns the chain rule around: forward mode carries a derivative along with each value, as a
# dual number, in the same pass that computes it, and is faster than backward for functions of few
# inputs. About 45 minutes.
#
# Before this: 06, micrograd to PyTorch. Next: 08, two lenses on one network.
#
# Every number on this page is computed by micrograd, and each derivative is checked against its
# closed form where there is one.

# %%
import math
import time
from itertools import pairwise

from micrograd import Dual, Value, grad, gradcheck, gradgradcheck, hessian, jvp, trace_forward_mode
from micrograd.engine import topological_order
from micrograd.lab.plot import line_plot, side_by_side
from micrograd.lab.trace import trace_backward
from micrograd.lab.viz import draw_dot
from micrograd.tables import text_table

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
one, _, _, y_y, _ = topological_order(dy_dx)  # children first: 1, x, y, y·y, dy/dx
one.label, y_y.label = "1", "y·y"
print(f"dy/dx = {dy_dx.data:.6f}, and 1 − tanh(0.5)² = {1 - math.tanh(0.5) ** 2:.6f}: equal to the last bit")
assert dy_dx.data == 1 - math.tanh(0.5) ** 2 and (one.data, y_y.data) == (1.0, y.data * y.data)
draw_dot(dy_dx, show_grad=False)

# %% [markdown]
# The drawing reads from the left: x, then y = tanh(x), then y·y and 1 − y·y. It shows each value and
# no grads: nothing has been differentiated *through this graph* yet (a backward() from dy/dx would
# give x the second derivative). Differentiating that graph again is what `grad()` does for the
# second derivative.
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

names = ["tanh", "tanh'", "tanh''", "tanh'''", "tanh''''"]
line_plot({name: (xs, [row[k] for row in curves]) for k, name in enumerate(names)}, xlabel="x",
          title="tanh and its derivatives, each grad() of the one before")  # fmt: skip

# %% [markdown]
# ## Newton's method with the exact Hessian
#
# Gradient descent steps along −∇f with a fixed rate. Newton's method uses the second derivatives too.
# Standing at p, it models f by the quadratic that matches f's value, slope and curvature there,
# q(s) = f(p) + ∇f·s + ½ sᵀHs, with the Hessian H from `hessian()`, and steps to the point where q's
# gradient ∇f + H·s is zero: it solves H·s = −∇f. That point is the *stationary point* of q, which is
# q's minimum only when H is positive definite (both eigenvalues > 0: q curves up in every direction).
# Where H has a negative eigenvalue, q is a saddle, and the step goes to the saddle: it can go uphill.
#
# The function is a gentle Rosenbrock valley, f(x, y) = (x − 1)² + 5(y − x²)², with its minimum at
# (1, 1). Start at (−1, 1.5), and look at H there first.


# %%
def f(v):
    return (v[0] - 1) ** 2 + 5 * (v[1] - v[0] ** 2) ** 2


def gradient(p):
    leaves = [Value(c) for c in p]
    return [g.data for g in grad(f(leaves), leaves)]


def eigenvalues(H):
    """The two eigenvalues of a symmetric 2×2 matrix [[a, b], [b, d]]: (a + d)/2 ± √(((a − d)/2)² + b²)."""
    (a, b), (_, d) = H
    mid, radius = (a + d) / 2, math.hypot((a - d) / 2, b)
    return mid - radius, mid + radius


start = [-1.0, 1.5]
H = hessian(f, start)
det = H[0][0] * H[1][1] - H[0][1] * H[1][0]
low, high = eigenvalues(H)
print(f"H at (−1, 1.5) = {H}, determinant {det:g}, eigenvalues {low:.2f} and {high:.2f}")
assert H == [[32.0, 20.0], [20.0, 10.0]] and det == -80.0
assert round(low, 2) == -1.83 and round(high, 2) == 43.83  # one negative: the quadratic model is a saddle

# %% [markdown]
# One eigenvalue is negative (the determinant is their product, −80): the quadratic model has no
# minimum here. Newton's steps from this start, with f at each point:


# %%
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


def steps_table(path):
    """Each point of a path, its f, and the smaller eigenvalue of H there (> 0: the model has a minimum)."""
    rows = [[str(i), f"{p[0]:.4f}", f"{p[1]:.4f}", f"{f(p):.3g}", f"{eigenvalues(hessian(f, p))[0]:.3g}"]
            for i, p in enumerate(path)]  # fmt: skip
    return text_table(["step", "x", "y", "f(x, y)", "smaller eigenvalue of H"], rows)


by_newton = newton(start)
print(steps_table(by_newton))
values = [f(p) for p in by_newton]
uphill = [i for i in range(1, len(values)) if values[i] > values[i - 1]]
assert uphill == [1, 4, 6] and f"{values[0]:.3g} {values[1]:.3g}" == "5.25 6.56"
assert max(abs(c - 1) for c in by_newton[-1]) < 1e-9 and len(by_newton) - 1 == 10
assert all(eigenvalues(hessian(f, p))[0] > 0 for p in by_newton[1:])  # positive definite from step 1 on

# %% [markdown]
# The first step goes uphill, from f = 5.25 to 6.56: it goes to the saddle of the model. From step 1
# on, H is positive definite (its smaller eigenvalue is above 0), so each step goes to the model's
# minimum; but far from (1, 1) the quadratic is a poor guide to f, and steps 4 and 6 overshoot and go
# up again. Newton's method gets to (1, 1) after 10 steps all the same, the last few fast.
#
# Started near the minimum where H is positive definite, at (0.8, 0.6), it helps from the first step:
# f falls at every step, and from step 2 on the distance to the minimum is about squared at each one
# (quadratic convergence: the number of correct digits roughly doubles).

# %%
near = [0.8, 0.6]
print("smaller eigenvalue of H at (0.8, 0.6):", f"{eigenvalues(hessian(f, near))[0]:.3g}")
from_near = newton(near)
errors = [math.hypot(p[0] - 1, p[1] - 1) for p in from_near]
print(text_table(["step", "distance to (1, 1)"], [[str(i), f"{e:.1e}"] for i, e in enumerate(errors)]))
assert eigenvalues(hessian(f, near))[0] > 0 and len(from_near) - 1 == 5
assert all(f(q) < f(p) for p, q in pairwise(from_near))  # downhill at every step
assert all(e_next < 2 * e * e for e, e_next in pairwise(errors[2:]))  # each error below 2 × the last one²


# %% [markdown]
# Practical Newton methods guard against the uphill steps: where H is not positive definite they damp
# the step or fall back to a gradient step. Gradient descent itself, with a fixed rate of 0.02, takes
# thousands of small steps from (−1, 1.5):


# %%
def descent(p, lr=0.02, tol=1e-10, limit=20000):
    path = [p]
    for _ in range(limit):
        g = gradient(p)
        if math.hypot(*g) < tol:
            break
        p = [p[0] - lr * g[0], p[1] - lr * g[1]]
        path.append(p)
    return path


by_descent = descent(start)
print(f"gradient descent (rate 0.02): {len(by_descent) - 1} steps to |∇f| < 1e-10")
print(f"Newton's method: {len(by_newton) - 1} steps from (−1, 1.5), {len(from_near) - 1} from (0.8, 0.6)")
assert max(abs(c - 1) for c in by_descent[-1]) < 1e-9 and len(by_descent) - 1 == 2838

# %%
path = by_newton + by_descent  # the picture shows every point of both paths
x_lo, x_hi = min(p[0] for p in path) - 0.3, max(p[0] for p in path) + 0.3
y_lo, y_hi = min(p[1] for p in path) - 0.3, max(p[1] for p in path) + 0.3
paths = {
    f"gradient descent: {len(by_descent) - 1} steps": list(zip(*by_descent)),
    f"Newton from (−1, 1.5): {len(by_newton) - 1} steps": list(zip(*by_newton)),
    f"Newton from (0.8, 0.6): {len(from_near) - 1} steps": list(zip(*from_near)),
}
line_plot(paths, markers=True, marks={"minimum (1, 1)": (1, 1)}, shade=lambda u, v: math.log1p(f([u, v])),
          xrange=(x_lo, x_hi), yrange=(y_lo, y_hi), xlabel="x", ylabel="y",
          title="f(x, y) = (x − 1)² + 5(y − x²)², shaded by log(1 + f)")  # fmt: skip

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
cube = Dual(2.0, 1.0) ** 3
t = Dual(0.5, 1.0).tanh()
print(f"(2 + ε)³ = {cube}")
print(f"tanh(0.5 + ε) = {t.primal:.4f} + {t.tangent:.4f}ε: tanh 0.5 and 1 − tanh² 0.5, to the last bit")
assert (cube.primal, cube.tangent) == (8.0, 12.0)
assert (t.primal, t.tangent) == (math.tanh(0.5), 1 - math.tanh(0.5) ** 2)

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
    """fn(*args), and its time per call: the best of three runs of enough calls to take 5 ms or more.

    One call can be quicker than a tick of the clock (a browser tab's clock ticks coarsely), so calls are timed
    together, doubling their number until a run takes long enough to measure.
    """
    result, calls = fn(*args), 1
    while True:
        start = time.perf_counter()
        for _ in range(calls):
            fn(*args)
        took = time.perf_counter() - start
        if took >= 0.005:
            break
        calls *= 2
    best = took / calls
    for _ in range(2):
        start = time.perf_counter()
        for _ in range(calls):
            fn(*args)
        best = min(best, (time.perf_counter() - start) / calls)
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
print("time in ms per call, best of three runs; the passes each takes:")
print("∇f: forward n, reverse 1;  g': forward 1, reverse n\n")
print(text_table(["n", "∇f forward", "∇f reverse", "g' forward", "g' reverse"],
                 [[str(r[0]), *(f"{t * 1e3:.2f}" for t in r[1:])] for r in rows]))  # fmt: skip

# %%
in_ms = {
    name: [r[k] * 1e3 for r in rows]
    for k, name in enumerate(["∇f forward", "∇f reverse", "g' forward", "g' reverse"], 1)
}
side_by_side(
    [
        line_plot({"forward: n passes": (ns, in_ms["∇f forward"]), "reverse: 1 pass": (ns, in_ms["∇f reverse"])},
                  xlog=2, ylog=10, markers=True, width=240, xlabel="n", ylabel="ms", title="∇f for f: Rⁿ → R"),
        line_plot({"forward: 1 pass": (ns, in_ms["g' forward"]), "reverse: n passes": (ns, in_ms["g' reverse"])},
                  xlog=2, ylog=10, markers=True, width=240, xlabel="n", ylabel="ms", title="g' for g: R → Rⁿ"),
    ],
    title="Time against n, on log scales",
)  # fmt: skip

# %% [markdown]
# At n = 1 the two modes do the same work and take about the same time; from there the mode whose
# pass count grows with n falls behind, and since each of its passes also grows with n, its time
# grows as n². Training a network is the left-hand
# case, with n the number of weights: that is why every deep learning library differentiates in
# reverse, and why forward mode is kept for derivatives of few inputs and many outputs, and for
# Hessian-vector products by "forward over reverse".
