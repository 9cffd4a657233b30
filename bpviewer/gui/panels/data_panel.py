"""The data sets panel: built-in sets (regenerate with a seed and noise), CSV import with a
preview and a choice of columns, standardisation, a validation split, an image shape,
derived features, and a table of the samples.

A big CSV file is read in the background (:class:`DataLoader`), with progress and Cancel
at the top of the panel; the rest of the panel is greyed meanwhile, as while a run goes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSignalBlocker, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from bpviewer.core.data.csvdata import preview_table
from bpviewer.core.data.datasets import GENERATED, PRESETS, Dataset, check_image_shape
from bpviewer.core.data.features import FEATURES, LABELS
from bpviewer.core.engine.notation import fmt
from bpviewer.core.errors import BpviewerError
from bpviewer.gui.data_loader import DataLoader
from bpviewer.gui.session import Change, Session

PREVIEW_ROWS = 8
#: CSV files at least this big are read in the background, with progress and Cancel
#: (about 25,000 rows of two inputs: a smaller file reads in a blink).
BACKGROUND_BYTES = 1 << 20
#: Names listed in the summary; longer lists show their start and end.
LISTED_NAMES = 8

#: Presets generated from n, noise and seed (the logic tables and iris are fixed).
TUNABLE = tuple(name for name in GENERATED if name not in ("xor", "and", "or"))


class DataPanel(QWidget):
    """Everything about the data; changes go through :meth:`Session.set_data` (undoable)."""

    def __init__(self, session: Session, prompter=None, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("dataPanel")
        self._session = session
        self.prompter = prompter
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self._build_progress(outer)
        #: Everything but the progress row: greyed while a run goes or data are read.
        self.body = QWidget()
        outer.addWidget(self.body, 1)
        layout = QVBoxLayout(self.body)
        self._build_source(layout)
        hint_row = QHBoxLayout()
        self.hint = QLabel("")
        self.hint.setObjectName("fitHint")
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: #8a5300")
        self.fix = QPushButton("")
        self.fix.setObjectName("fitFix")
        self.fix.setToolTip("Change the network so it can fit these data (undoable)")
        self.fix.clicked.connect(self._apply_fix)
        hint_row.addWidget(self.hint, 1)
        hint_row.addWidget(self.fix)
        layout.addLayout(hint_row)
        self._hint = None
        self._build_import(layout)
        self._build_features(layout)
        self.summary = QLabel()
        self.summary.setObjectName("dataSummary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.samples = QTableView()
        self.samples.setObjectName("sampleTable")
        self.samples_model = SamplesModel(self.samples)
        self.samples.setModel(self.samples_model)
        self.samples.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        rows = self.samples.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # a million rows, one height
        self.samples.doubleClicked.connect(lambda index: session.select_sample(index.row()))
        self.samples.setToolTip("Double-click a sample to step through it")
        layout.addWidget(self.samples, 1)
        self._csv: Path | None = None
        self._csv_inputs = 0
        self.loader = DataLoader(session, self)
        self.loader.progressed.connect(self._on_progress)
        self.loader.finished.connect(self._on_loaded)
        session.changed.connect(self._on_changed)
        self.refresh()

    def _build_progress(self, layout: QVBoxLayout) -> None:
        """Reading <file>… [progress] [Cancel], shown while a file is read."""
        self.progress_row = QWidget()
        self.progress_row.setObjectName("dataProgressRow")
        row = QHBoxLayout(self.progress_row)
        self.progress_text = QLabel("")
        self.progress = QProgressBar()
        self.progress.setObjectName("dataProgress")
        self.progress.setRange(0, 100)
        self.cancel = QPushButton("Cancel")
        self.cancel.setObjectName("cancelDataLoad")
        self.cancel.setToolTip("Stop reading; the current data stay")
        self.cancel.clicked.connect(self.cancel_loading)
        row.addWidget(self.progress_text)
        row.addWidget(self.progress, 1)
        row.addWidget(self.cancel)
        self.progress_row.hide()
        layout.addWidget(self.progress_row)

    def _build_source(self, layout: QVBoxLayout) -> None:
        """The built-in presets with their knobs, and the CSV file."""
        form = QFormLayout()
        preset_row = QHBoxLayout()
        self.preset = QComboBox()
        self.preset.setObjectName("dataPreset")
        self.preset.addItems(PRESETS)
        self.preset.setToolTip("A built-in data set; Use / regenerate loads it")
        self.preset.currentIndexChanged.connect(self._on_preset_chosen)
        self.preset.activated.connect(lambda _: self.use_preset())  # a user's choice applies
        self.n = QSpinBox()
        self.n.setRange(4, 100_000)
        self.n.setValue(200)
        self.n.setToolTip("Samples to generate")
        self.noise = QDoubleSpinBox()
        self.noise.setRange(0.0, 5.0)
        self.noise.setSingleStep(0.05)
        self.noise.setValue(0.1)
        self.noise.setToolTip("Noise of the generated points")
        self.seed = QSpinBox()
        self.seed.setRange(0, 2**31 - 1)
        self.seed.setToolTip("Seed of the generated points")
        self.regenerate = QPushButton("Use / regenerate")
        self.regenerate.setObjectName("regenerateData")
        self.regenerate.clicked.connect(self.use_preset)
        preset_row.addWidget(self.preset, 1)
        preset_row.addWidget(self.regenerate)
        form.addRow("Built-in", preset_row)
        knobs = QHBoxLayout()
        for w in (QLabel("n"), self.n, QLabel("noise"), self.noise, QLabel("seed"), self.seed):
            knobs.addWidget(w)
        knobs.addStretch(1)
        form.addRow("", knobs)
        csv_row = QHBoxLayout()
        self.csv_path = QLabel("—")
        self.choose = QPushButton("Choose CSV…")
        self.choose.setObjectName("chooseCsv")
        self.choose.clicked.connect(self._choose_csv)
        csv_row.addWidget(self.choose)
        csv_row.addWidget(self.csv_path, 1)
        form.addRow("CSV file", csv_row)
        layout.addLayout(form)

    def _build_import(self, layout: QVBoxLayout) -> None:
        """The CSV preview, its input and target columns, and the import options."""
        at = layout.count()  # the options and Import go above the preview: in view
        self.preview = QTableWidget(0, 0)
        self.preview.setObjectName("csvPreview")
        self.preview.setMaximumHeight(150)
        layout.addWidget(self.preview)
        columns = QHBoxLayout()
        self.input_list = QListWidget()
        self.input_list.setObjectName("inputColumns")
        self.input_list.setToolTip("Tick the input columns")
        self.target_list = QListWidget()
        self.target_list.setObjectName("targetColumns")
        self.target_list.setToolTip(
            "Tick the target column(s); one text column is read as class labels (one-hot)"
        )
        in_box, out_box = QVBoxLayout(), QVBoxLayout()
        in_box.addWidget(QLabel("inputs"))
        in_box.addWidget(self.input_list)
        out_box.addWidget(QLabel("targets"))
        out_box.addWidget(self.target_list)
        columns.addLayout(in_box)
        columns.addLayout(out_box)
        layout.addLayout(columns)
        options = QHBoxLayout()
        self.standardize = QCheckBox("standardise inputs")
        self.standardize.setObjectName("standardize")
        self.split = QDoubleSpinBox()
        self.split.setObjectName("validationSplit")
        self.split.setRange(0.0, 0.9)
        self.split.setSingleStep(0.05)
        self.split.setToolTip("Fraction held out for validation")
        self.import_button = QPushButton("Import")
        self.import_button.setObjectName("importCsv")
        self.import_button.clicked.connect(self.import_csv)
        self.image_rows, self.image_cols = QSpinBox(), QSpinBox()
        for box, name, what in (
            (self.image_rows, "imageRows", "rows"),
            (self.image_cols, "imageColumns", "columns"),
        ):
            box.setObjectName(name)
            box.setRange(0, 4096)
            box.setSpecialValueText("—")  # 0: no image shape
            box.setToolTip(
                f"Image {what}: the inputs are a picture read row by row "
                "(rows × columns = the number of inputs); — for none"
            )
        options.addWidget(self.standardize)
        options.addWidget(QLabel("validation"))
        options.addWidget(self.split)
        options.addStretch(1)
        # the image shape and Import on a row of their own: the panel's width held them
        # all only when wide, and Import is the point of the whole section
        second = QHBoxLayout()
        second.addWidget(QLabel("image (rows × columns)"))
        second.addWidget(self.image_rows)
        second.addWidget(QLabel("×"))
        second.addWidget(self.image_cols)
        second.addStretch(1)
        second.addWidget(self.import_button)
        layout.insertLayout(at, options)
        layout.insertLayout(at + 1, second)

    def _build_features(self, layout: QVBoxLayout) -> None:
        """Derived inputs of 2-D data."""
        feats = QHBoxLayout()
        feats.addWidget(QLabel("Extra inputs (2-D data):"))
        self.feature_boxes: dict[str, QCheckBox] = {}
        for key in FEATURES:
            box = QCheckBox(LABELS[key])
            box.setObjectName(f"feature_{key}")
            box.toggled.connect(self._on_feature)
            self.feature_boxes[key] = box
            feats.addWidget(box)
        feats.addStretch(1)
        layout.addLayout(feats)

    # ------------------------------------------------------------------ showing
    def _on_changed(self, what: Change) -> None:
        if what & (Change.DOCUMENT | Change.DATA):  # not per step: the knobs keep their input
            self.refresh()
        elif what & Change.SHAPE:
            self._show_hint()
        if what & (Change.BUSY | Change.DOCUMENT):
            # nothing here may change the document while a run goes or data are read:
            # greyed, not ignored (but Cancel of a read)
            s = self._session
            self.setEnabled(not s.busy or s.loading is not None)
            self.body.setEnabled(not s.busy)

    def _show_hint(self) -> None:
        """Say why the network cannot fit these data, with the fix one click away."""
        from bpviewer.core.data.fit_hints import fit_hint

        self._hint = fit_hint(self._session.network, self._session.project.data_spec)
        self.hint.setText(self._hint.text if self._hint else "")
        self.fix.setText(self._hint.fix_label if self._hint else "")
        self.hint.setVisible(self._hint is not None)
        self.fix.setVisible(self._hint is not None)

    def _apply_fix(self) -> None:
        hint = self._hint
        if hint is not None:
            self._session.set_network_shape(hint.sizes, hint.activations, hint.biases)

    def refresh(self) -> None:
        """Show the session's data."""
        self._show_hint()
        spec = self._session.project.data_spec
        data = self._session.project.dataset
        labels = f"; classes: {listed(data.class_labels, 'classes')}" if data.class_labels else ""
        val = (
            f"; {data.validation_inputs.shape[0]:,} for validation"
            if data.validation_inputs is not None
            else ""
        )
        if data.image_shape is not None:
            rows, cols = data.image_shape
            inputs = f"{len(data.input_names)} inputs ({rows}×{cols} image)"
        else:
            inputs = f"inputs {listed(data.input_names, 'inputs')}"
        self.summary.setText(
            f"{data.n_samples:,} training samples, {inputs} → targets "
            f"{listed(data.target_names, 'targets')}{val}{labels}"
        )
        if spec.get("preset") in PRESETS:  # show the built-in set in use and its knobs
            for widget in (self.preset, self.n, self.noise, self.seed):
                widget.blockSignals(True)
            self.preset.setCurrentText(spec["preset"])
            self.n.setValue(int(spec.get("n", 200)))
            self.noise.setValue(float(spec.get("noise", 0.1)))
            self.seed.setValue(int(spec.get("seed", 0)))
            for widget in (self.preset, self.n, self.noise, self.seed):
                widget.blockSignals(False)
        else:  # the data come from a CSV file or the project: no preset is in use
            with QSignalBlocker(self.preset):
                self.preset.setPlaceholderText(
                    "(none: data from " + ("a CSV file)" if "csv" in spec else "the project)")
                )
                self.preset.setCurrentIndex(-1)
        self._on_preset_chosen()
        raw_2d = data.inputs.shape[1] - len(spec.get("features") or []) == 2
        for key, box in self.feature_boxes.items():
            with QSignalBlocker(box):
                box.setChecked(key in (spec.get("features") or []))
                box.setEnabled(raw_2d)
        self.samples_model.show(data)

    # ------------------------------------------------------------------ presets
    def _on_preset_chosen(self) -> None:
        self.regenerate.setEnabled(self.preset.currentIndex() >= 0)
        tunable = self.preset.currentText() in TUNABLE
        for knob in (self.n, self.noise, self.seed):
            knob.setEnabled(tunable)  # only the generated point clouds take them

    def use_preset(self) -> bool:
        """Generate (or load) the chosen built-in data set."""
        name = self.preset.currentText()
        if name not in PRESETS:
            return False
        spec = {"preset": name}
        if name in TUNABLE:
            spec.update(n=self.n.value(), noise=self.noise.value(), seed=self.seed.value())
        if name == "iris":
            spec.update(standardize=True)
        if name == "digits":  # a held-out fifth says whether the digits are learned
            spec.update(validation_split=0.2, split_seed=0)
        return self._session.set_data(spec, text=f"Data: {name}")

    def _on_feature(self) -> None:
        spec = dict(self._session.project.data_spec)
        chosen = [k for k, box in self.feature_boxes.items() if box.isChecked()]
        spec["features"] = chosen
        if not chosen:
            spec.pop("features")
        if not self._session.set_data(spec, text="Derived inputs"):
            self.refresh()

    # ------------------------------------------------------------------ CSV
    def _choose_csv(self) -> None:
        if self.prompter is None:
            return
        path = self.prompter.open_file("Import CSV", "CSV files (*.csv);;All files (*)")
        if path:
            self.load_csv(path)

    def load_csv(self, path: str | Path) -> bool:
        """Read a CSV's header and first rows into the preview and the column lists (only
        the file's start is read: the rest is checked when it is imported)."""
        try:
            table = preview_table(path, PREVIEW_ROWS)
        except BpviewerError as exc:
            self._session.messageIssued.emit(f"{exc}; the current data stay")
            if self.prompter is not None:  # as a broken project file is: a dialog
                self.prompter.error("Cannot read the CSV file", f"{exc}\n\nThe current data stay.")
            return False
        self._csv = Path(path)
        self.csv_path.setText(str(path))
        self.preview.setColumnCount(len(table.header))
        self.preview.setHorizontalHeaderLabels(table.header)
        shown = table.rows[:PREVIEW_ROWS]
        self.preview.setRowCount(len(shown))
        for r, (_, cells) in enumerate(shown):
            for c, cell in enumerate(cells):
                self.preview.setItem(r, c, QTableWidgetItem(cell))
        self.input_list.clear()
        self.target_list.clear()
        for k, name in enumerate(table.header):
            last = k == len(table.header) - 1
            for widget, checked in ((self.input_list, not last), (self.target_list, last)):
                item = QListWidgetItem(name)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
                widget.addItem(item)
        return True

    @staticmethod
    def _checked(widget: QListWidget) -> list[str]:
        return [
            widget.item(i).text()
            for i in range(widget.count())
            if widget.item(i).checkState() == Qt.CheckState.Checked
        ]

    def csv_spec(self) -> dict:
        """The project file's ``data`` section for the CSV and the choices made."""
        spec: dict = {
            "csv": str(self._csv),
            "targets": self._checked(self.target_list),
            "inputs": self._checked(self.input_list),
        }
        if self.standardize.isChecked():
            spec["standardize"] = True
        if self.split.value() > 0:
            spec["validation_split"] = round(self.split.value(), 6)
        if self.image_rows.value() or self.image_cols.value():
            spec["image_shape"] = [self.image_rows.value(), self.image_cols.value()]
        return spec

    def import_csv(self) -> bool:
        """Use the previewed CSV with the chosen columns (the project file's code path).

        A file of BACKGROUND_BYTES or more is read in the background: True then says the
        read started, and :attr:`loader` tells how it ended (``finished``, ``outcome``)."""
        if self._csv is None:
            self._session.messageIssued.emit("choose a CSV file first")
            return False
        spec, text = self.csv_spec(), f"Import {self._csv.name}"
        if "image_shape" in spec:  # refused before a big file is read for nothing
            try:
                check_image_shape(spec["image_shape"], len(spec["inputs"]))
            except BpviewerError as exc:
                return self._refused(f"{self._csv.name}: {exc}; the current data stay")
        try:
            big = self._csv.stat().st_size >= BACKGROUND_BYTES
        except OSError:
            big = False  # set_data says what is wrong with the file
        if big:
            if not self.loader.load(spec, text=text, what=self._csv.name):
                return False
            self.show_reading(self._csv.name)
            return True
        with self._session.messages() as said:
            ok = self._session.set_data(spec, text=text)
        if not ok and said and self.prompter is not None:  # as a broken project file is
            self.prompter.error("Cannot import the CSV file", said[-1])
        return ok

    def _refused(self, message: str) -> bool:
        self._session.messageIssued.emit(message)
        if self.prompter is not None:
            self.prompter.error("Cannot import the CSV file", message)
        return False

    # ------------------------------------------------------------------ reading
    def show_reading(self, name: str) -> None:
        """Progress and Cancel for a read the window started (a big project file)."""
        self.progress_text.setText(f"Reading {name}…")
        self.progress.setValue(0)
        self.progress_row.show()

    def cancel_loading(self) -> None:
        """Stop the read going; the current data stay."""
        self.loader.cancel()
        self.progress_text.setText(f"Cancelling {self._session.loading or ''}…")

    def _on_progress(self, fraction: float) -> None:
        self.progress.setValue(round(fraction * 100))

    def _on_loaded(self, applied: bool, message: str) -> None:
        self.progress_row.hide()
        self.progress.setValue(0)
        imported = not self.loader.was_project  # File → Open says its own errors
        if not applied and imported and not self.loader.cancelled and self.prompter is not None:
            self.prompter.error("Cannot import the CSV file", message)


def listed(names: list[str], what: str) -> str:
    """``a, b, c`` for a few names; ``a, b, c, …, z (64 inputs)`` for many."""
    if len(names) <= LISTED_NAMES:
        return ", ".join(names)
    return f"{', '.join(names[:3])}, …, {names[-1]} ({len(names)} {what})"


class SamplesModel(QAbstractTableModel):
    """The training samples, one row each: the inputs, then the targets.  Cells are
    formatted when drawn, so a million samples cost what the rows in view cost."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._inputs = np.zeros((0, 0))  # (N, n)
        self._targets = np.zeros((0, 0))  # (N, K)
        self._names: list[str] = []

    def show(self, data: Dataset) -> None:
        """Show ``data``'s training samples (the arrays are read, never changed)."""
        self.beginResetModel()
        self._inputs, self._targets = data.inputs, data.targets
        self._names = [*data.input_names, *data.target_names]
        self.endResetModel()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008 (Qt's API)
        return 0 if parent.isValid() else self._inputs.shape[0]

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._names)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole or not index.isValid():
            return None
        r, c = index.row(), index.column()
        n = self._inputs.shape[1]
        return fmt(self._inputs[r, c] if c < n else self._targets[r, c - n])

    def headerData(self, section: int, orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self._names[section] if section < len(self._names) else None
        return str(section + 1)
