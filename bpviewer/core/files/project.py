"""The project file (JSON): network, training settings and data, read and written.

The contract (format ``bpviewer-project``, version 1) is described in the README.  Reading
validates everything and raises :class:`ProjectError` naming the file and the problem;
unknown keys are kept in ``Project.warnings`` rather than refused.  Writing is atomic.
"""

from __future__ import annotations

import copy
import json
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from bpviewer.core.data.datasets import Dataset, build_dataset
from bpviewer.core.engine.activations import get_activation
from bpviewer.core.engine.initializers import INIT_SCHEMES, initial_weights
from bpviewer.core.engine.losses import get_loss
from bpviewer.core.engine.network import Network
from bpviewer.core.engine.optimizers import OPTIMIZER_KEYS
from bpviewer.core.errors import BpviewerError, DataError, ProjectError
from bpviewer.core.files.atomic import write_atomic
from bpviewer.core.training.settings import TRAINING_KEYS, TrainingSettings

FORMAT = "bpviewer-project"
VERSION = 1

_TOP_KEYS = {"format", "version", "name", "description", "network", "training", "data"}
_NETWORK_KEYS = {"layer_sizes", "activations", "weights", "biases", "init", "seed"}
_DATA_KEYS = {
    "inputs",
    "targets",
    "csv",
    "preset",
    "n",
    "noise",
    "seed",
    "standardize",
    "validation_split",
    "split_seed",
    "features",
    "image_shape",
}


@dataclass
class Project:
    """A network with its training settings and data set.

    ``data_spec`` is the ``data`` section as written in the file (so it saves back the same);
    ``path`` is the file it was read from, if any; ``warnings`` lists ignored keys.
    """

    network: Network
    training: TrainingSettings
    data_spec: dict[str, Any]
    dataset: Dataset
    name: str = ""
    description: str = ""
    path: Path | None = None
    warnings: list[str] = field(default_factory=list)

    def copy(self) -> Project:
        """A deep copy (network, data spec and data arrays included)."""
        return replace(
            self,
            network=self.network.copy(),
            data_spec=copy.deepcopy(self.data_spec),
            dataset=copy.deepcopy(self.dataset),
            warnings=list(self.warnings),
        )

    # ------------------------------------------------------------------ to JSON
    def to_dict(self, relative_to: Path | None = None) -> dict[str, Any]:
        """The project as the JSON object of the file format.

        A relative CSV path is rewritten so it stays correct when the file is written into
        the folder ``relative_to``.
        """
        net = self.network
        data = copy.deepcopy(self.data_spec)
        if "csv" in data and self.path is not None and relative_to is not None:
            src = Path(data["csv"])
            if not src.is_absolute():
                absolute = (self.path.parent / src).resolve()
                data["csv"] = os.path.relpath(absolute, relative_to.resolve())
        out: dict[str, Any] = {"format": FORMAT, "version": VERSION}
        if self.name:
            out["name"] = self.name
        if self.description:
            out["description"] = self.description
        out["network"] = {
            "layer_sizes": list(net.layer_sizes),
            "activations": list(net.activations),
            "weights": [w.tolist() for w in net.weights],
            "biases": [None if b is None else b.tolist() for b in net.biases],
        }
        out["training"] = self.training.as_dict()
        out["data"] = data
        return out

    def to_json(self, relative_to: Path | None = None) -> str:
        """The project file's text (float64 values round-trip exactly)."""
        return json.dumps(self.to_dict(relative_to), indent=2, allow_nan=False) + "\n"


def save_project(project: Project, path: str | os.PathLike[str]) -> None:
    """Write ``project`` to ``path`` atomically and remember the path."""
    target = Path(path)
    write_atomic(target, project.to_json(relative_to=target.parent))
    project.path = target


def load_project(path: str | os.PathLike[str], progress: Any = None) -> Project:
    """Read and validate a project file; :class:`ProjectError` names the file and problem.
    ``progress`` (fraction → whether to go on) follows the reading of its data, as in
    :func:`~bpviewer.core.data.datasets.build_dataset`."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ProjectError(f"{p}: no such file") from None
    except IsADirectoryError:
        raise ProjectError(f"{p}: is a folder, not a project file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ProjectError(f"{p}: cannot be read ({exc})") from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ProjectError(
            f"{p}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    try:
        project = project_from_dict(raw, base_dir=p.parent, progress=progress)
    except BpviewerError as exc:
        raise ProjectError(f"{p}: {exc}") from None
    project.path = p
    return project


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ProjectError(f"{where} must be a number, got {value!r}")
    if not np.isfinite(value):
        raise ProjectError(f"{where} must be finite, got {value!r}")
    return float(value)


def _matrix(value: Any, where: str) -> np.ndarray:
    try:
        arr = np.array(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ProjectError(f"{where} must be a 2-D list of numbers") from None
    if arr.ndim != 2:
        raise ProjectError(f"{where} must be 2-D (a list of rows), got {arr.ndim}-D")
    if not np.all(np.isfinite(arr)):
        raise ProjectError(f"{where} contains NaN or infinity")
    return arr


def _unknown(section: dict[str, Any], allowed: set[str], where: str) -> list[str]:
    return [f"unknown key {where}{k!r} ignored" for k in section if k not in allowed]


def project_from_dict(raw: Any, base_dir: Path = Path("."), progress: Any = None) -> Project:
    """Build and validate a project from the file format's JSON object."""
    if not isinstance(raw, dict):
        raise ProjectError("the file must hold a JSON object")
    if raw.get("format") != FORMAT:
        raise ProjectError(f'"format" must be "{FORMAT}", got {raw.get("format")!r}')
    if raw.get("version") != VERSION:
        raise ProjectError(
            f"unsupported version {raw.get('version')!r} (this bpviewer reads {VERSION})"
        )
    warnings = _unknown(raw, _TOP_KEYS, "")
    net_raw = raw.get("network")
    if not isinstance(net_raw, dict):
        raise ProjectError('"network" must be an object')
    warnings += _unknown(net_raw, _NETWORK_KEYS, "network.")
    network = _network(net_raw)
    training, more = _training(raw.get("training", {}))
    warnings += more
    try:
        get_loss(training.loss).check_pairing(network.activations[-1])
    except ValueError as exc:
        raise ProjectError(str(exc)) from None
    data_spec = raw.get("data")
    if not isinstance(data_spec, dict):
        raise ProjectError('"data" must be an object')
    warnings += _unknown(data_spec, _DATA_KEYS | {"inputs"}, "data.")
    dataset = build_dataset(data_spec, base_dir, progress=progress)
    sizes = network.layer_sizes
    if dataset.inputs.shape[1] != sizes[0]:
        raise DataError(
            f"data inputs have {dataset.inputs.shape[1]} columns, "
            f"the network's input layer has {sizes[0]} units"
        )
    if dataset.targets.shape[1] != sizes[-1]:
        raise DataError(
            f"data targets have {dataset.targets.shape[1]} columns, "
            f"the network's output layer has {sizes[-1]} units"
        )
    return Project(
        network,
        training,
        data_spec,
        dataset,
        str(raw.get("name", "")),
        str(raw.get("description", "")),
        None,
        warnings,
    )


def _network(raw: dict[str, Any]) -> Network:
    sizes = raw.get("layer_sizes")
    if (
        not isinstance(sizes, list)
        or len(sizes) < 2
        or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in sizes)
    ):
        raise ProjectError("network.layer_sizes must list at least two positive integers")
    n_layers = len(sizes) - 1
    acts = raw.get("activations")
    if not isinstance(acts, list) or len(acts) != n_layers:
        raise ProjectError(f"network.activations must list {n_layers} activation names")
    for name in acts:
        try:
            get_activation(name)
        except ValueError as exc:
            raise ProjectError(f"network.activations: {exc}") from None
    init = raw.get("init", "glorot")
    if init not in INIT_SCHEMES:
        raise ProjectError(
            f"network.init: unknown init {init!r} (choose one of: {', '.join(INIT_SCHEMES)})"
        )
    rng = None  # drawn from only for omitted weights (numpy.random loads on first use)
    weights_raw = raw.get("weights")
    if weights_raw is not None and (
        not isinstance(weights_raw, list) or len(weights_raw) != n_layers
    ):
        raise ProjectError(f"network.weights must list {n_layers} matrices")
    biases_raw = raw.get("biases", [None] * n_layers)
    if not isinstance(biases_raw, list) or len(biases_raw) != n_layers:
        raise ProjectError(f"network.biases must list {n_layers} entries (null for no bias)")
    weights, biases = [], []
    for i in range(n_layers):
        shape = (sizes[i], sizes[i + 1])
        if weights_raw is None or weights_raw[i] is None:
            rng = rng or np.random.default_rng(int(raw.get("seed", 0)))
            w = initial_weights(*shape, init, rng)
        else:
            w = _matrix(weights_raw[i], f"network.weights[{i}]")
            if w.shape != shape:
                raise ProjectError(
                    f"network.weights[{i}] has shape {w.shape}, expected {shape} "
                    f"(rows = from-units, columns = to-units)"
                )
        weights.append(w)
        b = biases_raw[i]
        if b is None or b is False:
            biases.append(None)
        elif b is True:
            biases.append(np.zeros(sizes[i + 1]))
        else:
            arr = (
                np.array([_number(v, f"network.biases[{i}]") for v in b])
                if isinstance(b, list)
                else None
            )
            if arr is None or arr.shape != (sizes[i + 1],):
                raise ProjectError(
                    f"network.biases[{i}] must list {sizes[i + 1]} numbers, true or null"
                )
            biases.append(arr)
    try:
        return Network(tuple(sizes), tuple(acts), weights, biases)
    except ValueError as exc:
        raise ProjectError(f"network: {exc}") from None


def _training(raw: Any) -> tuple[TrainingSettings, list[str]]:
    if not isinstance(raw, dict):
        raise ProjectError('"training" must be an object')
    warnings = _unknown(raw, set(TRAINING_KEYS), "training.")
    values = {k: v for k, v in raw.items() if k in TRAINING_KEYS}
    for key in OPTIMIZER_KEYS:
        if key in values:
            values[key] = _number(values[key], f"training.{key}")
    try:
        return TrainingSettings(**values), warnings
    except (TypeError, ValueError) as exc:
        message = str(exc)
        raise ProjectError(
            message if message.startswith("training") else f"training: {message}"
        ) from None
