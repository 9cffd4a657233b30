"""The training dock: how long to train, the learning rate, the watchpoints, and the run's
Train / Pause / Stop buttons."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QToolButton,
    QWidget,
)

from bpviewer.core.engine.notation import full
from bpviewer.gui.session import Change, Session


class TrainingPanel(QWidget):
    """Run length, stop conditions and watchpoints."""

    def __init__(self, session: Session, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("trainingPanel")
        self._session = session
        form = QFormLayout(self)
        row = QHBoxLayout()
        self.amount = QSpinBox()
        self.amount.setObjectName("trainAmount")
        self.amount.setRange(1, 100_000_000)
        self.amount.setValue(1000)
        self.amount.setGroupSeparatorShown(True)
        self.unit = QComboBox()
        self.unit.setObjectName("trainUnit")
        self.unit.addItems(["iterations", "epochs", "until loss <"])
        self.unit.setToolTip(
            "Train for a number of iterations (updates), of epochs (passes "
            "over the data), or until the epoch-mean loss is below a target"
        )
        self.target = QLineEdit("0.01")
        self.target.setObjectName("trainTarget")
        self.target.setToolTip("Target loss (epoch mean)")
        self.target.setMaximumWidth(80)
        self.unit.currentIndexChanged.connect(self._on_unit)
        row.addWidget(self.amount)
        row.addWidget(self.unit)
        row.addWidget(self.target)
        form.addRow("Train", row)
        self.learning_rate = QLineEdit()
        self.learning_rate.setObjectName("learningRate")
        self.learning_rate.setToolTip("Learning rate η (Enter to apply; undoable)")
        self.learning_rate.editingFinished.connect(self._on_learning_rate)
        form.addRow("Learning rate η", self.learning_rate)
        self._build_watches(form)
        self.verdict = QLabel("")
        self.verdict.setObjectName("trainingVerdict")
        self.verdict.setWordWrap(True)
        form.addRow(self.verdict)
        self._on_unit()
        session.changed.connect(self._on_changed)
        self.refresh()

    def _build_watches(self, form: QFormLayout) -> None:
        """The watchpoints: NaN or ∞, a growing loss, a vanishing gradient."""
        self.watch_nan = QCheckBox("stop on NaN or ∞")
        self.watch_nan.setObjectName("watchNan")
        self.watch_nan.setToolTip(
            "Stop when a loss or a weight stops being a finite number, and go back to the "
            "last iteration whose values were all finite"
        )
        self.watch_nan.setChecked(True)
        form.addRow("Watch", self.watch_nan)
        self.watch_growth = QCheckBox("stop if the loss grows")
        self.watch_growth.setObjectName("watchGrowth")
        self.watch_growth.setToolTip(
            "Stop when the epoch-mean loss (smoothed over 5 epochs) grows to more than this "
            "factor above the run's start (the first epoch: above the loss before the run): "
            "usually a learning rate that is too large"
        )
        self.watch_growth.setChecked(True)
        self.growth = QDoubleSpinBox()
        self.growth.setObjectName("growthFactor")
        self.growth.setRange(1.1, 1e6)
        self.growth.setValue(10.0)
        self.growth.setSuffix(" ×")
        _watch_row(form, self.watch_growth, self.growth)
        self.watch_vanish = QCheckBox("stop if a gradient norm falls below")
        self.watch_vanish.setObjectName("watchVanishing")
        self.watch_vanish.setToolTip(
            "Stop when a layer's ‖∂E/∂W‖ (epoch mean) falls below this: vanishing gradients, "
            "often saturated sigmoid or tanh units"
        )
        self.vanish = QLineEdit("1e-8")
        self.vanish.setObjectName("vanishingThreshold")
        self.vanish.setMaximumWidth(80)
        _watch_row(form, self.watch_vanish, self.vanish)
        self.watch_stopped = QCheckBox("stop if more of a layer is dead or saturated than")
        self.watch_stopped.setObjectName("watchStopped")
        self.watch_stopped.setToolTip(
            "Stop when more than this share of a hidden layer's units stopped learning over "
            "the training set: ReLUs inactive on every sample, or sigmoid/tanh units with "
            "f′ < 0.01 on 95% of the samples (judged at each epoch's end)"
        )
        self.stopped = QSpinBox()
        self.stopped.setObjectName("stoppedShare")
        self.stopped.setRange(1, 99)
        self.stopped.setValue(50)
        self.stopped.setSuffix(" %")
        _watch_row(form, self.watch_stopped, self.stopped)

    def ensure_verdict_visible(self) -> None:
        """Scroll the panel (it sits in a scroll area) so the verdict is in view."""
        from PySide6.QtWidgets import QScrollArea

        area = self.parent()
        while area is not None and not isinstance(area, QScrollArea):
            area = area.parent()
        if area is not None:
            area.ensureWidgetVisible(self.verdict)

    def add_controls(self, actions) -> None:
        """Buttons for the window's Train, Pause and Stop commands (same keys, same state)."""
        row = QHBoxLayout()
        for action in actions:
            button = QToolButton()
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            row.addWidget(button)
        row.addStretch(1)
        self.layout().insertRow(1, "", row)

    def _on_changed(self, what: Change) -> None:
        if what & ~Change.PROGRESS:
            self.refresh()

    def refresh(self) -> None:
        """Show the project's learning rate."""
        if not self.learning_rate.hasFocus():
            self.learning_rate.setText(full(self._session.project.training.learning_rate))

    def _on_unit(self) -> None:
        until = self.unit.currentIndex() == 2
        self.target.setVisible(until)  # only then does it mean anything
        self.amount.setToolTip("At most this many epochs" if until else "How many to run")

    def _on_learning_rate(self) -> None:
        text = self.learning_rate.text()
        try:
            value = float(text)
        except ValueError:
            self._session.messageIssued.emit(f"{text!r} is not a number; η keeps its value")
            self.refresh()
            return
        if not self._session.set_training(learning_rate=value):  # checked in core, once
            self.refresh()

    def run_arguments(self) -> dict | None:
        """Keyword arguments for :meth:`TrainingController.start`, or None (bad input)."""
        args: dict = {}
        n = self.amount.value()
        unit = self.unit.currentIndex()
        if unit == 0:
            args["iterations"] = n
        else:
            args["epochs"] = n
        if unit == 2:
            try:
                args["target_loss"] = float(self.target.text())
            except ValueError:
                self._session.messageIssued.emit(f"{self.target.text()!r} is not a number")
                return None
        vanishing = None
        if self.watch_vanish.isChecked():
            try:
                vanishing = float(self.vanish.text())
            except ValueError:
                self._session.messageIssued.emit(f"{self.vanish.text()!r} is not a number")
                return None
        from bpviewer.core.training.training_run import Watch

        args["watch"] = Watch(
            nan=self.watch_nan.isChecked(),
            growth=self.growth.value() if self.watch_growth.isChecked() else None,
            vanishing=vanishing,
            stopped=self.stopped.value() / 100 if self.watch_stopped.isChecked() else None,
        )
        return args


def _watch_row(form: QFormLayout, box: QCheckBox, field: QWidget) -> None:
    """A watchpoint's row of the form: its check box, then its threshold."""
    row = QHBoxLayout()
    row.addWidget(box)
    row.addWidget(field)
    row.addStretch(1)
    form.addRow("", row)
