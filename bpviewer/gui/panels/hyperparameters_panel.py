"""The hyperparameters panel: every training setting, each change undoable; the weights stay."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from bpviewer.core.engine.losses import losses_for
from bpviewer.core.engine.notation import full
from bpviewer.core.engine.optimizers import OPTIMIZER_KEYS, OPTIMIZERS, get_rule
from bpviewer.gui.session import Change, Session

FLOATS = OPTIMIZER_KEYS


class HyperparametersPanel(QWidget):
    """Learning rate, batch size, optimiser and its settings, loss, weight decay, seed,
    shuffle.  Only the losses the output activation allows are offered."""

    def __init__(self, session: Session, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("hyperparametersPanel")
        self._session = session
        form = QFormLayout(self)
        self.fields: dict[str, QLineEdit] = {}
        tips = {
            "learning_rate": "η, the step size",
            "momentum": "μ (momentum optimiser)",
            "beta1": "β₁ (Adam)",
            "beta2": "β₂ (Adam)",
            "eps": "ε (Adam)",
            "weight_decay": "λ: L2 weight decay on the weights (not the biases)",
        }
        for key in FLOATS:
            edit = QLineEdit()
            edit.setObjectName(f"hp_{key}")
            edit.setToolTip(f"{tips[key]}; Enter to apply (undoable)")
            edit.editingFinished.connect(lambda k=key: self._on_float(k))
            self.fields[key] = edit
        self.batch = QLineEdit()
        self.batch.setObjectName("hp_batch_size")
        self.batch.setToolTip('Samples per update: a number, or "full" for the whole data set')
        self.batch.editingFinished.connect(self._on_batch)
        self.optimizer = QComboBox()
        self.optimizer.setObjectName("hp_optimizer")
        self.optimizer.addItems(OPTIMIZERS)
        self.optimizer.currentTextChanged.connect(lambda v: self._set(optimizer=v) if v else None)
        self.loss = QComboBox()
        self.loss.setObjectName("hp_loss")
        self.loss.setToolTip("Only the losses the output activation allows")
        self.loss.currentTextChanged.connect(lambda v: self._set(loss=v) if v else None)
        self.seed = QSpinBox()
        self.seed.setObjectName("hp_seed")
        self.seed.setRange(0, 2**31 - 1)
        self.seed.setToolTip("Seed of the shuffling order")
        self.seed.editingFinished.connect(lambda: self._set(seed=self.seed.value()))
        self.shuffle = QCheckBox("shuffle each epoch")
        self.shuffle.setObjectName("hp_shuffle")
        self.shuffle.toggled.connect(lambda v: self._set(shuffle=v))
        self.update_biases = QCheckBox("update the biases")
        self.update_biases.setObjectName("hp_update_biases")
        self.update_biases.toggled.connect(lambda v: self._set(update_biases=v))
        form.addRow("Learning rate η", self.fields["learning_rate"])
        form.addRow("Batch size", self.batch)
        form.addRow("Optimiser", self.optimizer)
        form.addRow("Momentum μ", self.fields["momentum"])
        form.addRow("Adam β₁", self.fields["beta1"])
        form.addRow("Adam β₂", self.fields["beta2"])
        form.addRow("Adam ε", self.fields["eps"])
        form.addRow("Loss", self.loss)
        form.addRow("Weight decay λ", self.fields["weight_decay"])
        form.addRow("Shuffle seed", self.seed)
        form.addRow("", self.shuffle)
        form.addRow("", self.update_biases)
        session.changed.connect(self._on_changed)
        self.refresh()

    def loss_choices(self) -> list[str]:
        """The losses offered now."""
        return [self.loss.itemText(i) for i in range(self.loss.count())]

    def _on_changed(self, what: Change) -> None:
        if what & (Change.DOCUMENT | Change.SETTINGS | Change.SHAPE):
            self.refresh()
        if what & (Change.BUSY | Change.DOCUMENT):
            # nothing here may change the document while a run goes: greyed, not ignored
            self.setEnabled(not self._session.busy)

    def refresh(self) -> None:
        """Show the project's settings."""
        t = self._session.project.training
        widgets = [
            *self.fields.values(),
            self.batch,
            self.optimizer,
            self.loss,
            self.seed,
            self.shuffle,
            self.update_biases,
        ]
        blockers = [QSignalBlocker(w) for w in widgets]
        for key, edit in self.fields.items():
            edit.setText(full(getattr(t, key)))
        self.batch.setText(str(t.batch_size))
        self.optimizer.setCurrentText(t.optimizer)
        self.loss.clear()
        self.loss.addItems(losses_for(self._session.network.activations[-1]))
        self.loss.setCurrentText(t.loss)
        self.seed.setValue(t.seed)
        self.shuffle.setChecked(t.shuffle)
        self.update_biases.setChecked(t.update_biases)
        uses = get_rule(t.optimizer).uses
        for key, edit in self.fields.items():
            edit.setEnabled(key in uses)
        del blockers

    def _set(self, **changes) -> None:
        if not self._session.set_training(**changes):
            self.refresh()  # refused: show the value kept (accepted: the change redraws)

    def _on_float(self, key: str) -> None:
        text = self.fields[key].text()
        try:
            value = float(text)
        except ValueError:
            self._session.messageIssued.emit(f"{text!r} is not a number; {key} keeps its value")
            self.refresh()
            return
        self._set(**{key: value})

    def _on_batch(self) -> None:
        text = self.batch.text().strip()
        if text == "full":
            self._set(batch_size="full")
            return
        try:
            self._set(batch_size=int(text))
        except ValueError:
            self._session.messageIssued.emit(f'{text!r} is not a batch size (a number or "full")')
            self.refresh()
