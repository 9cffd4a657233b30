"""Model-based test of the real window (offscreen): random user operations, and after each
the tables, diagram, Explain, Values, sample and status bar show the session's state.

Smaller than the session's state machine (a window is slower); ``HYPOTHESIS_PROFILE=
thorough`` runs it long.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from PySide6.QtCore import Qt

from bpviewer.core.engine.notation import fmt, full

THOROUGH = os.environ.get("HYPOTHESIS_PROFILE") == "thorough"
EXAMPLES = ("seed", "xor", "spiral", "iris")
DOCKS = ("explain_dock", "values_dock", "why_dock", "plot_dock", "confusion_dock", "boundary_dock")


@settings(
    max_examples=300 if THOROUGH else 20,
    stateful_step_count=30 if THOROUGH else 15,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
class WindowMachine(RuleBasedStateMachine):
    """The user's operations through the window's actions, tables and plot."""

    @initialize(example=st.sampled_from(EXAMPLES))
    def open_window(self, example):
        from bpviewer.gui import MainWindow
        from tests.conftest import FakePrompter

        self.window = MainWindow()
        self.window.prompter = FakePrompter()
        self.window.show()
        self.window.error_plot.ensure_plot()
        if example != "seed":
            self.window.new_from_example(example)
        self.session = self.window.session

    def teardown(self):
        if hasattr(self, "window"):
            self.window.prompter.answer = "discard"
            self.window.close()
            self.window.deleteLater()
            from PySide6.QtWidgets import QApplication

            QApplication.processEvents()

    # ------------------------------------------------------------------ actions
    @rule(name=st.sampled_from(["Forward", "Backward", "ApplyUpdate", "Step", "Phase", "Iterate"]))
    def step_action(self, name):
        getattr(self.window, f"action{name}").trigger()

    @rule(name=st.sampled_from(["Undo", "Redo"]))
    def undo_redo(self, name):
        getattr(self.window, f"action{name}").trigger()

    @rule(data=st.data(), text=st.sampled_from(["0.3", "-1.25", "abc", "1e999", "2"]))
    def edit_cell(self, data, text):
        tables = self.window.weight_tables
        k = data.draw(st.integers(0, len(tables.models) - 1))
        tables.tabs.setCurrentIndex(k)
        model = tables.models[k]
        row = data.draw(st.integers(0, model.rowCount() - 1))
        col = data.draw(st.integers(0, model.columnCount() - 1))
        from PySide6.QtCore import Qt

        before = model.value(row, col, "W")
        ok = model.setData(model.index(row, col), text, Qt.ItemDataRole.EditRole)
        if text in ("abc", "1e999"):
            assert not ok and model.value(row, col, "W") == before

    @rule(data=st.data())
    def show_last_tab(self, data):
        tabs = self.window.weight_tables.tabs
        tabs.setCurrentIndex(tabs.count() - 1)

    @rule(dock=st.sampled_from(DOCKS))
    def look_at(self, dock):
        """Bring a panel's tab to the front (panels behind a tab catch up when raised)."""
        from PySide6.QtWidgets import QApplication

        getattr(self.window, dock).raise_()
        QApplication.processEvents()

    @rule(data=st.data())
    def select_parameter(self, data):
        """A weight or bias picked in the table, as Why this gradient explains it."""
        net = self.session.network
        layer = data.draw(st.integers(1, net.n_layers))
        col = data.draw(st.integers(0, net.layer_sizes[layer] - 1))
        if net.biases[layer - 1] is not None and data.draw(st.booleans()):
            self.window.weight_tables.select("b", layer, 0, col)
        else:
            row = data.draw(st.integers(0, net.layer_sizes[layer - 1] - 1))
            self.window.weight_tables.select("w", layer, row, col)

    @rule(preset=st.sampled_from(["xor", "circle", "iris"]))
    def use_preset(self, preset):
        self.session.set_data(
            {"preset": preset, "n": 20} if preset != "iris" else {"preset": preset}
        )

    @rule(hidden=st.lists(st.integers(1, 3), max_size=2))
    def change_network(self, hidden):
        net = self.session.network
        sizes = [net.layer_sizes[0], *hidden, net.layer_sizes[-1]]
        acts = ["tanh"] * len(hidden) + [net.activations[-1]]
        self.session.set_network_shape(sizes, acts, [True] * (len(sizes) - 1))

    @rule(example=st.sampled_from(EXAMPLES))
    def new_example(self, example):
        self.window.new_from_example(example)

    @rule(iterations=st.integers(1, 60))
    def train(self, iterations):
        self.session.train(iterations=iterations)

    @precondition(lambda self: self.window.error_plot.runs)
    @rule(data=st.data())
    def click_loss_plot(self, data):
        plot = self.window.error_plot
        curves = data.draw(st.sampled_from(plot.runs))
        xs, _ = curves.loss.data()
        if xs.size:
            plot.click_at(float(data.draw(st.sampled_from(list(xs)))))

    # ------------------------------------------------------------------ what the window shows
    @invariant()
    def tables_show_the_network(self):
        net = self.session.network
        models = self.window.weight_tables.models
        assert len(models) == net.n_layers
        for l, model in enumerate(models, start=1):
            w, b = net.weights[l - 1], net.biases[l - 1]
            assert model.shape == w.shape and model.has_bias == (b is not None)
            shown = np.array(
                [[model.value(r, c, "W") for c in range(w.shape[1])] for r in range(w.shape[0])]
            )
            assert shown.tobytes() == w.tobytes()
            if b is not None:
                last = w.shape[0]
                assert [model.value(last, c, "W") for c in range(b.size)] == list(b)

    @invariant()
    def diagram_shows_the_network(self):
        view, net = self.window.network_view, self.session.network
        assert view._sizes == net.layer_sizes
        for edge in view.edges[:5]:
            v = net.weights[edge.layer - 1][edge.row, edge.col]
            assert f"w = {full(v)}" in edge.toolTip()

    @invariant()
    def explain_shows_the_last_records(self):
        panel, records = self.window.explain_panel, self.session.last_records
        assert len(panel._shown) == len(records)
        assert all(a is b for a, b in zip(panel._shown, records, strict=True))
        if not records:
            assert panel.toPlainText() == ""

    @invariant()
    def values_show_the_machine(self):
        machine = self.session.machine
        panel = self.window.values_panel
        panel.catch_up()  # what it shows when brought to the front
        keys = [panel.item(r, 0).data(256) for r in range(panel.rowCount())]
        assert all(machine.results.get(k) is not None for k in keys)
        L = machine.n_layers
        if f"a{L}" in keys:
            r = keys.index(f"a{L}")
            assert fmt(machine.results[f"a{L}"][0, 0]) in panel.item(r, 2).text()

    @invariant()
    def seen_panels_show_the_document(self):
        """Why this gradient and the confusion matrix, when seen, show the current network
        and batch (computed independently here)."""
        from bpviewer.core.engine.chain_rule import why
        from bpviewer.core.engine.decision import confusion
        from bpviewer.gui.visibility import seen

        w, s = self.window, self.session
        panel = w.why_panel
        if seen(panel) and panel.parameter is not None:
            m = s.machine
            expected = why(
                s.network, m.inputs, m.targets, s.project.training.loss, *panel.parameter
            )
            assert panel.found is not None and panel.found.gradient == expected.gradient
        view = w.confusion_view
        if seen(view) and not view._due:
            data = s.project.dataset
            x, t = (
                (data.validation_inputs, data.validation_targets)
                if data.validation_inputs is not None and len(data.validation_inputs)
                else (data.inputs, data.targets)
            )
            expected = confusion(s.network, x, t)
            if expected is None:
                assert view.matrix is None
            else:
                np.testing.assert_array_equal(view.matrix, expected)

    @invariant()
    def status_and_sample_follow(self):
        w, s = self.window, self.session
        assert w.status_label.text() == s.status_text()
        assert w.sample_editor.spin.value() == s.sample_index + 1
        model, (lo, _) = w.sample_editor.model, s.batch_rows()
        data = s.project.dataset
        shown = [model.index(0, c).data(Qt.ItemDataRole.EditRole) for c in range(3)]
        assert shown[: data.inputs.shape[1]] == list(data.inputs[lo, :3])
        assert w.actionForward.isEnabled() == s.can_run("forward")
        assert w.actionApplyUpdate.isEnabled() == s.can_run("update")


@pytest.fixture
def _qt(qapp):
    yield


def test_window_machine(_qt):
    WindowMachine.TestCase().runTest()
