"""The live plots' views during a run: grown in steps, redrawn only with new points."""

from __future__ import annotations

import math

import numpy as np

from bpviewer.core.training.training_run import Chunk
from bpviewer.gui.plots.inside_plot import InsidePlot
from bpviewer.gui.plots.live_range import SteppedRange


class RecordingPlot:
    """Stands in for a pyqtgraph plot: records the ranges set."""

    def __init__(self) -> None:
        self.x: list[tuple[float, float]] = []
        self.y: list[tuple[float, float]] = []

    def setXRange(self, a, b, padding=None):
        self.x.append((a, b))

    def setYRange(self, a, b, padding=None):
        self.y.append((a, b))


def test_stepped_range_changes_the_view_only_when_data_leave_it():
    plot = RecordingPlot()
    stepped = SteppedRange(plot)
    assert stepped.cover(0.0, 10.0, 1.0, 2.0, log=False)
    assert plot.x == [(0.0, 16.0)]  # 1.5× the extent, + 1
    assert plot.y == [(1.0 - 0.05, 2.0 + 0.25)]
    assert not stepped.cover(0.0, 15.0, 1.2, 2.1, log=False)  # inside: nothing set
    assert len(plot.x) == 1 and len(plot.y) == 1
    assert stepped.cover(0.0, 17.0, 1.2, 2.1, log=False)
    assert plot.x[-1] == (0.0, 26.5) and len(plot.y) == 1
    assert stepped.cover(0.0, 17.0, 0.5, 2.1, log=False)  # lower than the view
    assert plot.y[-1][0] < 0.5


def test_stepped_range_on_a_log_axis_sets_logarithms_and_skips_non_finite():
    plot = RecordingPlot()
    stepped = SteppedRange(plot)
    stepped.cover(0.0, 4.0, 1e-3, 1.0, log=True)
    low, high = plot.y[-1]
    assert math.isclose(low, math.log10(5e-4)) and math.isclose(high, math.log10(2.0))
    stepped.reset()
    stepped.cover(0.0, 4.0, math.inf, -math.inf, log=True)  # no finite data yet
    assert len(plot.y) == 1 and len(plot.x) == 2


def _chunk(start: int, norms: np.ndarray) -> Chunk:
    n = norms.shape[0]
    return Chunk(start, np.ones(n), norms, [], [], start + n, None, 0.1)


def test_inside_plot_redraws_only_new_points_and_keeps_them_in_view(qtbot):
    inside = InsidePlot()
    qtbot.addWidget(inside)
    inside.resize(500, 400)
    inside.show()
    inside.start(2, [])
    assert inside.due()  # the fresh curves
    inside.redraw()
    assert not inside.due()  # nothing new since
    norms = np.column_stack([np.linspace(1, 2, 100), np.linspace(1e-4, 1e-3, 100)])
    inside.add_chunk(_chunk(0, norms))
    inside._next_redraw = 0.0  # the paint budget spent: only new points decide
    assert inside.due()
    inside.redraw()
    assert not inside.due()
    (x0, x1), (y0, y1) = inside.norm_plot.plotItem.vb.viewRange()
    assert x0 <= 0 and x1 >= 99
    assert y0 <= math.log10(1e-4) and y1 >= math.log10(2.0)  # log axis
    assert not inside.norm_plot.plotItem.vb.autoRangeEnabled()[0]
    _, y = inside.norm_items[1].getOriginalDataset()
    np.testing.assert_array_equal(y, norms[:, 1])
    inside.fit()
    assert inside.norm_plot.plotItem.vb.autoRangeEnabled()[0]


def _legend_names(plot) -> list[str]:
    return [label.text for _, label in plot.plotItem.legend.items]


def test_the_stepped_curve_is_in_the_legend_only_with_points(window):
    window.new_from_example("xor")
    plot = window.error_plot.ensure_plot()
    assert window.session.losses == {}
    assert "stepped" not in _legend_names(plot)
    window.actionIterate.trigger()
    assert window.session.losses  # the iteration's loss was recorded
    assert _legend_names(plot).count("stepped") == 1
    window.actionIterate.trigger()
    assert _legend_names(plot).count("stepped") == 1  # once, however many points
    window.new_from_example("xor")
    assert "stepped" not in _legend_names(plot)


def test_plot_axes_read_in_the_values_own_units(window):
    # pyqtgraph would label a loss of 0.0066 as 6.6 with "(x0.001)" beside the axis
    window.boundary_dock.show()
    window.decision_boundary.ensure_plot()
    window.inside_plot.ensure_plots()
    for plot in (
        window.error_plot.ensure_plot(),
        window.inside_plot.norm_plot,
        window.inside_plot.traj_plot,
        window.decision_boundary.plot,
    ):
        for side in ("left", "bottom"):
            assert plot.getAxis(side).autoSIPrefix is False


def test_a_run_paints_each_live_plot_once_per_redraw_inside_the_gate(window, qtbot):
    """Left to Qt, every redraw's data change scheduled a second paint of the plot a moment
    later, outside the paint gate (twice the cost, in the training worker's way)."""
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QGraphicsView

    window.new_from_example("circle")
    plot = window.error_plot.ensure_plot()
    window.plot_dock.raise_()

    class Paints(QObject):
        gated = ungated = 0

        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Paint and window.training.running:
                if window.training.gate.is_set():
                    Paints.ungated += 1
                else:
                    Paints.gated += 1
            return False

    paints = Paints()
    plot.viewport().installEventFilter(paints)
    manual = QGraphicsView.ViewportUpdateMode.NoViewportUpdate
    redraws = window.error_plot.redraws
    with qtbot.waitSignal(window.training.runFinished, timeout=60_000):
        window.train(iterations=25_000)
        assert plot.viewportUpdateMode() == manual
    assert plot.viewportUpdateMode() != manual  # after the run, Qt paints as usual again
    done = window.error_plot.redraws - redraws
    assert done >= 2 and Paints.gated >= done - 1
    assert Paints.ungated <= 1  # at most the run's first paint


def test_a_paused_run_lets_the_plots_repaint_as_usual(window, qtbot):
    from PySide6.QtWidgets import QGraphicsView

    window.new_from_example("circle")
    plot = window.error_plot.ensure_plot()
    manual = QGraphicsView.ViewportUpdateMode.NoViewportUpdate
    with qtbot.waitSignal(window.training.runFinished, timeout=60_000):
        window.train(iterations=400_000)
        window.actionPause.trigger()
        assert window.training.paused and plot.viewportUpdateMode() != manual
        window.actionPause.trigger()
        assert plot.viewportUpdateMode() == manual
        window.actionStop.trigger()


def test_the_loss_view_follows_the_latest_run_and_all_runs_on_request(window, qtbot):
    """A diverged earlier run must not flatten the current one to a line at 0; "all runs"
    shows every run.  Iteration ticks are whole numbers."""
    from bpviewer.core.data.datasets import Dataset
    from bpviewer.core.engine.network import Network
    from bpviewer.core.files.project import Project
    from bpviewer.core.training.settings import TrainingSettings
    from bpviewer.core.training.training_run import Watch

    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (20, 2))
    t = x @ np.array([[1.5], [-2.0]]) + 0.3
    net = Network.init([2, 4, 1], ["tanh", "linear"], biases=True, seed=1)
    spec = {"inputs": x.tolist(), "targets": t.tolist()}
    s = window.session
    s.load(Project(net, TrainingSettings(loss="mse", learning_rate=2.0), spec, Dataset(x, t)))
    plot = window.error_plot
    plot.ensure_plot()
    s.train(iterations=100, watch=Watch(nan=False, growth=None))  # diverges
    s.undo()  # back to the start; the diverged run's curve stays, faded
    assert s.set_training(learning_rate=0.1)
    s.train(iterations=300)
    diverged, latest = plot.runs[0].high, plot.runs[-1].high
    assert diverged > 1000 * latest  # the premise: finite, but far above
    (_, _), (_, top) = plot.plot.plotItem.vb.viewRange()
    assert top < 2 * latest
    plot.all_box.setChecked(True)
    (_, _), (_, top) = plot.plot.plotItem.vb.viewRange()
    assert top >= 0.5 * diverged
    ticks = plot.plot.getAxis("bottom").tickValues(0.0, 3.0, 400)
    assert ticks and all(float(v).is_integer() for _, values in ticks for v in values)


def test_inside_the_network_has_short_tick_labels_and_aligned_x_axes(qtbot):
    inside = InsidePlot()
    qtbot.addWidget(inside)
    inside.ensure_plots()
    axis = inside.traj_plot.getAxis("left")
    assert axis.tickStrings([0.1901291800365, 0.19013], 1.0, 1e-5) == ["0.190129", "0.19013"]
    assert axis.width() == inside.norm_plot.getAxis("left").width()


def test_the_diagram_and_tables_show_the_run_as_it_goes(window, qtbot):
    """During a run the edges, the unit maps and the table shown follow the run's newest
    weights, read-only; at its end, the document's."""
    from PySide6.QtCore import Qt

    window.new_from_example("spiral")
    model = window.weight_tables.models[0]
    start = model.value(0, 0, "W")
    with qtbot.waitSignal(window.training.runFinished, timeout=60_000):
        run = window.train(iterations=10**7)
        qtbot.waitUntil(lambda: len(run.chunks) >= 8, timeout=10_000)  # past the interval
        window.actionPause.trigger()
        qtbot.wait(400)  # paused at a chunk's end: its parameters hold still
        window.run_view._live_drawn = (0.0, 0.0, -1)  # due now (the timer paces it by cost)
        window.run_view.redraw_live()
        live = window.session.live_network()
        shown = model.value(0, 0, "W")
        assert shown != start and shown == live.weights[0][0, 0]
        assert not model.flags(model.index(0, 0)) & Qt.ItemFlag.ItemIsEditable
        edge = next(e for e in window.network_view.edges if e.layer == 1)
        assert "w = " in edge.toolTip()
        assert "training" in window.network_view._banner.text()
        # a tab not shown until now catches up as it is brought to the front
        other = window.weight_tables.models[1]
        assert other.value(0, 0, "W") != live.weights[1][0, 0]
        window.weight_tables.tabs.setCurrentIndex(1)
        assert other.value(0, 0, "W") == live.weights[1][0, 0]
        window.actionStop.trigger()  # (from the pause)
    assert model.value(0, 0, "W") == window.session.network.weights[0][0, 0]


def test_the_loss_legend_sits_outside_the_data(window, qtbot):
    window.new_from_example("xor")
    plot = window.error_plot
    plot.ensure_plot()
    window.session.train(iterations=200)
    window.actionForward.trigger()  # a stepped point too
    window.plot_dock.raise_()
    qtbot.wait(50)
    item = plot.plot.getPlotItem()
    item.layout.activate()
    legend, box = item.legend, item.getViewBox()
    names = [label.text for _, label in legend.items]
    assert "stepped" in names and any(n.startswith("run 1") for n in names)
    assert not legend.sceneBoundingRect().intersects(box.sceneBoundingRect())
