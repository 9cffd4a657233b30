"""File → New network…: layer sizes, activations, loss (only the pairings the engine allows)
and biases; the current data stay when they fit the new input and output layers.  A new
network starts with biases and settings that train it (``core/training/defaults.py``)."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
)

from bpviewer.core.data.datasets import Dataset
from bpviewer.core.engine.activations import ACTIVATIONS
from bpviewer.core.engine.initializers import INIT_SCHEMES
from bpviewer.core.engine.losses import losses_for
from bpviewer.core.engine.network import Network
from bpviewer.core.files.project import Project
from bpviewer.core.training.defaults import suggested_training


class NewNetworkDialog(QDialog):
    """Asks for a network's shape; :meth:`build` makes the project."""

    def __init__(self, current: Project, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("newNetworkDialog")
        self.setWindowTitle("New network")
        self._current = current
        form = QFormLayout(self)
        net = current.network
        self.sizes = QLineEdit(", ".join(map(str, net.layer_sizes)))
        self.sizes.setToolTip("Units per layer, input first, e.g. 2, 8, 8, 1")
        self.activations = QLineEdit(", ".join(net.activations))
        self.activations.setToolTip(
            "One activation per layer after the input: "
            + ", ".join(ACTIVATIONS)
            + " (softmax on the output layer only)"
        )
        self.loss = QComboBox()
        self.loss.setToolTip("Only the losses the output activation allows are offered")
        self.bias = QCheckBox("biases on every layer")
        self.bias.setChecked(True)  # without them xor and most data sets cannot be fitted
        self.init = QComboBox()
        self.init.addItems(INIT_SCHEMES)
        self.init.setCurrentText("glorot")
        self.seed = QSpinBox()
        self.seed.setRange(0, 2**31 - 1)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020")
        form.addRow("Layer sizes", self.sizes)
        form.addRow("Activations", self.activations)
        form.addRow("Loss", self.loss)
        form.addRow("", self.bias)
        form.addRow("Initial weights", self.init)
        form.addRow("Seed", self.seed)
        form.addRow(self.message)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._on_accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.activations.textChanged.connect(self._offer_losses)
        for field in (self.sizes, self.activations):  # a message about the old text goes
            field.textChanged.connect(lambda _: self.message.setText(""))
        self._offer_losses()
        self.loss.setCurrentText(current.training.loss)
        self.project: Project | None = None

    def _parsed_activations(self) -> list[str]:
        return [a.strip() for a in self.activations.text().split(",") if a.strip()]

    def _offer_losses(self) -> None:
        acts = self._parsed_activations()
        choices = losses_for(acts[-1]) if acts and acts[-1] in ACTIVATIONS else []
        keep = self.loss.currentText()
        self.loss.clear()
        self.loss.addItems(choices)
        if keep in choices:
            self.loss.setCurrentText(keep)

    def build(self) -> Project:
        """The new project (ValueError with a message for bad input)."""
        try:
            sizes = [int(v) for v in self.sizes.text().split(",") if v.strip()]
        except ValueError:
            raise ValueError("layer sizes must be whole numbers, e.g. 3, 2, 1") from None
        acts = self._parsed_activations()
        if not self.loss.currentText():
            raise ValueError("no loss fits that output activation")
        net = Network.initialised(
            sizes,
            acts,
            init=self.init.currentText(),
            seed=self.seed.value(),
            bias=self.bias.isChecked(),
        )
        data = self._current.dataset
        if data.inputs.shape[1] == sizes[0] and data.targets.shape[1] == sizes[-1]:
            dataset, spec = data, self._current.data_spec
        else:  # one neutral sample until the user brings data (said when it opens)
            x, t = np.full((1, sizes[0]), 0.5), np.full((1, sizes[-1]), 0.5)
            if acts[-1] == "softmax":
                t = np.eye(sizes[-1])[:1]
            dataset = Dataset(x, t)
            spec = {"inputs": x.tolist(), "targets": t.tolist()}
        training = suggested_training(self.loss.currentText(), dataset.n_samples)
        name = "-".join(map(str, sizes))
        project = Project(net, training, spec, dataset, name=name)
        self.stand_in = dataset is not data
        return project

    def _on_accept(self) -> None:
        try:
            self.project = self.build()
        except ValueError as exc:
            self.message.setText(str(exc))
            self.adjustSize()  # a wrapped message gets its lines, not a clipped one
            return
        self.accept()
