"""What the window shows of a training run: it starts one with the Training panel's
settings, keeps Train / Pause / Stop in step with it, feeds the live plots (repainted only
inside the paint gate while the run goes), reports its end, and restores an iteration
clicked on the loss curve (through the session)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from bpviewer.gui.plots.plotting import manual_updates
from bpviewer.gui.visibility import seen

if TYPE_CHECKING:
    from bpviewer.gui.main_window import MainWindow

#: The decision boundary, the diagram and the tables are redrawn at most this often during
#: a run (seconds), and less often when a redraw costs more than PAINT_SHARE of the time.
BOUNDARY_SECONDS = 1.0
PAINT_SHARE = 0.02


class RunView:
    """Connects ``window``'s training controller to its actions and live plots."""

    def __init__(self, window: MainWindow) -> None:
        self._w = window
        self._live_drawn = (0.0, BOUNDARY_SECONDS, -1)  # when, the interval, chunks shown
        trainer = window.training
        trainer.runStarted.connect(self._on_run_started)
        trainer.chunkArrived.connect(self._on_chunk)
        trainer.runFinished.connect(self._on_run_finished)
        trainer.progressChanged.connect(self._on_progress)
        window.error_plot.pointClicked.connect(self._on_point_clicked)
        window.error_plot.timer.timeout.connect(self.redraw_live)
        window.error_plot.gate = trainer.gate

    def train(self, **overrides):
        """Start a run with the Training panel's settings (keyword arguments override
        them); the run, or None when one is already going or the input is bad."""
        w = self._w
        args = w.training_panel.run_arguments()
        if args is None:
            return None
        args.update(overrides)
        net = w.session.network
        track = [
            (net.flat_index(kind, layer, row, col), label)
            for kind, layer, row, col, label in w.weight_tables.selected_parameters()[:6]
        ]
        # every chunk sends its parameters: the diagram, tables and boundary show them live
        return w.training.start(track=track, snapshot_params=True, **args)

    def redraw_live(self) -> None:
        """The decision boundary and Inside the network during a run, inside the gate."""
        w = self._w
        gate = w.training.gate
        now = time.perf_counter()
        run = w.session.current_run
        when, interval, shown = self._live_drawn
        if run is not None and len(run.chunks) != shown and now - when > interval:
            network = w.session.live_network()
            if network is not None:
                gate.close()
                try:
                    w.network_view.show_live(network)
                    w.weight_tables.show_live(network)
                    views = [w.network_view.viewport()]
                    table = w.weight_tables.tabs.currentWidget()
                    if table is not None:
                        views.append(table.viewport())
                    if seen(w.confusion_view):
                        w.confusion_view.show_network(network)
                        views.append(w.confusion_view.table.viewport())
                    if seen(w.decision_boundary):
                        w.decision_boundary.refresh(network, image_only=True)
                        views.append(w.decision_boundary.plot.viewport())
                    for view in views:  # painted now, while the worker waits at the gate
                        if seen(view):
                            view.repaint()
                finally:
                    gate.open()
                cost = time.perf_counter() - now
                self._live_drawn = (now, max(BOUNDARY_SECONDS, cost / PAINT_SHARE), len(run.chunks))
        if seen(w.inside_plot) and w.inside_plot.due():
            gate.close()
            try:
                w.inside_plot.redraw()
            finally:
                gate.open()

    def toggle_pause(self) -> None:
        """Pause a run, or resume it."""
        w = self._w
        if w.training.paused:
            w.training.resume()
            w.actionPause.setText("&Pause")
        else:
            w.training.pause()
            w.actionPause.setText("&Resume")
        for plot in self.live_plots():  # paused: zoom and pan repaint as usual
            manual_updates(plot, not w.training.paused)

    def update_actions(self) -> None:
        """Train while no run goes; Pause and Stop while one does."""
        w = self._w
        running = w.training.running
        for action, enabled, why in (
            (w.actionTrain, not running, "a run is going (Stop it first)"),
            (w.actionPause, running, "no run is going"),
            (w.actionStop, running, "no run is going"),
        ):
            action.setEnabled(enabled)
            base = action.property("baseTip")
            action.setToolTip(base if enabled else f"{base} — not now: {why}")

    def live_plots(self) -> list:
        """The plots a training run repaints itself (those created so far)."""
        w = self._w
        plots = [w.error_plot.plot, w.decision_boundary.plot]
        plots += [w.inside_plot.norm_plot, w.inside_plot.traj_plot]
        return [p for p in plots if p is not None]

    def _on_run_started(self, run) -> None:
        w = self._w
        self._live_drawn = (time.perf_counter(), BOUNDARY_SECONDS, -1)
        w.inside_plot.start(w.session.network.n_layers, w.training.tracked_labels)
        for plot in self.live_plots():  # repainted by the redraws only, inside the gate
            manual_updates(plot, True)
        w.training_panel.verdict.setText("")
        self.update_actions()

    def _on_chunk(self, run, chunk) -> None:
        self._w.inside_plot.add_chunk(chunk)

    def _on_run_finished(self, run) -> None:
        w = self._w
        w.inside_plot.redraw()  # complete when it is next shown
        w.inside_plot.fit()
        for plot in self.live_plots():
            manual_updates(plot, False)
        self.update_actions()
        w.actionPause.setText("&Pause")
        result = run.result
        if result is not None and result.trip is not None:
            w.training_panel.verdict.setText(result.trip.message)
            w.training_dock.raise_()  # the whole advice, in view
            w.training_panel.ensure_verdict_visible()

    def _on_progress(self, text: str) -> None:
        """A running run's progress takes the permanent field (the left keeps messages,
        such as why a change was refused); its end is a message."""
        w = self._w
        if w.training.running:
            w.status_label.setText(f"{text} · Shift+F5 stops")
        else:
            w.statusBar().showMessage(text, 15000)
            w.status_label.setText(w.session.status_text())

    def _on_point_clicked(self, run, iteration: int) -> None:
        if self._w.session.rewind(run, iteration):
            self._w.statusBar().showMessage(
                f"restored the parameters of iteration {iteration} "
                "(before its update); Undo takes them back",
                8000,
            )
