"""Model-based test of the session (the document), without a window.

Rules are the user's operations; after every rule the invariants hold: nothing raised, the
current results follow from the current parameters, every run belongs to this document.
At the end, undo of everything is bit-exact to the document's start, and redo of
everything bit-exact to its end.  ``HYPOTHESIS_PROFILE=thorough`` runs it long.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from bpviewer.core.engine.optimizers import OPTIMIZERS
from bpviewer.core.engine.stepper import StepRecord
from bpviewer.core.files.examples import load_example

pytest.importorskip("PySide6")

EXAMPLES = ("seed", "xor", "and", "gaussians")
PRESETS = ("xor", "and", "or", "circle", "gaussians")
FINITE = st.floats(-3, 3, allow_nan=False, allow_infinity=False)


def _digest(*arrays) -> str:
    h = hashlib.sha1()
    for a in arrays:
        if a is None:
            h.update(b"None")
        elif isinstance(a, np.ndarray | float | int | np.floating):
            arr = np.asarray(a, dtype=np.float64)
            h.update(str(arr.shape).encode())
            h.update(arr.tobytes())
        else:
            h.update(repr(a).encode())
    return h.hexdigest()


def document_key(session) -> tuple:
    """Everything an undo step must put back, bit for bit (NaN payloads included)."""
    m = session.machine
    results = tuple((k, _digest(v)) for k, v in sorted(m.results.items()) if not isinstance(v, str))
    slots = _digest(*(a for slot in m.optimizer_state.slots for a in slot))
    data = session.project.dataset
    return (
        m.network.layer_sizes,
        m.network.activations,
        _digest(*m.network.weights, *m.network.biases),
        m.position,
        m.iteration,
        frozenset(m.fresh),
        results,
        m.optimizer_state.t,
        slots,
        _digest(m.inputs, m.targets),
        session.sample_index,
        tuple(sorted(session.losses.items())),
        session.project.training,
        _digest(data.inputs, data.targets),
        tuple(id(r) for r in session.last_records),
        id(session.last_update),
        _digest(*session.initial_network.weights, *session.initial_network.biases),
    )


@settings(
    deadline=None,
    stateful_step_count=50,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
class SessionMachine(RuleBasedStateMachine):
    """Every user operation on the session, in any order."""

    @initialize(example=st.sampled_from(EXAMPLES))
    def start(self, example):
        from bpviewer.gui.session import Session

        self.session = Session(load_example(example))
        self.messages: list[str] = []
        self.session.messageIssued.connect(self.messages.append)
        self.emissions = 0
        self.session.changed.connect(self._count)
        self._begin_document()

    def _count(self, _what) -> None:
        self.emissions += 1

    def _begin_document(self) -> None:
        self.start_key = document_key(self.session)
        self.document_runs: list = []

    # ------------------------------------------------------------------ stepping
    @rule(phase=st.sampled_from(["forward", "backward", "update"]))
    def run_phase(self, phase):
        self.session.run_phase(phase)

    @rule()
    def sub_step(self):
        self.session.step()

    @rule()
    def phase_rest(self):
        self.session.run_phase_rest()

    @rule()
    def iterate(self):
        self.session.iterate()

    # ------------------------------------------------------------------ edits
    @rule(data=st.data(), value=FINITE)
    def edit_weight(self, data, value):
        net = self.session.network
        layer = data.draw(st.integers(1, net.n_layers))
        rows, cols = net.weights[layer - 1].shape
        row, col = data.draw(st.integers(0, rows - 1)), data.draw(st.integers(0, cols - 1))
        before = self.session.network.weights[layer - 1][row, col]
        ok = self.session.set_parameter("w", layer, row, col, repr(value))
        assert ok
        assert self.session.network.weights[layer - 1][row, col] == value or value == before

    @rule(data=st.data(), value=FINITE)
    def edit_bias(self, data, value):
        net = self.session.network
        layers = [l for l in range(1, net.n_layers + 1) if net.biases[l - 1] is not None]
        if not layers:
            assert not self.session.set_block("b", 1, 0, 0, [["1"]])
            return
        layer = data.draw(st.sampled_from(layers))
        col = data.draw(st.integers(0, net.layer_sizes[layer] - 1))
        assert self.session.set_parameter("b", layer, 0, col, value)

    @rule(text=st.sampled_from(["abc", "nan", "inf", "1e999", ""]))
    def bad_edit(self, text):
        key = document_key(self.session)
        assert not self.session.set_parameter("w", 1, 0, 0, text)
        assert document_key(self.session) == key
        assert "not a finite number" in self.messages[-1]

    @rule(data=st.data())
    def paste(self, data):
        w = self.session.network.weights[0]
        rows = data.draw(st.integers(1, w.shape[0]))
        cols = data.draw(st.integers(1, w.shape[1]))
        block = [[repr(data.draw(FINITE)) for _ in range(cols)] for _ in range(rows)]
        assert self.session.set_block("w", 1, 0, 0, block)

    @rule(data=st.data(), value=FINITE)
    def edit_sample(self, data, value):
        s = self.session
        which = data.draw(st.sampled_from(["input", "target"]))
        width = (s.project.dataset.inputs if which == "input" else s.project.dataset.targets).shape
        row = data.draw(st.integers(0, width[0] - 1))
        col = data.draw(st.integers(0, width[1] - 1))
        assert s.set_sample_value(which, row, col, value)

    @rule(data=st.data())
    def select_sample(self, data):
        self.session.select_sample(data.draw(st.integers(0, self.session.n_samples - 1)))

    @rule()
    def reset(self):
        self.session.reset()

    # ------------------------------------------------------------------ settings, data, network
    @rule(lr=st.sampled_from([0.05, 0.5, 2.0]))
    def learning_rate(self, lr):
        self.session.set_training(learning_rate=lr)

    @rule(name=st.sampled_from(OPTIMIZERS))
    def optimizer(self, name):
        self.session.set_training(optimizer=name)

    @rule(size=st.sampled_from([1, 2, "full"]))
    def batch_size(self, size):
        self.session.set_training(batch_size=size)

    @rule(preset=st.sampled_from(PRESETS), n=st.sampled_from([8, 12]))
    def data_set(self, preset, n):
        assert self.session.set_data({"preset": preset, "n": n, "seed": 1})

    @rule(hidden=st.lists(st.integers(1, 4), min_size=0, max_size=2), bias=st.booleans())
    def network_shape(self, hidden, bias):
        net = self.session.network
        sizes = [net.layer_sizes[0], *hidden, net.layer_sizes[-1]]
        acts = ["sigmoid"] * len(hidden) + [net.activations[-1]]
        assert self.session.set_network_shape(sizes, acts, [bias] * (len(sizes) - 1))

    @rule(example=st.sampled_from(EXAMPLES))
    def new_document(self, example):
        self.session.load(load_example(example))
        assert self.session.runs == [] and not self.session.undo_stack.canUndo()
        self._begin_document()

    # ------------------------------------------------------------------ runs
    @rule(iterations=st.integers(1, 40))
    def train(self, iterations):
        before = self.session.undo_stack.index()
        run = self.session.train(iterations=iterations)
        assert run is not None and run.result is not None
        assert not self.session.busy
        assert self.session.undo_stack.index() == before + 1  # the run is one undo step
        self.document_runs.append(run)

    @rule(iterations=st.integers(1, 40), data=st.data())
    def train_then_rewind(self, iterations, data):
        self.train(iterations)
        self.rewind(data)

    @precondition(lambda self: self.session.runs)
    @rule(data=st.data())
    def rewind(self, data):
        s = self.session
        run = data.draw(st.sampled_from(s.runs))
        iteration = data.draw(st.integers(run.start, run.end))
        fits = run.fits(s.network)
        ok = s.rewind(run, iteration)
        assert ok == fits
        if ok:
            expected, state = run.trainer.restore(iteration)
            assert s.network.same_as(expected)
            assert s.machine.iteration == iteration
            assert s.machine.optimizer_state.t == state.t
        else:
            assert "nothing restored" in self.messages[-1]

    @precondition(lambda self: self.session.runs)
    @rule()
    def run_while_busy(self):
        """A change attempted while a run goes is refused and changes nothing."""
        s = self.session
        run = s.begin_run()
        assert run is not None
        key = document_key(s)
        assert not s.set_parameter("w", 1, 0, 0, "0.25")
        assert not s.set_training(learning_rate=0.01)
        assert not s.undo() and not s.redo()
        assert not s.reset()
        assert not s.set_data({"preset": "xor"})
        assert not s.load(load_example("seed"))
        assert s.run_phase("forward") == []
        assert document_key(s) == key
        s.end_run(run, None)  # as if the worker failed at once: nothing trained
        self.document_runs.append(run)

    # ------------------------------------------------------------------ undo
    @rule()
    def undo(self):
        self.session.undo()

    @rule()
    def redo(self):
        self.session.redo()

    # ------------------------------------------------------------------ invariants
    @invariant()
    def results_follow_from_parameters(self):
        m = self.session.machine
        if f"a{m.n_layers}" not in m.fresh:
            return
        zs, activations = m.network.forward_pass(m.inputs)
        for l in range(1, m.n_layers + 1):
            if f"a{l}" in m.fresh:
                np.testing.assert_allclose(m.results[f"a{l}"], activations[l - 1], rtol=1e-12)
                np.testing.assert_allclose(m.results[f"z{l}"], zs[l - 1], rtol=1e-12, atol=1e-300)

    @invariant()
    def records_are_of_this_network(self):
        s = self.session
        for record in s.last_records:
            assert isinstance(record, StepRecord)
            assert record.n_layers == s.network.n_layers
            if record.sub_step.kind == "forward":
                assert (
                    record.values["w"].shape == s.network.weights[record.sub_step.layer - 1].shape
                )

    @invariant()
    def the_kept_state_is_the_current_one(self):
        """The state an action starts from (kept, not captured again) is the current."""
        from bpviewer.gui.session import NOTHING, _diff

        assert _diff(self.session._state, self.session.capture()) == NOTHING

    @invariant()
    def runs_belong_to_this_document(self):
        for run in self.session.runs:
            assert any(run is r for r in self.document_runs)
        assert not self.session.busy and self.session.current_run is None

    def teardown(self):
        if not hasattr(self, "session"):
            return
        s = self.session
        stack = s.undo_stack
        now, index = document_key(s), stack.index()
        while stack.canRedo():
            assert s.redo()
        end = document_key(s)
        while stack.canUndo():
            assert s.undo()
        assert document_key(s) == self.start_key, "undo of everything is not the start"
        while stack.index() < index:
            assert s.redo()
        assert document_key(s) == now, "undo then redo to where it was is not the same"
        while stack.canRedo():
            assert s.redo()
        assert document_key(s) == end, "redo of everything is not the end"
        s.deleteLater()


TestSessionMachine = SessionMachine.TestCase


@pytest.fixture(autouse=True)
def _app(qapp):
    """QUndoStack needs a Qt application."""
    yield
