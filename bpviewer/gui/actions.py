"""Every command of the window as data: one row per action builds the action, its place in
the menus and on the toolbar, its key and its tooltip (and so the shortcut list).

A new command is one row of :data:`ACTIONS`.  ``menu`` is a path (``File/Export``);
rows of one menu appear in table order, with a separator where ``group`` changes;
``toolbar`` is the action's place on the toolbar (lower first, a separator between groups
of ten), or None.  ``handler`` receives the window.  Rows with the same ``choice`` are
checkable and exclusive (one of them checked; the window keeps them in step).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMenu, QToolBar

if TYPE_CHECKING:
    from bpviewer.gui.main_window import MainWindow

Key = str | QKeySequence.StandardKey | None
SK = QKeySequence.StandardKey


@dataclass(frozen=True)
class ActionSpec:
    """One command: ``name`` is its object name without the ``action`` prefix."""

    name: str
    text: str
    handler: Callable[[MainWindow], object]
    menu: str
    keys: Key | tuple[str, ...] = None
    tip: str = ""
    icon: str | None = None
    group: int = 0
    toolbar: int | None = None
    choice: str = ""


def _mode(mode: str) -> Callable[[MainWindow], object]:
    return lambda w: w.weight_tables.set_mode(mode)


def _convention(**choice: str) -> Callable[[MainWindow], object]:
    return lambda w: w.set_conventions(**choice)


ACTIONS: tuple[ActionSpec, ...] = (
    # ---------------------------------------------------------------- File
    ActionSpec("New", "&New", lambda w: w.new_from_example("seed"), "File", SK.New,
               "Start again from the seed example"),
    ActionSpec("NewNetwork", "New &network…", lambda w: w.files.new_network(), "File",
               "Ctrl+Shift+N", "A new network: layer sizes, activations, loss and biases"),
    ActionSpec("Open", "&Open…", lambda w: w.files.open(), "File", SK.Open,
               "Open a project file"),
    ActionSpec("Save", "&Save", lambda w: w.save(), "File", SK.Save, "Save the project"),
    ActionSpec("SaveAs", "Save &as…", lambda w: w.save_as(), "File", "Ctrl+Shift+S",
               "Save the project under a new name"),
    ActionSpec("CheckCode", "Chec&k my code…", lambda w: w.checker.choose(), "File", "Ctrl+K",
               "Run a backprop script written in the exercise's names and find its first "
               "wrong number", group=1),
    ActionSpec("ExportMarkdown", "Trace as &Markdown…", lambda w: w.exports.markdown(),
               "File/&Export", None, "The formulas of the last step, with LaTeX math"),
    ActionSpec("ExportCsv", "Values as &CSV…", lambda w: w.exports.values_csv(),
               "File/&Export", None, "Every value of the current iteration"),
    ActionSpec("ExportJson", "Values as &JSON…", lambda w: w.exports.values_json(),
               "File/&Export", None, "Every value of the current iteration"),
    ActionSpec("ExportCurves", "Loss curves as CSV…", lambda w: w.exports.curves(),
               "File/&Export", None,
               "Every loss curve (stepped iterations and training runs) as CSV"),
    ActionSpec("ExportPlot", "Loss plot as PNG/SVG…", lambda w: w.exports.plot(),
               "File/&Export", None, "The loss plot as an image"),
    ActionSpec("Quit", "&Quit", lambda w: w.close(), "File", (SK.Quit, "Ctrl+Q"),
               "Close bpviewer", group=2),
    # ---------------------------------------------------------------- Edit
    ActionSpec("Undo", "&Undo", lambda w: w.session.undo(), "&Edit", SK.Undo,
               "Undo the last step or change", "SP_ArrowBack", toolbar=40),
    ActionSpec("Redo", "&Redo", lambda w: w.session.redo(), "&Edit",
               ("Ctrl+Shift+Z", "Ctrl+Y"), "Redo what was undone", "SP_ArrowForward",
               toolbar=41),
    ActionSpec("CopyFormulas", "&Copy formulas", lambda w: w.explain_panel.copy_all(), "&Edit",
               "Ctrl+Shift+C", "Copy the formulas in the Explain panel", group=1),
    ActionSpec("Reset", "&Reset weights", lambda w: w.session.reset(), "&Edit", "Ctrl+Shift+R",
               "Put back the weights the project started with (undoable)", group=1),
    # ---------------------------------------------------------------- Step
    ActionSpec("Forward", "&Forward", lambda w: w.session.run_phase("forward"), "&Step",
               "Ctrl+1", "Run the forward pass and the loss", "SP_ArrowRight", toolbar=0),
    ActionSpec("Backward", "&Backward", lambda w: w.session.run_phase("backward"), "&Step",
               "Ctrl+2", "Run the backward pass: error terms, gradients and ΔW",
               "SP_ArrowLeft", toolbar=1),
    ActionSpec("ApplyUpdate", "Apply &update", lambda w: w.session.run_phase("update"),
               "&Step", "Ctrl+3", "Add ΔW to the weights", "SP_DialogApplyButton", toolbar=2),
    ActionSpec("Step", "&Step", lambda w: w.session.step(), "&Step", "F10",
               "Run the next sub-step (one layer, the loss, or the update)",
               "SP_MediaSeekForward", group=1, toolbar=10),
    ActionSpec("Phase", "Run &phase", lambda w: w.session.run_phase_rest(), "&Step",
               "Shift+F10", "Run the rest of the current phase", group=1),
    ActionSpec("Iterate", "&Iterate", lambda w: w.session.iterate(), "&Step", "Ctrl+Return",
               "Forward, backward and update, then move to the next sample",
               "SP_MediaSkipForward", group=1, toolbar=11),
    # ---------------------------------------------------------------- Train
    ActionSpec("Train", "&Train", lambda w: w.train(), "&Train", "F5",
               "Train in the background, with the loss plotted live", "SP_MediaPlay",
               toolbar=20),
    ActionSpec("Pause", "&Pause", lambda w: w.run_view.toggle_pause(), "&Train", "F6",
               "Pause or resume the training run", "SP_MediaPause"),
    ActionSpec("Stop", "St&op", lambda w: w.training.stop(), "&Train", "Shift+F5",
               "Stop the run; the network keeps the last iteration's parameters",
               "SP_MediaStop", toolbar=21),
    ActionSpec("GradCheck", "&Gradient check…", lambda w: w.gradient_check(), "&Train",
               "Ctrl+G", "Compare the analytic gradients with central differences", group=1),
    # ---------------------------------------------------------------- View
    ActionSpec("Show_W", "Show &W", _mode("W"), "&View", "Ctrl+Shift+1",
               "Show W in the weight tables"),
    ActionSpec("Show_grad", "Show ∂E/∂&W", _mode("grad"), "&View", "Ctrl+Shift+2",
               "Show ∂E/∂W in the weight tables"),
    ActionSpec("Show_delta", "Show &ΔW", _mode("delta"), "&View", "Ctrl+Shift+3",
               "Show ΔW in the weight tables"),
    ActionSpec("WhyGradient", "&Why this gradient", lambda w: w.why_dock.raise_(), "&View",
               "Ctrl+Shift+G", "The chain rule of the weight selected in the table or the "
               "diagram, with numbers", group=1),
    ActionSpec("ZoomIn", "Zoom &in", lambda w: w.network_view.zoom(1.25), "&View",
               "Ctrl+Alt+=", "Zoom into the diagram (or the mouse wheel)", group=1),
    ActionSpec("ZoomOut", "Zoom &out", lambda w: w.network_view.zoom(0.8), "&View",
               "Ctrl+Alt+-", "Zoom out of the diagram (or the mouse wheel)", group=1),
    ActionSpec("Fit", "&Fit diagram", lambda w: w.network_view.reset_zoom(), "&View", "Ctrl+0",
               "Fit the whole network in the view", group=1),
    ActionSpec("LargerText", "&Larger text", lambda w: w.text_size(+1), "&View",
               ("Ctrl+=", "Ctrl++"), "Every font in the window larger, up to 250 % (for a "
               "projector; remembered)", group=2),
    ActionSpec("SmallerText", "&Smaller text", lambda w: w.text_size(-1), "&View", "Ctrl+-",
               "Every font in the window smaller, down to 100 %", group=2),
    ActionSpec("NormalText", "&Normal text size", lambda w: w.text_size(0), "&View",
               "Ctrl+Shift+0", "Fonts back to the system's size (100 %)", group=2),
    ActionSpec("ResetLayout", "&Reset layout", lambda w: w.reset_layout(), "&View", None,
               "Put every panel back where it was at the first start", group=3),
    # preferences, after View → Panels (a submenu of their own)
    ActionSpec("DeltaExercise", "δ as −∂E/∂z (the exercise)",
               _convention(delta_sign="exercise"), "&View/&Conventions", None,
               "Show δ as the exercise's −∂E/∂z (remembered; the JSON outputs, project files "
               "and check always use it)", choice="delta_sign"),
    ActionSpec("DeltaDerivative", "δ as ∂E/∂z (Nielsen, CS231n)",
               _convention(delta_sign="derivative"), "&View/&Conventions", None,
               "Show δ as ∂E/∂z: every δ negated, ∂E/∂w = a·δ (remembered)",
               choice="delta_sign"),
    ActionSpec("LayoutFromTo", "Weights as (from, to)", _convention(layout="from_to"),
               "&View/&Conventions", None,
               "Weight tables with a row per unit a weight comes from (remembered)",
               group=1, choice="layout"),
    ActionSpec("LayoutToFrom", "Weights as (to, from) (PyTorch)", _convention(layout="to_from"),
               "&View/&Conventions", None,
               "Weight tables transposed, as PyTorch stores them: a row per unit a weight "
               "goes to, its bias in the last column (remembered)", group=1, choice="layout"),
    # ---------------------------------------------------------------- Help
    ActionSpec("Shortcuts", "&Keyboard shortcuts", lambda w: w.show_shortcuts(), "&Help", "F1",
               "Every command that has a key"),
    ActionSpec("About", "&About bpviewer", lambda w: w.about(), "&Help", None,
               "Versions of bpviewer and its libraries"),
)  # fmt: skip


def _sequences(keys: Key | tuple) -> list[QKeySequence]:
    """Key sequences of a row; a standard key empty on this platform falls to the next."""
    out = []
    for key in keys if isinstance(keys, tuple) else (keys,):
        if key is None:
            continue
        seq = QKeySequence(key)
        if not seq.isEmpty():
            out.append(seq)
            if not isinstance(keys, tuple) or isinstance(key, QKeySequence.StandardKey):
                break
    return out


def build_actions(window: MainWindow) -> dict[str, QAction]:
    """Create every action of :data:`ACTIONS` on ``window`` (``window.actionForward`` …)."""
    style = window.style()
    actions = {}
    choices: dict[str, QActionGroup] = {}
    for spec in ACTIONS:
        action = QAction(spec.text, window)
        action.setObjectName(f"action{spec.name}")
        if spec.choice:
            action.setCheckable(True)
            if spec.choice not in choices:
                choices[spec.choice] = QActionGroup(window)
            choices[spec.choice].addAction(action)
        sequences = _sequences(spec.keys)
        if sequences:
            action.setShortcuts(sequences)
        keys = (
            f" ({sequences[0].toString(QKeySequence.SequenceFormat.NativeText)})"
            if sequences
            else ""
        )
        action.setStatusTip(spec.tip)
        action.setToolTip(f"{spec.tip}{keys}" if spec.tip else spec.text)
        action.setProperty("baseTip", action.toolTip())
        if spec.icon:
            action.setIcon(style.standardIcon(getattr(style.StandardPixmap, spec.icon)))
        action.triggered.connect(lambda _=False, h=spec.handler: h(window))
        window.addAction(action)
        setattr(window, f"action{spec.name}", action)
        actions[spec.name] = action
    return actions


def build_menus(window: MainWindow, actions: dict[str, QAction]) -> dict[str, QMenu]:
    """The menu bar from the table; returns the menus by path (``File/&Export``)."""
    bar = window.menuBar()
    menus: dict[str, QMenu] = {}
    last_group: dict[str, int] = {}

    def menu(path: str) -> QMenu:
        if path not in menus:
            parent, _, title = path.rpartition("/")
            if parent:
                menus[path] = menu(parent).addMenu(title)
            else:
                menus[path] = bar.addMenu(title if "&" in title else f"&{title}")
        return menus[path]

    for spec in ACTIONS:
        m = menu(spec.menu)
        if spec.menu in last_group and last_group[spec.menu] != spec.group:
            m.addSeparator()
        last_group[spec.menu] = spec.group
        m.addAction(actions[spec.name])
    return menus


def build_toolbar(window: MainWindow, actions: dict[str, QAction]) -> QToolBar:
    """The toolbar: the rows with a ``toolbar`` place, in that order."""
    from PySide6.QtCore import Qt

    bar = QToolBar("Toolbar")
    bar.setObjectName("stepToolBar")
    bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    placed = sorted((s for s in ACTIONS if s.toolbar is not None), key=lambda s: s.toolbar)
    previous = None
    for spec in placed:
        if previous is not None and spec.toolbar // 10 != previous // 10:
            bar.addSeparator()
        bar.addAction(actions[spec.name])
        previous = spec.toolbar
    window.addToolBar(bar)
    return bar


def shortcut_rows(window: MainWindow) -> list[tuple[str, str, str]]:
    """(menu, command, keys) of every menu command that has a key, in menu order."""
    rows = []

    def walk(menu: QMenu, path: str) -> None:
        for act in menu.actions():
            if act.menu() is not None:
                walk(act.menu(), path)
            elif not act.isSeparator() and not act.shortcut().isEmpty():
                keys = act.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
                rows.append((path, act.text().replace("&", ""), keys))

    for top in window.menuBar().actions():
        walk(top.menu(), top.text().replace("&", ""))
    return rows
