"""bpviewer's main window: the diagram in the centre, docks around it, every action in a
menu, on the toolbar where it matters, and on a key."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from PySide6.QtCore import QByteArray, QEvent, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressDialog,
    QScrollArea,
    QToolBar,
    QWidget,
)

from bpviewer import __version__
from bpviewer.core.atomic import write_atomic
from bpviewer.core.errors import BpviewerError
from bpviewer.core.examples import EXAMPLES, example_names, load_example
from bpviewer.core.export import trace_terms, values_csv, values_json
from bpviewer.core.paths import resource_path
from bpviewer.core.project import load_project
from bpviewer.gui.data_panel import DataPanel
from bpviewer.gui.decision_boundary import DecisionBoundary
from bpviewer.gui.error_plot import ErrorPlot
from bpviewer.gui.explain_panel import MAX_TERMS, ExplainPanel
from bpviewer.gui.hyperparameters_panel import HyperparametersPanel
from bpviewer.gui.network_editor import NetworkEditor
from bpviewer.gui.network_view import NetworkView
from bpviewer.gui.plotting import manual_updates
from bpviewer.gui.prompter import Prompter
from bpviewer.gui.recovery import Recovery
from bpviewer.gui.recovery import leftovers as recovery_leftovers
from bpviewer.gui.sample_editor import SampleEditor
from bpviewer.gui.session import ALL, BUSY, Change, Session
from bpviewer.gui.settings import add_recent_file, app_settings, recent_files
from bpviewer.gui.training_controller import TrainingController
from bpviewer.gui.training_panel import InsidePlot, TrainingPanel
from bpviewer.gui.values_panel import ValuesPanel
from bpviewer.gui.weight_tables import WeightTables

#: A trace export writing more terms than this asks whether to shorten long sums first.
LARGE_TRACE_TERMS = 200_000
#: The decision boundary is redrawn at most this often during a run (seconds).
BOUNDARY_SECONDS = 0.5
#: Gradient checks of bigger networks use this many parameters, drawn at random.
GRADCHECK_MAX = 400


class MainWindow(QMainWindow):
    """The step-through window; always opens on the seed example (``open_project`` loads a
    file).  Layout is restored from settings, never a project."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.prompter = Prompter(self)
        self.session = Session(parent=self)
        self.setWindowIcon(QIcon(str(resource_path("bpviewer.svg"))))
        self.resize(1400, 900)

        self.network_view = NetworkView(self.session)
        self.setCentralWidget(self.network_view)
        self.weight_tables = WeightTables(self.session)
        self.sample_editor = SampleEditor(self.session)
        self.explain_panel = ExplainPanel(self.session)
        self.values_panel = ValuesPanel(self.session)
        self.error_plot = ErrorPlot(self.session)
        self.training_panel = TrainingPanel(self.session)
        self.inside_plot = InsidePlot()
        self.trainer = TrainingController(self.session, self)
        self.recovery = Recovery(self.session, parent=self)
        self.setAcceptDrops(True)  # a project or CSV file dropped on the window opens
        self.data_panel = DataPanel(self.session, self.prompter)
        self.hyperparameters_panel = HyperparametersPanel(self.session)
        self.network_editor = NetworkEditor(self.session)
        self.decision_boundary = DecisionBoundary(self.session)
        self._boundary_drawn = 0.0
        self._build_docks()
        self._build_actions()
        self._build_toolbar()
        self._build_menus()
        self.training_panel.add_controls([self.actionTrain, self.actionPause, self.actionStop])
        self._update_run_actions()
        self.status_label = QLabel()
        self.status_label.setObjectName("stepStatus")
        self.statusBar().addPermanentWidget(self.status_label)  # messages keep the left side

        s = self.session
        s.changed.connect(self._on_changed)
        s.messageIssued.connect(self._on_message)
        s.dirtyChanged.connect(self._update_title)
        s.undo_stack.indexChanged.connect(self._update_undo_actions)
        self.network_view.edgeClicked.connect(self._on_edge_clicked)
        self.trainer.runStarted.connect(self._on_run_started)
        self.trainer.chunkArrived.connect(self._on_chunk)
        self.trainer.runFinished.connect(self._on_run_finished)
        self.trainer.progressChanged.connect(self._on_training_progress)
        self.error_plot.pointClicked.connect(self._on_point_clicked)
        self.error_plot.timer.timeout.connect(self._redraw_inside)
        self.error_plot.gate = self.trainer.gate
        self._docks_arranged = False
        self._on_changed(ALL)
        self._update_title()
        # pyqtgraph (about a second to import) is loaded after the first paint, not before
        self._painted = False
        self.installEventFilter(self)

    def showEvent(self, event) -> None:
        if not self._docks_arranged:
            self._docks_arranged = True
            self._tabify_groups()
            self._default_state = self.saveState()  # for View → Reset layout
            self._restore_layout()
        super().showEvent(event)

    def docks(self) -> list[QDockWidget]:
        """Every panel, in the order the View menu lists them."""
        return [
            self.weights_dock,
            self.sample_dock,
            self.explain_dock,
            self.values_dock,
            self.plot_dock,
            self.inside_dock,
            self.boundary_dock,
            self.training_dock,
            self.data_dock,
            self.hyper_dock,
            self.network_dock,
        ]

    def reset_layout(self) -> None:
        """View → Reset layout: every panel where the first start put it."""
        state = getattr(self, "_default_state", None)
        if state is not None:
            self.restoreState(state)
            self.toolbar.show()
            self.statusBar().showMessage("layout reset", 3000)

    def eventFilter(self, watched, event) -> bool:
        if watched is self and not self._painted and event.type() == QEvent.Type.Paint:
            self._painted = True
            self.removeEventFilter(self)
            # a child timer, not QTimer.singleShot(ms, callable): it dies with the window,
            # so a window closed within the 30 ms never fires into deleted objects
            self._plot_timer = QTimer(self)
            self._plot_timer.setSingleShot(True)
            self._plot_timer.timeout.connect(self.error_plot.ensure_plot)
            self._plot_timer.start(30)
        return super().eventFilter(watched, event)

    # ------------------------------------------------------------------ building
    def _dock(
        self, title: str, name: str, widget: QWidget, area=None, scroll: bool = False
    ) -> QDockWidget:
        """A dock; added to ``area`` now, or left for tabifying into another dock."""
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        if scroll:  # tall panels scroll rather than force the window taller
            area_widget = QScrollArea()
            area_widget.setWidgetResizable(True)
            area_widget.setFrameShape(QScrollArea.Shape.NoFrame)
            area_widget.setWidget(widget)
            widget = area_widget
        dock.setWidget(widget)
        if area is not None:
            self.addDockWidget(area, dock)
        return dock

    def _build_docks(self) -> None:
        right, bottom = (
            Qt.DockWidgetArea.RightDockWidgetArea,
            Qt.DockWidgetArea.BottomDockWidgetArea,
        )
        # the step-through layout a first-time user sees; the rest tab beside it
        self.weights_dock = self._dock("Weights", "weightsDock", self.weight_tables, right)
        self.explain_dock = self._dock("Explain", "explainDock", self.explain_panel, bottom)
        self.sample_dock = self._dock("Sample", "sampleDock", self.sample_editor)
        self.splitDockWidget(self.weights_dock, self.sample_dock, Qt.Orientation.Vertical)
        self.plot_dock = self._dock("Loss", "lossDock", self.error_plot)
        self.splitDockWidget(self.explain_dock, self.plot_dock, Qt.Orientation.Horizontal)
        self.values_dock = self._dock("Values", "valuesDock", self.values_panel)
        self.inside_dock = self._dock("Inside the network", "insideDock", self.inside_plot)
        self.boundary_dock = self._dock("Decision boundary", "decisionDock", self.decision_boundary)
        self.training_dock = self._dock(
            "Training", "trainingDock", self.training_panel, scroll=True
        )
        self.data_dock = self._dock("Data", "dataDock", self.data_panel, scroll=True)
        self.hyper_dock = self._dock(
            "Hyperparameters", "hyperparametersDock", self.hyperparameters_panel, scroll=True
        )
        self.network_dock = self._dock("Network", "networkDock", self.network_editor, scroll=True)
        placed = (self.weights_dock, self.explain_dock, self.sample_dock, self.plot_dock)
        for dock in (d for d in self.docks() if d not in placed):
            self.addDockWidget(
                right
                if dock in (self.training_dock, self.data_dock, self.hyper_dock, self.network_dock)
                else bottom,
                dock,
            )
            dock.hide()  # tabbed in at the first show (see _tabify_groups)
        self.resizeDocks([self.weights_dock], [520], Qt.Orientation.Horizontal)
        self.resizeDocks([self.explain_dock], [300], Qt.Orientation.Vertical)

    def _tabify_groups(self) -> None:
        """Tab the secondary docks beside the step-through ones.  Done at the first show:
        tabifying before it leaves each group's intermediate tab bars on screen (Qt 6.11)."""
        for head, others in (
            (self.explain_dock, [self.values_dock]),
            (self.plot_dock, [self.inside_dock, self.boundary_dock]),
            (
                self.sample_dock,
                [self.training_dock, self.data_dock, self.hyper_dock, self.network_dock],
            ),
        ):
            for dock in others:
                dock.show()
                self.tabifyDockWidget(head, dock)
        self.explain_dock.raise_()
        self.plot_dock.raise_()
        self.sample_dock.raise_()
        # the tabbed panels (data, hyperparameters, …) need room: share the right column
        self.resizeDocks([self.weights_dock, self.sample_dock], [420, 380], Qt.Orientation.Vertical)

    def _action(
        self, name: str, text: str, slot, shortcut=None, tip: str = "", icon: str | None = None
    ) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.setStatusTip(tip)
        keys = (
            f" ({action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})"
            if shortcut
            else ""
        )
        action.setToolTip(f"{tip}{keys}" if tip else text)
        action.setProperty("baseTip", action.toolTip())
        if icon:
            action.setIcon(self.style().standardIcon(getattr(self.style().StandardPixmap, icon)))
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        a = self._action
        self.actionForward = a(
            "actionForward",
            "&Forward",
            self._forward,
            "Ctrl+1",
            "Run the forward pass and the loss",
            "SP_ArrowRight",
        )
        self.actionBackward = a(
            "actionBackward",
            "&Backward",
            self._backward,
            "Ctrl+2",
            "Run the backward pass: error terms, gradients and ΔW",
            "SP_ArrowLeft",
        )
        self.actionApplyUpdate = a(
            "actionApplyUpdate",
            "Apply &update",
            self._update,
            "Ctrl+3",
            "Add ΔW to the weights",
            "SP_DialogApplyButton",
        )
        self.actionStep = a(
            "actionStep",
            "&Step",
            self._step,
            "F10",
            "Run the next sub-step (one layer, the loss, or the update)",
            "SP_MediaSeekForward",
        )
        self.actionPhase = a(
            "actionPhase",
            "Run &phase",
            self._phase,
            "Shift+F10",
            "Run the rest of the current phase",
        )
        self.actionIterate = a(
            "actionIterate",
            "&Iterate",
            self._iterate,
            "Ctrl+Return",
            "Forward, backward and update, then move to the next sample",
            "SP_MediaSkipForward",
        )
        self.actionTrain = a(
            "actionTrain",
            "&Train",
            self.train,
            "F5",
            "Train in the background, with the loss plotted live",
            "SP_MediaPlay",
        )
        self.actionPause = a(
            "actionPause",
            "&Pause",
            self._toggle_pause,
            "F6",
            "Pause or resume the training run",
            "SP_MediaPause",
        )
        self.actionStop = a(
            "actionStop",
            "St&op",
            self.trainer.stop,
            "Shift+F5",
            "Stop the run; the network keeps the last iteration's parameters",
            "SP_MediaStop",
        )
        self.actionUndo = a(
            "actionUndo",
            "&Undo",
            self.session.undo,
            QKeySequence.StandardKey.Undo,
            "Undo the last step or change",
            "SP_ArrowBack",
        )
        self.actionRedo = a(
            "actionRedo",
            "&Redo",
            self.session.redo,
            None,
            "Redo what was undone",
            "SP_ArrowForward",
        )
        self.actionRedo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.actionReset = a(
            "actionReset",
            "&Reset weights",
            self.session.reset,
            "Ctrl+Shift+R",
            "Put back the weights the project started with (undoable)",
        )
        self.actionGradCheck = a(
            "actionGradCheck",
            "&Gradient check…",
            self.gradient_check,
            "Ctrl+G",
            "Compare the analytic gradients with central differences",
        )
        self.actionNew = a(
            "actionNew",
            "&New from example",
            self._new_default,
            "Ctrl+N",
            "Start again from the seed example",
        )
        self.actionOpen = a(
            "actionOpen", "&Open…", self._open, QKeySequence.StandardKey.Open, "Open a project file"
        )
        self.actionSave = a(
            "actionSave", "&Save", self.save, QKeySequence.StandardKey.Save, "Save the project"
        )
        self.actionSaveAs = a(
            "actionSaveAs",
            "Save &as…",
            self.save_as,
            "Ctrl+Shift+S",
            "Save the project under a new name",
        )
        self.actionExportMarkdown = a(
            "actionExportMarkdown",
            "Trace as &Markdown…",
            self._export_markdown,
            None,
            "The formulas of the last step, with LaTeX math",
        )
        self.actionExportCsv = a(
            "actionExportCsv",
            "Values as &CSV…",
            self._export_csv,
            None,
            "Every value of the current iteration",
        )
        self.actionExportJson = a(
            "actionExportJson",
            "Values as &JSON…",
            self._export_json,
            None,
            "Every value of the current iteration",
        )
        self.actionExportCurves = a(
            "actionExportCurves",
            "Loss curves as CSV…",
            self._export_curves,
            None,
            "Every loss curve (stepped iterations and training runs) as CSV",
        )
        self.actionExportPlot = a(
            "actionExportPlot",
            "Loss plot as PNG/SVG…",
            self._export_plot,
            None,
            "The loss plot as an image",
        )
        self.actionCopyFormulas = a(
            "actionCopyFormulas",
            "&Copy formulas",
            self.explain_panel.copy_all,
            "Ctrl+Shift+C",
            "Copy the formulas in the Explain panel",
        )
        self.actionNewNetwork = a(
            "actionNewNetwork",
            "New &network…",
            self._new_network,
            "Ctrl+Shift+N",
            "A new network: layer sizes, activations, loss and biases",
        )
        self.actionCheckCode = a(
            "actionCheckCode",
            "Chec&k my code…",
            self._check_code,
            "Ctrl+K",
            "Run a backprop script written in the exercise's names and find its first wrong number",
        )
        quit_keys = QKeySequence(QKeySequence.StandardKey.Quit)  # empty on some platforms
        self.actionQuit = a(
            "actionQuit",
            "&Quit",
            self.close,
            quit_keys if not quit_keys.isEmpty() else "Ctrl+Q",
            "Close bpviewer",
        )
        self.actionZoomIn = a(
            "actionZoomIn",
            "Zoom &in",
            lambda: self.network_view.zoom(1.25),
            QKeySequence.StandardKey.ZoomIn,
            "Zoom into the diagram",
        )
        self.actionZoomOut = a(
            "actionZoomOut",
            "Zoom &out",
            lambda: self.network_view.zoom(0.8),
            QKeySequence.StandardKey.ZoomOut,
            "Zoom out of the diagram",
        )
        self.actionFit = a(
            "actionFit",
            "&Fit diagram",
            self.network_view.reset_zoom,
            "Ctrl+0",
            "Fit the whole network in the view",
        )
        self.actionResetLayout = a(
            "actionResetLayout",
            "&Reset layout",
            self.reset_layout,
            None,
            "Put every panel back where it was at the first start",
        )
        self.actionShortcuts = a(
            "actionShortcuts",
            "&Keyboard shortcuts",
            self.show_shortcuts,
            "F1",
            "Every command that has a key",
        )
        self.actionAbout = a(
            "actionAbout",
            "&About bpviewer",
            self.about,
            None,
            "Versions of bpviewer and its libraries",
        )
        self.mode_actions = {}
        for mode, text, key in (
            ("W", "Show &W", "Ctrl+Shift+1"),
            ("grad", "Show ∂E/∂&W", "Ctrl+Shift+2"),
            ("delta", "Show &ΔW", "Ctrl+Shift+3"),
        ):
            act = a(
                f"actionShow_{mode}",
                text,
                lambda _=False, m=mode: self.weight_tables.set_mode(m),
                key,
                f"Show {text.replace('&', '')[5:]} in the weight tables",
            )
            self.mode_actions[mode] = act

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file = bar.addMenu("&File")
        new = self.new_menu = file.addMenu("New from e&xample")
        for name in example_names():
            act = new.addAction(f"{name}: {EXAMPLES[name]['description']}")
            act.setObjectName(f"actionExample_{name}")
            act.triggered.connect(lambda _=False, n=name: self.new_from_example(n))
        file.addAction(self.actionNewNetwork)
        file.addAction(self.actionOpen)
        self.recent_menu = file.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        file.addAction(self.actionSave)
        file.addAction(self.actionSaveAs)
        file.addSeparator()
        file.addAction(self.actionCheckCode)
        export = file.addMenu("&Export")
        for act in (
            self.actionExportMarkdown,
            self.actionExportCsv,
            self.actionExportJson,
            self.actionExportCurves,
            self.actionExportPlot,
        ):
            export.addAction(act)
        file.addSeparator()
        file.addAction(self.actionQuit)
        edit = bar.addMenu("&Edit")
        for act in (
            self.actionUndo,
            self.actionRedo,
            None,
            self.actionCopyFormulas,
            self.actionReset,
        ):
            edit.addSeparator() if act is None else edit.addAction(act)
        step = bar.addMenu("&Step")
        for act in (
            self.actionForward,
            self.actionBackward,
            self.actionApplyUpdate,
            None,
            self.actionStep,
            self.actionPhase,
            self.actionIterate,
        ):
            step.addSeparator() if act is None else step.addAction(act)
        self.train_menu = bar.addMenu("&Train")
        for act in (
            self.actionTrain,
            self.actionPause,
            self.actionStop,
            None,
            self.actionGradCheck,
        ):
            self.train_menu.addSeparator() if act is None else self.train_menu.addAction(act)
        view = bar.addMenu("&View")
        for act in self.mode_actions.values():
            view.addAction(act)
        view.addSeparator()
        for act in (self.actionZoomIn, self.actionZoomOut, self.actionFit):
            view.addAction(act)
        view.addSeparator()
        panels = view.addMenu("&Panels")
        for dock in self.docks():
            panels.addAction(dock.toggleViewAction())
        panels.addSeparator()
        panels.addAction(self.toolbar.toggleViewAction())
        view.addAction(self.actionResetLayout)
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.actionShortcuts)
        help_menu.addAction(self.actionAbout)

    def _build_toolbar(self) -> None:
        bar = QToolBar("Toolbar")
        bar.setObjectName("stepToolBar")
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for act in (
            self.actionForward,
            self.actionBackward,
            self.actionApplyUpdate,
            None,
            self.actionStep,
            self.actionIterate,
            None,
            self.actionTrain,
            self.actionStop,
            None,
            self.actionUndo,
            self.actionRedo,
        ):
            bar.addSeparator() if act is None else bar.addAction(act)
        self.addToolBar(bar)
        self.toolbar = bar

    # ------------------------------------------------------------------ state
    def _on_changed(self, what: Change) -> None:
        if what & (Change.DOCUMENT | Change.BUSY):
            self._update_title()
            self._update_run_actions()
        if what & ~Change.PROGRESS:
            self._update_step_actions()
            self._update_undo_actions()

    def _update_undo_actions(self, *_) -> None:
        """Undo and Redo name what they undo; neither while a run goes."""
        stack, busy = self.session.undo_stack, self.session.busy
        for action, can, text, verb in (
            (self.actionUndo, stack.canUndo(), stack.undoText(), "&Undo"),
            (self.actionRedo, stack.canRedo(), stack.redoText(), "&Redo"),
        ):
            action.setEnabled(can and not busy)
            action.setText(f"{verb} {text}" if can else verb)
            base = action.property("baseTip")
            action.setToolTip(f"{base} — not now: {BUSY}" if can and busy else base)

    def _update_step_actions(self) -> None:
        s = self.session
        for action, phase in (
            (self.actionForward, "forward"),
            (self.actionBackward, "backward"),
            (self.actionApplyUpdate, "update"),
        ):
            enabled = s.can_run(phase)
            action.setEnabled(enabled)
            why = s.why_not(phase)
            base = action.property("baseTip")
            action.setToolTip(base if enabled else f"{base} — not now: {why}")
        idle = not s.busy
        for action in (
            self.actionStep,
            self.actionPhase,
            self.actionIterate,
            self.actionReset,
            self.actionGradCheck,
            self.actionNewNetwork,
            self.actionOpen,
        ):
            action.setEnabled(idle)
        self.actionCheckCode.setEnabled(idle and getattr(self, "_check_runner", None) is None)
        self.new_menu.setEnabled(idle)
        self.recent_menu.setEnabled(idle)
        nxt = s.machine.next_sub_step
        self.actionStep.setToolTip(
            f"{self.actionStep.property('baseTip')} — next: {nxt.describe(s.machine.n_layers)}"
        )
        self.status_label.setText(s.status_text())

    def _on_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    def _update_title(self, *_) -> None:
        p = self.session.project
        name = p.path.name if p.path else (p.name or "untitled")
        self.setWindowTitle(f"{name}[*] — bpviewer")
        self.setWindowModified(self.session.dirty)

    def _on_edge_clicked(self, layer: int, row: int, col: int) -> None:
        self.weight_tables.select("w", layer, row, col)
        self.weights_dock.raise_()

    # ------------------------------------------------------------------ stepping
    def _forward(self) -> None:
        self.session.run_phase("forward")

    def _backward(self) -> None:
        self.session.run_phase("backward")

    def _update(self) -> None:
        self.session.run_phase("update")

    def _step(self) -> None:
        self.session.step()

    def _phase(self) -> None:
        self.session.run_phase_rest()

    def _iterate(self) -> None:
        self.session.iterate()

    def gradient_check(self):
        """Run a gradient check on the current batch and show the dialog (returned)."""
        from bpviewer.gui.gradcheck_dialog import GradCheckDialog

        s = self.session
        if s.busy:
            self._on_message(BUSY)
            return None
        n_params = sum(p.size for p in s.network.parameters())
        todo = min(n_params, GRADCHECK_MAX)
        progress = QProgressDialog("Checking gradients…", "", 0, todo, self)
        progress.setCancelButton(None)
        progress.setMinimumDuration(400)
        progress.setWindowModality(Qt.WindowModality.WindowModal)

        def tick(done: int, total: int) -> None:
            if done % 20 == 0:
                progress.setValue(done)
                QApplication.processEvents()

        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            result = s.gradient_check(tick, GRADCHECK_MAX)
        finally:
            QApplication.restoreOverrideCursor()
            progress.close()
        dialog = GradCheckDialog(result, s.network.n_layers, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        self.statusBar().showMessage(
            f"gradient check: largest relative error {result.max_relative_error:.2e} "
            f"({'passed' if result.passed else 'FAILED'})",
            10000,
        )
        return dialog

    # ------------------------------------------------------------------ files
    def _confirm_discard(self) -> bool:
        """True when it is fine to drop the current project (saved, discarded or clean)."""
        if not self.session.dirty:
            return True
        p = self.session.project
        answer = self.prompter.unsaved_changes(p.path.name if p.path else p.name or "The project")
        if answer == "save":
            return self.save()
        return answer == "discard"

    def offer_recovery(self) -> bool:
        """At start: offer back the unsaved work of a bpviewer that did not close (newest
        first). Restoring is one undo step on top of the file it came from; returns
        whether a project was restored."""
        from datetime import datetime

        for left in recovery_leftovers():
            when = datetime.fromtimestamp(left.written).strftime("%Y-%m-%d %H:%M")
            answer = self.prompter.recover(left.original, when)
            if answer == "later":
                continue
            if answer == "discard":
                left.discard()
                continue
            try:
                recovered = load_project(left.path)
            except BpviewerError as exc:
                self.prompter.error("Cannot restore", str(exc))
                continue
            original = Path(left.original) if left.original else None
            if original is not None and original.is_file() and self._confirm_discard():
                if not self.open_project(original):
                    continue
            elif not self._confirm_discard():
                continue
            recovered.path = original
            self.session.replace_project(recovered, "Restore unsaved changes")
            left.discard()
            self.statusBar().showMessage(f"restored the unsaved changes of {when}", 10000)
            return True
        return False

    def _idle(self) -> bool:
        """Whether the document may be replaced now (no run going); says why not."""
        if self.session.busy:
            self._on_message(BUSY)
            return False
        return True

    def new_from_example(self, name: str) -> None:
        """Replace the project with a built-in example (a new document)."""
        if self._idle() and self._confirm_discard():
            self.session.load(load_example(name))

    def _new_network(self) -> None:
        from bpviewer.gui.new_network_dialog import NewNetworkDialog

        if not self._idle():
            return
        dialog = NewNetworkDialog(self.session.project, self)
        if dialog.exec() and dialog.project is not None and self._confirm_discard():
            self.session.load(dialog.project)

    def _new_default(self) -> None:
        self.new_from_example("seed")

    def open_project(self, path: str | Path) -> bool:
        """Load a project file; a broken file is refused with its name and the problem."""
        if not self._idle():
            return False
        try:
            self.session.open(path)
        except BpviewerError as exc:
            self.prompter.error("Cannot open project", str(exc))
            self.statusBar().showMessage(str(exc), 10000)
            return False
        add_recent_file(path)
        self.statusBar().showMessage(f"opened {path}", 5000)
        return True

    def _open(self) -> None:
        if not self._idle() or not self._confirm_discard():
            return
        path = self.prompter.open_file("Open project")
        if path:
            self.open_project(path)

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        files = recent_files()
        if not files:
            self.recent_menu.addAction("(none)").setEnabled(False)
        for f in files:
            act = self.recent_menu.addAction(f)
            act.triggered.connect(
                lambda _=False, p=f: (
                    self._idle() and self._confirm_discard() and self.open_project(p)
                )
            )

    def save(self) -> bool:
        """Save to the project's file (asks for a name the first time)."""
        if self.session.project.path is None:
            return self.save_as()
        return self._save_to(self.session.project.path)

    def save_as(self) -> bool:
        """Ask for a file name and save there."""
        suggestion = f"{self.session.project.name or 'project'}.json"
        path = self.prompter.save_file("Save project as", suggestion=suggestion)
        return bool(path) and self._save_to(Path(path))

    def _save_to(self, path: Path) -> bool:
        try:
            self.session.save(path)
        except (OSError, ValueError) as exc:
            self.prompter.error("Cannot save", f"{path}: {exc}")
            return False
        add_recent_file(path)
        self._update_title()
        self.statusBar().showMessage(f"saved {path}", 5000)
        return True

    def _export_text(self, caption: str, file_filter: str, suffix: str, text) -> None:
        """Ask for a file and write ``text`` (a string, or a function making it: called
        only once a file is chosen, under a wait cursor)."""
        path = self.prompter.save_file(
            caption, file_filter, f"{self.session.project.name or 'trace'}{suffix}"
        )
        if not path:
            return
        try:
            if callable(text):
                QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
                try:
                    text = text()
                finally:
                    QApplication.restoreOverrideCursor()
            write_atomic(path, text)
        except OSError as exc:
            self.prompter.error("Cannot export", f"{path}: {exc}")
            return
        self.statusBar().showMessage(f"wrote {path}", 5000)

    def _export_markdown(self) -> None:
        if not self.session.last_records:
            self.statusBar().showMessage("nothing to export yet: run a step first", 5000)
            return
        max_terms = None
        terms = trace_terms(self.session.last_records)
        if terms > LARGE_TRACE_TERMS:
            answer = self.prompter.large_export(terms)
            if answer == "cancel":
                return
            max_terms = MAX_TERMS if answer == "shorten" else None
        self._export_text(
            "Export trace as Markdown",
            "Markdown (*.md)",
            ".md",
            lambda: self.explain_panel.markdown(max_terms),
        )

    def _export_csv(self) -> None:
        self._export_text(
            "Export values as CSV", "CSV (*.csv)", ".csv", values_csv(self.session.machine)
        )

    def _export_json(self) -> None:
        self._export_text(
            "Export values as JSON", "JSON (*.json)", ".json", values_json(self.session.machine)
        )

    def _export_curves(self) -> None:
        self._export_text(
            "Export loss curves as CSV", "CSV (*.csv)", "-loss.csv", self.error_plot.curves_csv()
        )

    def _export_plot(self) -> None:
        plot = self.error_plot.ensure_plot()
        path = self.prompter.save_file(
            "Export loss plot", "PNG image (*.png);;SVG (*.svg)", "loss.png"
        )
        if not path:
            return
        import pyqtgraph.exporters as exporters

        exporter_cls = (
            exporters.SVGExporter if path.lower().endswith(".svg") else exporters.ImageExporter
        )
        exporter_cls(plot.plotItem).export(path)
        self.statusBar().showMessage(f"wrote {path}", 5000)

    # ------------------------------------------------------------------ training
    def train(self, **overrides):
        """Start a training run with the panel's settings (keyword arguments override them);
        returns the run, or None when one is already going or the input is bad."""
        args = self.training_panel.run_arguments()
        if args is None:
            return None
        args.update(overrides)
        boundary = self.decision_boundary.applicable() and self.boundary_dock.isVisible()
        return self.trainer.start(track=self._tracked_indices(), snapshot_params=boundary, **args)

    def _tracked_indices(self) -> list[tuple[int, str]]:
        """Flat parameter indices (and labels) of the selected weights, at most six."""
        net = self.session.network
        return [
            (net.flat_index(kind, layer, row, col), label)
            for kind, layer, row, col, label in self.weight_tables.selected_parameters()[:6]
        ]

    def _redraw_inside(self) -> None:
        now = time.perf_counter()
        run = self.session.current_run
        if (
            run is not None
            and run.latest_params is not None
            and self.decision_boundary.isVisible()
            and now - self._boundary_drawn > BOUNDARY_SECONDS
        ):
            self._boundary_drawn = now
            network = run.live_network()
            run.latest_params = None  # drawn: wait for the next chunk's
            self.trainer.gate.close()
            try:
                self.decision_boundary.refresh(network, image_only=True)
                self.decision_boundary.plot.viewport().repaint()
            finally:
                self.trainer.gate.open()
        if self.inside_plot.isVisible() and self.inside_plot.due():
            self.trainer.gate.close()
            try:
                self.inside_plot.redraw()
            finally:
                self.trainer.gate.open()

    def _toggle_pause(self) -> None:
        if self.trainer.paused:
            self.trainer.resume()
            self.actionPause.setText("&Pause")
        else:
            self.trainer.pause()
            self.actionPause.setText("&Resume")
        for plot in self._live_plots():  # paused: zoom and pan repaint as usual
            manual_updates(plot, not self.trainer.paused)

    def _update_run_actions(self) -> None:
        """Train while no run goes; Pause and Stop while one does."""
        running = self.trainer.running
        for action, enabled, why in (
            (self.actionTrain, not running, "a run is going (Stop it first)"),
            (self.actionPause, running, "no run is going"),
            (self.actionStop, running, "no run is going"),
        ):
            action.setEnabled(enabled)
            base = action.property("baseTip")
            action.setToolTip(base if enabled else f"{base} — not now: {why}")

    def _live_plots(self) -> list:
        """The plots a training run repaints itself (those created so far)."""
        plots = [self.error_plot.plot, self.decision_boundary.plot]
        plots += [self.inside_plot.norm_plot, self.inside_plot.traj_plot]
        return [p for p in plots if p is not None]

    def _on_run_started(self, run) -> None:
        self.inside_plot.start(self.session.network.n_layers, self.trainer.tracked_labels)
        for plot in self._live_plots():  # repainted by the redraws only, inside the gate
            manual_updates(plot, True)
        self.training_panel.verdict.setText("")
        self._update_run_actions()

    def _on_chunk(self, run, chunk) -> None:
        self.inside_plot.add_chunk(chunk)

    def _on_run_finished(self, run) -> None:
        self.inside_plot.redraw()  # complete when it is next shown
        self.inside_plot.fit()
        for plot in self._live_plots():
            manual_updates(plot, False)
        self._update_run_actions()
        self.actionPause.setText("&Pause")
        result = run.result
        if result is not None and result.trip is not None:
            self.training_panel.verdict.setText(result.trip.message)

    def _on_training_progress(self, text: str) -> None:
        self.statusBar().showMessage(text, 0 if self.trainer.running else 15000)

    def _on_point_clicked(self, run, iteration: int) -> None:
        if not self.session.rewind(run, iteration):
            return
        self.statusBar().showMessage(
            f"restored the parameters of iteration {iteration} "
            "(before its update); Undo takes them back",
            8000,
        )

    # ------------------------------------------------------------------ check my code
    def _check_code(self) -> None:
        path = self.prompter.open_file("Check my code", "Python scripts (*.py);;All files (*)")
        if path:
            self.check_code(path)

    def check_code(self, path: str, timeout: float = 10.0):
        """Check a learner's script in a worker thread; returns the runner (for tests)."""
        from bpviewer.gui.check_dialog import CheckRunner

        runner = CheckRunner(path, timeout, self)
        runner.finished.connect(self._on_check_finished)
        runner.failed.connect(self._on_check_failed)
        self._check_runner = runner
        self._update_step_actions()
        self.statusBar().showMessage(f"checking {path}…")
        runner.start()
        return runner

    def _on_check_failed(self, text: str) -> None:
        self._check_runner = None
        self._update_step_actions()
        self.statusBar().showMessage(text, 10000)
        self.prompter.error("Cannot check the script", text)

    def _on_check_finished(self, run, report) -> None:
        from bpviewer.gui.check_dialog import ReportDialog, marks_from_report, project_from_report

        runner, self._check_runner = self._check_runner, None
        self._update_step_actions()
        if self._idle() and self._confirm_discard():
            self.session.load(project_from_report(report, Path(run.path).stem))
            self.values_panel.set_marks(marks_from_report(report))
        verdict = (
            "all correct: Nice job!  That's right!"
            if report.ok
            else f"first wrong: {report.first_wrong}"
        )
        self.statusBar().showMessage(f"{run.path.name}: {verdict}", 15000)
        self.check_report = ReportDialog(f"Check: {run.path.name}", runner.text(run, report), self)
        self.check_report.show()

    # ------------------------------------------------------------------ help
    def about_text(self) -> str:
        """bpviewer's and its libraries' versions."""
        import sys

        import numpy
        import PySide6
        from PySide6.QtCore import qVersion

        try:
            import pyqtgraph

            pg = pyqtgraph.__version__
        except ImportError:  # pragma: no cover
            pg = "not installed"
        return (
            f"<h3>bpviewer {__version__}</h3><p>Backpropagation, one step at a time.</p>"
            f"<p>Python {sys.version.split()[0]}<br>Qt {qVersion()}<br>"
            f"PySide6 {PySide6.__version__}<br>NumPy {numpy.__version__}<br>"
            f"pyqtgraph {pg}</p>"
        )

    def about(self) -> None:
        """Help → About."""
        QMessageBox.about(self, "About bpviewer", self.about_text())

    def shortcut_rows(self) -> list[tuple[str, str, str]]:
        """(menu, command, keys) of every menu command that has a key, in menu order."""
        rows = []

        def walk(menu, path: str) -> None:
            for act in menu.actions():
                if act.menu() is not None:
                    walk(act.menu(), path)
                elif not act.isSeparator() and not act.shortcut().isEmpty():
                    keys = act.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
                    rows.append((path, act.text().replace("&", ""), keys))

        for top in self.menuBar().actions():
            walk(top.menu(), top.text().replace("&", ""))
        return rows

    def show_shortcuts(self) -> None:
        """Help → Keyboard shortcuts: a table made from the menus, so it is never stale."""
        rows = "".join(
            f"<tr><td>{menu}</td><td>{command}</td><td><b>{keys}</b></td></tr>"
            for menu, command, keys in self.shortcut_rows()
        )
        box = QMessageBox(self)
        box.setObjectName("shortcutsBox")
        box.setWindowTitle("Keyboard shortcuts")
        box.setTextFormat(Qt.TextFormat.RichText)
        box.setText(f"<table cellspacing=6>{rows}</table>")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.show()
        self.shortcuts_box = box

    # ------------------------------------------------------------------ layout and closing
    def _restore_layout(self) -> None:
        settings = app_settings()
        geometry = settings.value("window/geometry")
        state = settings.value("window/state")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        if isinstance(state, QByteArray):
            self.restoreState(state)

    def _save_layout(self) -> None:
        settings = app_settings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/state", self.saveState())

    # ------------------------------------------------------------------ drag and drop
    @staticmethod
    def _dropped_file(event) -> Path | None:
        """The one local .json or .csv file being dragged, if that is what it is."""
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        if len(urls) != 1 or not urls[0].isLocalFile():
            return None
        path = Path(urls[0].toLocalFile())
        return path if path.suffix.lower() in (".json", ".csv") else None

    def dragEnterEvent(self, event) -> None:
        if self._dropped_file(event) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        """A project file opens (asking about unsaved changes); a CSV file goes to the Data
        panel's import preview."""
        path = self._dropped_file(event)
        if path is None:
            return
        event.acceptProposedAction()
        if path.suffix.lower() == ".json":
            if self._idle() and self._confirm_discard():
                self.open_project(path)
        elif self.data_panel.load_csv(path):
            self.data_dock.show()
            self.data_dock.raise_()
            self.statusBar().showMessage(
                f"{path.name}: choose the columns, then Import (undoable)", 8000
            )

    def closeEvent(self, event: QCloseEvent) -> None:
        # a run going ends first, into the document, so that Save saves what it trained
        self.trainer.wait()
        if not self._confirm_discard():
            event.ignore()
            return
        if "superqt.utils" in sys.modules:  # a worker may have run: a check ends in its limit
            sys.modules["superqt.utils"].WorkerBase.await_workers(15_000)
        self._save_layout()
        self.recovery.discard()  # saved or given up: nothing left to recover
        event.accept()
