"""Every panel of the window as data: one row per dock builds it, lists it in View → Panels
and places it in the default layout (Reset layout returns there).

A new panel is a new widget file plus one row of :data:`PANELS`.  ``factory`` makes the
widget from the window (its session, prompter …); the widget becomes ``window.<attr>``
and its dock ``window.<dock>``.  Rows without a ``tab_with`` are placed first (``area``,
then ``split`` beside an earlier dock); the rest are tabbed behind the dock they name at
the first show.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QScrollArea, QWidget

from bpviewer.gui.dock_title import DockTitle

if TYPE_CHECKING:
    from bpviewer.gui.main_window import MainWindow

RIGHT = Qt.DockWidgetArea.RightDockWidgetArea
BOTTOM = Qt.DockWidgetArea.BottomDockWidgetArea
V, H = Qt.Orientation.Vertical, Qt.Orientation.Horizontal


@dataclass(frozen=True)
class PanelSpec:
    """One dock: title, object name, the widget's factory and attribute, where it goes."""

    title: str
    object_name: str
    attr: str
    dock: str
    factory: Callable[[MainWindow], QWidget]
    area: Qt.DockWidgetArea
    split: tuple[str, Qt.Orientation] | None = None  # (dock attribute, orientation)
    tab_with: str | None = None  # the dock attribute it is tabbed behind
    scroll: bool = False


def _weights(w):
    from bpviewer.gui.panels.weight_tables import WeightTables

    return WeightTables(w.session)


def _explain(w):
    from bpviewer.gui.panels.explain_panel import ExplainPanel

    return ExplainPanel(w.session)


def _sample(w):
    from bpviewer.gui.panels.sample_editor import SampleEditor

    return SampleEditor(w.session)


def _loss(w):
    from bpviewer.gui.plots.error_plot import ErrorPlot

    return ErrorPlot(w.session)


def _values(w):
    from bpviewer.gui.panels.values_panel import ValuesPanel

    return ValuesPanel(w.session)


def _inside(w):
    from bpviewer.gui.plots.inside_plot import InsidePlot

    return InsidePlot()


def _boundary(w):
    from bpviewer.gui.plots.decision_boundary import DecisionBoundary

    return DecisionBoundary(w.session)


def _why(w):
    from bpviewer.gui.panels.why_panel import WhyPanel

    return WhyPanel(w.session)


def _confusion(w):
    from bpviewer.gui.plots.confusion_view import ConfusionView

    return ConfusionView(w.session)


def _lr_probe(w):
    from bpviewer.gui.plots.lr_probe_view import LrProbeView

    return LrProbeView(w.session)


def _training(w):
    from bpviewer.gui.panels.training_panel import TrainingPanel

    return TrainingPanel(w.session)


def _data(w):
    from bpviewer.gui.dialogs.prompter import PrompterOf
    from bpviewer.gui.panels.data_panel import DataPanel

    return DataPanel(w.session, PrompterOf(w))


def _hyper(w):
    from bpviewer.gui.panels.hyperparameters_panel import HyperparametersPanel

    return HyperparametersPanel(w.session)


def _network(w):
    from bpviewer.gui.panels.network_editor import NetworkEditor

    return NetworkEditor(w.session)


#: In the order View → Panels lists them.
PANELS: tuple[PanelSpec, ...] = (
    PanelSpec("Weights", "weightsDock", "weight_tables", "weights_dock", _weights, RIGHT),
    PanelSpec("Sample", "sampleDock", "sample_editor", "sample_dock", _sample, RIGHT,
              split=("weights_dock", V)),
    PanelSpec("Explain", "explainDock", "explain_panel", "explain_dock", _explain, BOTTOM),
    PanelSpec("Values", "valuesDock", "values_panel", "values_dock", _values, BOTTOM,
              tab_with="explain_dock"),
    PanelSpec("Why this gradient", "whyDock", "why_panel", "why_dock", _why, BOTTOM,
              tab_with="explain_dock"),
    PanelSpec("Loss", "lossDock", "error_plot", "plot_dock", _loss, BOTTOM,
              split=("explain_dock", H)),
    PanelSpec("Inside the network", "insideDock", "inside_plot", "inside_dock", _inside, BOTTOM,
              tab_with="plot_dock"),
    PanelSpec("Decision boundary", "decisionDock", "decision_boundary", "boundary_dock",
              _boundary, BOTTOM, tab_with="plot_dock"),
    PanelSpec("Confusion matrix", "confusionDock", "confusion_view", "confusion_dock",
              _confusion, BOTTOM, tab_with="plot_dock"),
    PanelSpec("Learning-rate probe", "lrProbeDock", "lr_probe_view", "lr_probe_dock",
              _lr_probe, BOTTOM, tab_with="plot_dock"),
    PanelSpec("Training", "trainingDock", "training_panel", "training_dock", _training, RIGHT,
              tab_with="sample_dock", scroll=True),
    PanelSpec("Data", "dataDock", "data_panel", "data_dock", _data, RIGHT,
              tab_with="sample_dock", scroll=True),
    PanelSpec("Hyperparameters", "hyperparametersDock", "hyperparameters_panel", "hyper_dock",
              _hyper, RIGHT, tab_with="sample_dock", scroll=True),
    PanelSpec("Network", "networkDock", "network_editor", "network_dock", _network, RIGHT,
              tab_with="sample_dock", scroll=True),
)  # fmt: skip


def _catch_up(panel) -> Callable[[bool], None]:
    def on_visibility(visible: bool) -> None:
        if visible:
            panel.catch_up()
        elif hasattr(panel, "put_away"):  # what it drew elsewhere goes with it
            panel.put_away()

    return on_visibility


def build_docks(window: MainWindow) -> list[QDockWidget]:
    """Make every panel and its dock; the step-through layout a first-time user sees is
    placed now, the rest wait to be tabbed in at the first show (:func:`tabify`)."""
    docks = []
    for spec in PANELS:
        widget = spec.factory(window)
        setattr(window, spec.attr, widget)
        dock = QDockWidget(spec.title, window)
        dock.setObjectName(spec.object_name)
        dock.setTitleBarWidget(DockTitle(dock))  # follows the presentation scale
        if spec.scroll:  # tall panels scroll rather than force the window taller
            area = QScrollArea()
            area.setWidgetResizable(True)
            area.setFrameShape(QScrollArea.Shape.NoFrame)
            area.setWidget(widget)
            widget = area
        dock.setWidget(widget)
        if hasattr(getattr(window, spec.attr), "catch_up"):  # work skipped while unseen
            dock.visibilityChanged.connect(_catch_up(getattr(window, spec.attr)))
        setattr(window, spec.dock, dock)
        if spec.split is not None:
            window.splitDockWidget(getattr(window, spec.split[0]), dock, spec.split[1])
        else:
            window.addDockWidget(spec.area, dock)
        if spec.tab_with is not None:
            dock.hide()
        docks.append(dock)
    window.resizeDocks([window.weights_dock], [520], H)
    window.resizeDocks([window.explain_dock], [300], V)
    return docks


def tabify(window: MainWindow) -> None:
    """Tab the secondary docks behind the step-through ones.  Done at the first show:
    tabifying before it leaves each group's intermediate tab bars on screen (Qt 6.11)."""
    heads = []
    for spec in PANELS:
        if spec.tab_with is None:
            continue
        head = getattr(window, spec.tab_with)
        dock = getattr(window, spec.dock)
        dock.show()
        window.tabifyDockWidget(head, dock)
        if head not in heads:
            heads.append(head)
    for head in heads:
        head.raise_()
    # the tabbed panels (data, hyperparameters, …) need room: share the right column
    window.resizeDocks([window.weights_dock, window.sample_dock], [420, 380], V)
