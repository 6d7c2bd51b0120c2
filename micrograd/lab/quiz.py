"""Predict, then check: a trace's steps with the next value hidden, for the learner to work out and type in.

Quiz(trace_backward(root)) asks, step by step, for the grad each step of backward() leaves in a value;
Quiz(trace_forward(root)) asks for each computed value's data. The engine's own numbers are the answers:
an answer is right when it is within TOLERANCE (relative) of the engine's number, or rounds to the number
shown at the trace's digits. After a wrong answer the step's equation (its result hidden) is the hint;
a score counts the answers right at the first try. Quiz(trace, ask=[...]) asks only the steps a teacher
picks and shows the others worked out.

In Jupyter and in a page saved with save() it works with the keyboard alone (type, Enter; Tab moves on)
and reads in light and dark themes, with the stepper's styles (micrograd/lab/static/stepper.css) and its own
few (quiz.css, quiz.js). Without JavaScript it shows the questions, and says that checking answers needs
it. In Python, quiz.check(k, answer) grades by the same rule.
"""

from __future__ import annotations

import json
import math
import os
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape

from micrograd.checks import is_int, is_number, type_name
from micrograd.lab.display import picture_html
from micrograd.lab.forward_pass import ForwardTrace
from micrograd.lab.render import render_svg
from micrograd.lab.stepper import page, save_page, static_file
from micrograd.lab.steps import term
from micrograd.lab.trace import BackwardTrace
from micrograd.lab.viz import draw_values
from micrograd.ops import Op
from micrograd.tables import format_number

__all__ = ["NUMBER", "TOLERANCE", "Question", "Quiz", "accepted", "grade"]

TOLERANCE = 1e-3  # relative: an answer this close to the engine's number is right
NUMBER = r"^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*$"  # what may be typed: a decimal number
HIDDEN = "?"
STILL = (
    "Checking answers needs JavaScript: in Jupyter, run this cell again or trust the notebook (Trust Notebook, "
    "in the command palette); in a browser, allow JavaScript for this page. In Python, quiz.check(step, answer) "
    "grades an answer."
)


def accepted(truth: float, digits: int) -> tuple[float, float] | None:
    """The interval of right answers for the engine's number truth: within TOLERANCE, or what rounds to it at digits.

    None for a truth that is NaN or infinite (only its text, as shown, is right).
    """
    if not math.isfinite(truth):
        return None
    shown = float(format_number(truth, digits))
    if shown == 0.0:
        return (truth - TOLERANCE * abs(truth), truth + TOLERANCE * abs(truth))
    half = 0.5 * 10.0 ** (math.floor(math.log10(abs(shown))) - digits + 1)  # half a unit in the last digit shown
    return (min(truth - TOLERANCE * abs(truth), shown - half), max(truth + TOLERANCE * abs(truth), shown + half))


def grade(answer: str | float, truth: float, digits: int = 4) -> bool:
    """Is answer (a number, or text as typed) right for the engine's number truth?"""
    if isinstance(answer, str):
        if not math.isfinite(truth):
            return answer.strip() == format_number(truth, digits)
        if not re.match(NUMBER, answer):
            return False
        value = float(answer)
    elif is_number(answer):
        value = float(answer)
    else:
        raise TypeError(f"an answer is a number or the text typed, got {type_name(answer)}")
    interval = accepted(truth, digits)
    if interval is None:
        return value == truth
    return interval[0] <= value <= interval[1]


@dataclass(frozen=True)
class Question:
    """One step: what it asks, the hint after a wrong answer, the engine's answer, and whether it is asked."""

    step: int  # the trace's step number
    prompt: str
    hint: str  # the step's equation with its result hidden
    equation: str  # the step's equation, worked out
    answer: float
    shown: str  # the answer at the trace's digits
    asked: bool


class Quiz:
    """A trace as questions: each step's result hidden until the learner types it; shows in Jupyter, saves as HTML."""

    def __init__(self, trace: BackwardTrace | ForwardTrace, ask: Iterable[int] | None = None) -> None:
        if not isinstance(trace, (BackwardTrace, ForwardTrace)):
            raise TypeError(f"Quiz() takes a trace (trace_backward or trace_forward), got {type_name(trace)}")
        self.trace = trace
        self.digits = trace.digits
        questions = _backward(trace) if isinstance(trace, BackwardTrace) else _forward(trace)
        askable = [q.step for q in questions if q.asked]
        chosen = set(askable if ask is None else _steps(ask, askable))
        self.questions = [
            Question(q.step, q.prompt, q.hint, q.equation, q.answer, q.shown, q.step in chosen) for q in questions
        ]
        self.kind = "backward" if isinstance(trace, BackwardTrace) else "forward"
        self.attempts: dict[int, list[bool]] = {}  # step -> the verdict of each answer check() graded

    @property
    def asked(self) -> list[Question]:
        """The questions the learner answers, in order."""
        return [q for q in self.questions if q.asked]

    def check(self, step: int, answer: str | float) -> bool:
        """Grade an answer to the question of this step (as the page does), and count it in the score."""
        question = next((q for q in self.asked if q.step == step), None)
        if question is None:
            raise ValueError(f"this quiz asks steps {', '.join(str(q.step) for q in self.asked)}, not step {step!r}")
        right = grade(answer, question.answer, self.digits)
        self.attempts.setdefault(step, []).append(right)
        return right

    @property
    def score(self) -> tuple[int, int]:
        """(answers right at the first try, questions answered right so far) of the answers check() graded.

        The page keeps its own score, in the browser: what is typed there never reaches Python, so it is not counted.
        """
        first = sum(1 for verdicts in self.attempts.values() if verdicts[0])
        return first, sum(1 for verdicts in self.attempts.values() if any(verdicts))

    def html(self, title: str | None = None) -> str:
        """A complete HTML page that works offline: the quiz and nothing from the network."""
        title = title or f"micrograd: {self.kind}, predict then check"
        return page(title, self._fragment())

    def save(self, path: str | os.PathLike[str]) -> str:
        """Write the quiz as one self-contained HTML file; returns its path."""
        return save_page(path, self.html())

    def _repr_html_(self) -> str:
        return self._fragment()

    def __str__(self) -> str:
        lines = [f"{self.kind} quiz: {len(self.asked)} of {len(self.questions)} steps asked"]
        for q in self.questions:
            lines.append(f"{q.step}. {q.prompt}   {HIDDEN}" if q.asked else f"{q.step}. {q.equation}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"Quiz({self.kind}, {len(self.asked)} of {len(self.questions)} steps asked)"

    def _fragment(self) -> str:
        uid = f"mg-quiz-{uuid.uuid4().hex[:12]}"
        items = []
        for i, q in enumerate(self.questions):
            if q.asked:
                body = (
                    f'<span class="mg-prompt">{escape(q.prompt)}</span> '
                    f'<span class="mg-answer" style="display: none"><input type="text" inputmode="decimal" '
                    f'aria-label="answer to step {q.step}" size="10" autocomplete="off"> '
                    '<button type="button" class="mg-check">check</button></span> '
                    '<span class="mg-verdict" aria-live="polite"></span>'
                    '<div class="mg-hint" style="display: none"></div>'
                )
            else:
                body = f'<span class="mg-given">{escape(q.equation)}</span>'
            items.append(f'<li class="mg-step" data-i="{i}" value="{q.step}">{body}</li>')
        data = {
            "questions": [
                {
                    "asked": q.asked,
                    "interval": accepted(q.answer, self.digits),
                    "shown": q.shown,
                    "hint": q.hint,
                    "equation": q.equation,
                }
                for q in self.questions
            ],
            "number": NUMBER,
        }
        data_json = json.dumps(data, ensure_ascii=True).replace("<", "\\u003c")  # "</" would end the script
        picture = ""
        if isinstance(self.trace, BackwardTrace):  # the graph with its data, its grads left to the learner
            drawing = draw_values(self.trace.order, rankdir="LR", show_grad=False, digits=self.digits)
            picture = picture_html(render_svg(drawing), title="the graph: data only", open_at_end=True)
        intro = (
            "Work out each step's grad, as backward() computes it (child.grad += ∂node/∂child × node.grad), "
            "type it and press Enter."
            if isinstance(self.trace, BackwardTrace)
            else "Work out each value, as the forward pass computes it, type it and press Enter."
        )
        return (
            f'<div id="{uid}" class="mg-stepper mg-quiz">\n'
            f"<style>\n{static_file('stepper.css')}{static_file('quiz.css')}</style>\n{picture}\n"
            f'<div class="mg-eq" style="font-family: monospace; padding: 0.4em 0.6em">{escape(intro)}</div>\n'
            f'<ol class="mg-steps">\n{"".join(items)}\n</ol>\n'
            f'<div class="mg-score" aria-live="polite" style="display: none"></div>\n'
            f'<div class="mg-still" style="font-size: 0.9em; margin-top: 0.4em">{escape(STILL)}</div>\n'
            "<script>\n(function () {\n"
            f'  var uid = "{uid}";\n'
            f"  var data = {data_json};\n"
            f"{static_file('quiz.js')}}})();\n</script>\n</div>"
        )


def _backward(trace: BackwardTrace) -> list[Question]:
    questions = []
    for s in trace:
        op = s.node._op
        formula = op.write([trace.names[c] for c in s.node._prev]) if isinstance(op, Op) else ""
        child = term(s.child_name)
        prompt = f"backward through {s.node_name} = {formula}. What is {child}.grad now?"
        equation = s.equation(trace.digits)
        hint = equation[: equation.rindex(" = ")] + f" = {HIDDEN}"
        questions.append(Question(s.number, prompt, hint, equation, s.after, trace.grad_text(s.after), True))
    return questions


def _forward(trace: ForwardTrace) -> list[Question]:
    questions = []
    for s in trace:
        equation = s.equation(trace.digits)
        computed = bool(s.node._prev)  # a leaf (an input, a weight, a constant) is given, not asked
        prompt = f"{s.name} = {s.formula}. What is {s.name}?" if computed else equation
        hint = f"{s.name} = {s.formula} = {s.arithmetic} = {HIDDEN}" if computed else equation
        questions.append(
            Question(s.number, prompt, hint, equation, s.value, format_number(s.value, trace.digits), computed)
        )
    return questions


def _steps(ask: object, askable: list[int]) -> list[int]:
    if isinstance(ask, (str, bytes)) or not isinstance(ask, Iterable):
        raise TypeError(f"ask must be a list of step numbers, got {type_name(ask)}")
    steps = []
    for k in ask:
        if not is_int(k) or isinstance(k, bool):
            raise TypeError(f"ask takes step numbers (ints), got {k!r}")
        if int(k) not in askable:
            raise ValueError(f"step {k} cannot be asked: the steps that can are {', '.join(map(str, askable))}")
        steps.append(int(k))
    if not steps:
        raise ValueError("ask is empty: name at least one step to ask (or leave ask out to ask them all)")
    return steps
