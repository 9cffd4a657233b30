"""bpviewer's main window: the diagram in the centre, the panels of :mod:`panels` around
it, the commands of :mod:`actions` in the menus, on the toolbar and on keys.

The window wires; it computes nothing.  The document is :class:`Session`; the file
commands, exports, training runs and the checker live in their own objects
(:class:`DocumentFiles`, :class:`Exports`, :class:`RunView`, :class:`CheckController`).
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QByteArray, QEvent, QTimer
from PySide6.QtGui import QCloseEvent, QGuiApplication, QIcon
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow, QMenu, QMessageBox, QWidget

from bpviewer.core.files.examples import EXAMPLES, example_names
from bpviewer.core.paths import resource_path
from bpviewer.gui import actions, docks, presentation
from bpviewer.gui.dialogs.check_dialog import CheckController
from bpviewer.gui.dialogs.prompter import Prompter
from bpviewer.gui.document_files import DocumentFiles
from bpviewer.gui.exports import Exports
from bpviewer.gui.plots.network_view import NetworkView
from bpviewer.gui.recovery import Recovery
from bpviewer.gui.run_view import RunView
from bpviewer.gui.session import ALL, BUSY, Change, Session
from bpviewer.gui.settings import app_settings, load_conventions, save_conventions
from bpviewer.gui.training_controller import TrainingController


class MainWindow(QMainWindow):
    """The step-through window; always opens on the seed example (``open_project`` loads a
    file).  Layout is restored from settings, never a project."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        presentation.restore()  # the remembered text size, before any widget is made
        self.prompter = Prompter(self)
        self.session = Session(parent=self)
        self.session.set_conventions(load_conventions())  # before any view draws
        self.setWindowIcon(QIcon(str(resource_path("bpviewer.svg"))))
        self._fit_to_screen(1400, 900)
        self.network_view = NetworkView(self.session)
        self.setCentralWidget(self.network_view)
        self._docks = docks.build_docks(self)
        self.training = TrainingController(self.session, self)
        self.recovery = Recovery(self.session, parent=self)
        self.files = DocumentFiles(self)
        self.exports = Exports(self)
        self.checker = CheckController(self)
        self.run_view = RunView(self)
        built = actions.build_actions(self)
        self.toolbar = actions.build_toolbar(self, built)
        self._build_menus(built)
        self.training_panel.add_controls([self.actionTrain, self.actionPause, self.actionStop])
        self.status_label = QLabel()
        self.status_label.setObjectName("stepStatus")
        self.statusBar().addPermanentWidget(self.status_label)  # messages keep the left side
        self.setAcceptDrops(True)  # a project or CSV file dropped on the window opens

        s = self.session
        s.changed.connect(self._on_changed)
        s.messageIssued.connect(lambda text: self.statusBar().showMessage(text, 8000))
        s.dirtyChanged.connect(self.update_title)
        s.undo_stack.indexChanged.connect(self._update_undo_actions)
        s.conventionsChanged.connect(self._on_conventions)
        self._check_conventions()
        self.network_view.edgeClicked.connect(self._on_edge_clicked)
        self.weight_tables.parameterSelected.connect(self.why_panel.show_parameter)
        self.why_panel.pathsChanged.connect(self.network_view.show_paths)
        self._docks_arranged = False
        self._on_changed(ALL)
        # pyqtgraph (about a second to import) is loaded after the first paint, not before
        self._painted = False
        self.installEventFilter(self)

    def _build_menus(self, built) -> None:
        """The menus of the table, plus the lists made at run time: examples, recent
        files, panels."""
        menus = actions.build_menus(self, built)
        file_menu = menus["File"]
        self.new_menu = QMenu("New from e&xample", file_menu)
        file_menu.insertMenu(file_menu.actions()[0], self.new_menu)
        for name in example_names():
            act = self.new_menu.addAction(f"{name}: {EXAMPLES[name]['description']}")
            act.setObjectName(f"actionExample_{name}")
            act.triggered.connect(lambda _=False, n=name: self.new_from_example(n))
        self.recent_menu = QMenu("Open &recent", file_menu)
        file_menu.insertMenu(self.actionSave, self.recent_menu)
        self.recent_menu.aboutToShow.connect(lambda: self.files.fill_recent(self.recent_menu))
        view = menus["&View"]
        panel_menu = QMenu("&Panels", view)
        view.insertMenu(self.actionResetLayout, panel_menu)
        for dock in self.docks():
            panel_menu.addAction(dock.toggleViewAction())
        panel_menu.addSeparator()
        panel_menu.addAction(self.toolbar.toggleViewAction())

    def _fit_to_screen(self, width: int, height: int) -> None:
        """Open at ``width`` × ``height``, or smaller where the screen is (1280×720)."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is not None:
            room = screen.availableGeometry()
            width, height = min(width, room.width()), min(height, room.height())
        self.resize(width, height)

    # ------------------------------------------------------------------ panels and layout
    def docks(self) -> list[QDockWidget]:
        """Every panel, in the order the View menu lists them."""
        return list(self._docks)

    def showEvent(self, event) -> None:
        if not self._docks_arranged:
            self._docks_arranged = True
            docks.tabify(self)
            self._default_state = self.saveState()  # for View → Reset layout
            settings = app_settings()
            geometry, state = settings.value("window/geometry"), settings.value("window/state")
            if isinstance(geometry, QByteArray):
                self.restoreGeometry(geometry)
            if isinstance(state, QByteArray):
                self.restoreState(state)
            QTimer.singleShot(0, self, self._balance_docks)  # once laid out
        super().showEvent(event)

    def _balance_docks(self) -> None:
        """Room for the bottom panels (a quarter of the height at 100 % text, more for
        larger text; Explain a quarter of the width): big fonts raise the right column's
        minimum height, which Qt takes from the bottom row until the loss plot is a line."""
        from PySide6.QtCore import Qt

        H, V = Qt.Orientation.Horizontal, Qt.Orientation.Vertical
        bottom = int(self.height() * min(0.45, 0.25 * presentation.scale()))
        if self.explain_dock.height() < bottom:
            self.resizeDocks([self.explain_dock], [bottom], V)
        if self.explain_dock.width() < self.width() // 4:
            rest = self.width() - self.width() // 4
            self.resizeDocks([self.explain_dock, self.plot_dock], [self.width() // 4, rest], H)

    def reset_layout(self) -> None:
        """View → Reset layout: every panel where the first start put it."""
        state = getattr(self, "_default_state", None)
        if state is not None:
            self.restoreState(state)
            self.toolbar.show()
            self.statusBar().showMessage("layout reset", 3000)

    def text_size(self, direction: int) -> None:
        """Every font one step larger (``direction`` > 0), smaller (< 0) or back to 100 %."""
        value = presentation.step(direction) if direction else presentation.set_scale(1.0)
        QTimer.singleShot(0, self, self._balance_docks)  # once the new fonts are laid out
        self.statusBar().showMessage(f"text size {value:.0%}", 3000)

    def set_conventions(self, **choice: str) -> None:
        """View → Conventions: show δ (``delta_sign``) or the weight tables (``layout``)
        another way; remembered, never an undo step."""
        self.session.set_conventions(replace(self.session.conventions, **choice))

    def _on_conventions(self, conventions) -> None:
        save_conventions(conventions)
        self._check_conventions()
        self.statusBar().showMessage(f"showing {conventions.describe()}", 3000)

    def _check_conventions(self) -> None:
        """The View → Conventions items checked as the session's conventions are."""
        c = self.session.conventions
        self.actionDeltaDerivative.setChecked(c.derivative)
        self.actionDeltaExercise.setChecked(not c.derivative)
        self.actionLayoutToFrom.setChecked(c.transposed)
        self.actionLayoutFromTo.setChecked(not c.transposed)

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

    # ------------------------------------------------------------------ state
    def _on_changed(self, what: Change) -> None:
        if what & Change.DOCUMENT:  # another document: what was said of the last one goes
            self.statusBar().clearMessage()
        if what & (Change.DOCUMENT | Change.BUSY):
            self.update_title()
            self.run_view.update_actions()
        if what & ~Change.PROGRESS:
            self.update_actions()

    def update_actions(self) -> None:
        """Enable what may run now, with the reason in the tooltip of what may not."""
        s = self.session
        for action, phase in (
            (self.actionForward, "forward"),
            (self.actionBackward, "backward"),
            (self.actionApplyUpdate, "update"),
        ):
            enabled = s.can_run(phase)
            action.setEnabled(enabled)
            base = action.property("baseTip")
            action.setToolTip(base if enabled else f"{base} — not now: {s.why_not(phase)}")
        idle = not s.busy
        for action in (
            self.actionStep,
            self.actionPhase,
            self.actionIterate,
            self.actionReset,
            self.actionGradCheck,
            self.actionNewNetwork,
            self.actionNew,
            self.actionOpen,
        ):
            action.setEnabled(idle)
        self.new_menu.setEnabled(idle)
        self.recent_menu.setEnabled(idle)
        self.actionCheckCode.setEnabled(idle and not self.checker.busy)
        nxt = s.machine.next_sub_step
        self.actionStep.setToolTip(
            f"{self.actionStep.property('baseTip')} — next: {nxt.describe(s.machine.n_layers)}"
        )
        self.status_label.setText(s.status_text())
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

    def update_title(self, *_) -> None:
        """``name[*] — bpviewer``, marked while there are unsaved changes."""
        p = self.session.project
        name = p.path.name if p.path else (p.name or "untitled")
        self.setWindowTitle(f"{name}[*] — bpviewer")
        self.setWindowModified(self.session.dirty)

    def _on_edge_clicked(self, layer: int, row: int, col: int) -> None:
        self.weight_tables.select("w", layer, row, col)
        self.weights_dock.raise_()

    # ------------------------------------------------------------------ commands
    def new_from_example(self, name: str) -> None:
        """Replace the project with a built-in example (a new document)."""
        self.files.new_from_example(name)

    def open_project(self, path: str | Path) -> bool:
        """Load a project file; a broken file is refused with its name and the problem."""
        return self.files.open_project(path)

    def save(self) -> bool:
        """Save to the project's file (asks for a name the first time)."""
        return self.files.save()

    def save_as(self) -> bool:
        """Ask for a file name and save there."""
        return self.files.save_as()

    def offer_recovery(self) -> bool:
        """At start: offer back the unsaved work of a bpviewer that did not close."""
        return self.files.offer_recovery()

    def train(self, **overrides):
        """Start a training run with the Training panel's settings (see :class:`RunView`)."""
        return self.run_view.train(**overrides)

    def gradient_check(self):
        """Run a gradient check on the current batch and show the dialog (returned)."""
        from bpviewer.gui.dialogs.gradcheck_dialog import run_gradient_check

        return run_gradient_check(self)

    def check_code(self, path: str, timeout: float = 10.0):
        """Check a learner's script in a worker thread; returns the runner (for tests)."""
        return self.checker.check(path, timeout)

    @property
    def check_report(self):
        """The last check's report dialog."""
        return self.checker.report_dialog

    def about_text(self) -> str:
        """bpviewer's and its libraries' versions."""
        from bpviewer.gui.dialogs.help_dialogs import about_text

        return about_text()

    def about(self) -> None:
        """Help → About."""
        QMessageBox.about(self, "About bpviewer", self.about_text())

    def shortcut_rows(self) -> list[tuple[str, str, str]]:
        """(menu, command, keys) of every menu command that has a key, in menu order."""
        return actions.shortcut_rows(self)

    def show_shortcuts(self) -> None:
        """Help → Keyboard shortcuts: a table made from the menus, so it is never stale."""
        from bpviewer.gui.dialogs.help_dialogs import shortcuts_box

        self.shortcuts_box = shortcuts_box(self, self.shortcut_rows())

    # ------------------------------------------------------------------ drops and closing
    def dragEnterEvent(self, event) -> None:
        if self.files.dropped_file(event) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        path = self.files.dropped_file(event)
        if path is not None:
            event.acceptProposedAction()
            self.files.drop(path)

    def closeEvent(self, event: QCloseEvent) -> None:
        # a run going ends first, into the document, so that Save saves what it trained
        self.training.wait()
        if not self.files.confirm_discard():
            event.ignore()
            return
        if "superqt.utils" in sys.modules:  # a worker may have run: a check ends in its limit
            sys.modules["superqt.utils"].WorkerBase.await_workers(15_000)
        settings = app_settings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/state", self.saveState())
        self.recovery.discard()  # saved or given up: nothing left to recover
        event.accept()
