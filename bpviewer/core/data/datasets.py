"""Data sets: inline arrays, CSV files and generated examples, with optional
standardisation and a train/validation split.

Shapes: inputs (N, n_inputs), targets (N, n_outputs).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bpviewer.core.data.csvdata import Progress, load_csv
from bpviewer.core.errors import DataError
from bpviewer.core.paths import resource_path

GENERATED = ("xor", "and", "or", "circle", "gaussians", "spiral")
BUNDLED_CSV = {"iris": ("iris.csv", ["species"])}
#: Bundled image sets: name -> (file under resources/, image shape (rows, columns)).
BUNDLED_IMAGES = {"digits": ("digits.npy", (8, 8))}
PRESETS = (*GENERATED, *BUNDLED_CSV, *BUNDLED_IMAGES)

#: The digits' pixels are counts 0..16 (on-pixels in a 4×4 block); inputs are count / 16.
DIGITS_SCALE = 16.0


@dataclass
class Dataset:
    """Training samples and, when a split is set, validation samples.

    ``inputs`` (N, n), ``targets`` (N, K); ``validation_inputs`` (M, n) and
    ``validation_targets`` (M, K) or None; ``class_labels`` names the one-hot columns of a
    categorical target; ``mean``/``std`` (n,) are the standardisation applied, or None.
    ``image_shape`` (rows, columns), when set, says each sample's n inputs are an image read
    row by row: ``inputs[k].reshape(image_shape)`` is sample k's picture (rows × columns = n).
    """

    inputs: np.ndarray
    targets: np.ndarray
    input_names: list[str] = field(default_factory=list)
    target_names: list[str] = field(default_factory=list)
    class_labels: list[str] | None = None
    validation_inputs: np.ndarray | None = None
    validation_targets: np.ndarray | None = None
    mean: np.ndarray | None = None
    std: np.ndarray | None = None
    image_shape: tuple[int, int] | None = None

    def __post_init__(self) -> None:
        n, k = self.inputs.shape[1], self.targets.shape[1]
        if self.image_shape is not None:
            self.image_shape = check_image_shape(self.image_shape, n)
        if not self.input_names:
            self.input_names = [f"x{i + 1}" for i in range(n)]
        if not self.target_names:
            self.target_names = [f"t{i + 1}" for i in range(k)]

    @property
    def n_samples(self) -> int:
        """Training samples N."""
        return int(self.inputs.shape[0])

    def as_image(self, values: np.ndarray) -> np.ndarray:
        """``values`` (n,), one number per input (a sample's inputs, or a first-layer unit's
        incoming weights ``W₁[:, j]``: its receptive field), as an image (rows, columns) laid
        out row by row; ValueError if these data declare no image shape."""
        if self.image_shape is None:
            raise ValueError("these data declare no image shape")
        return np.asarray(values).reshape(self.image_shape)

    def sample_image(self, row: int, *, validation: bool = False) -> np.ndarray:
        """Sample ``row`` (of the validation rows if ``validation``) as an image (rows,
        columns) in the data's own scale: standardisation, if any, is undone."""
        x = (self.validation_inputs if validation else self.inputs)[row]
        if self.mean is not None and self.std is not None:
            x = x * self.std + self.mean
        return self.as_image(x)


def check_image_shape(value: Any, n_inputs: int) -> tuple[int, int]:
    """``value`` as an image shape (rows, columns) of ``n_inputs`` pixels, or DataError."""
    if (
        not isinstance(value, (list, tuple))
        or len(value) != 2
        or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in value)
        or min(value) < 1
    ):
        raise DataError(
            f"data.image_shape must be two positive whole numbers [rows, columns], "
            f"e.g. [8, 8]; got {value!r}"
        )
    rows, cols = int(value[0]), int(value[1])
    if rows * cols != n_inputs:
        raise DataError(
            f"data.image_shape [{rows}, {cols}] holds {rows * cols} pixels, "
            f"but the data have {n_inputs} inputs"
        )
    return rows, cols


def load_digits() -> Dataset:
    """The bundled 8×8 handwritten digits: inputs (1797, 64), the pixel counts 0..16 divided
    by 16 (so in [0, 1], row by row), targets (1797, 10) one-hot over the digits 0..9.

    The file ``resources/digits.npy`` is a uint8 array (1797, 65): 64 pixels, then the digit.
    """
    file, shape = BUNDLED_IMAGES["digits"]
    path = resource_path(file)
    try:
        table = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise DataError(f"{path}: cannot be read ({exc})") from None
    n = shape[0] * shape[1]
    if table.dtype != np.uint8 or table.ndim != 2 or table.shape[1] != n + 1:
        raise DataError(f"{path}: expected a uint8 table of {n + 1} columns, got {table.shape}")
    pixels, labels = table[:, :n], table[:, n]
    if pixels.max() > DIGITS_SCALE or labels.max() > 9:
        raise DataError(f"{path}: pixel counts must be 0..16 and digits 0..9")
    names = [f"r{r + 1}c{c + 1}" for r in range(shape[0]) for c in range(shape[1])]
    digits = [str(d) for d in range(10)]
    return Dataset(
        pixels / DIGITS_SCALE,
        np.eye(10)[labels],
        names,
        [f"digit={d}" for d in digits],
        digits,
        image_shape=shape,
    )


def _logic(name: str) -> tuple[np.ndarray, np.ndarray]:
    x = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    a, b = x[:, 0].astype(bool), x[:, 1].astype(bool)
    t = {"xor": a ^ b, "and": a & b, "or": a | b}[name]
    return x, t.astype(np.float64)[:, None]


def generate(name: str, *, n: int = 200, noise: float = 0.1, seed: int = 0) -> Dataset:
    """A generated 2-D data set.

    ``xor``/``and``/``or``: the four corners of the unit square, one target.
    ``circle``: points in [−1, 1]², target 1 inside radius 0.5 (one sigmoid output).
    ``gaussians``: two Gaussian blobs, target 1 for the second.
    ``spiral``: three interleaved spiral arms, one-hot over the three arms.
    ``noise`` scales the jitter and ``seed`` fixes the draw; both are ignored by the logic sets.
    """
    if name in ("xor", "and", "or"):
        x, t = _logic(name)
        return Dataset(x, t)
    if n < 2:
        raise DataError(f"preset {name}: n must be at least 2, got {n}")
    rng = np.random.default_rng(seed)
    if name == "circle":
        x = rng.uniform(-1.0, 1.0, size=(n, 2))
        r = np.hypot(x[:, 0], x[:, 1]) + rng.normal(0.0, noise * 0.5, size=n)
        return Dataset(x, (r < 0.5).astype(np.float64)[:, None])
    if name == "gaussians":
        labels = np.arange(n) % 2
        centres = np.array([[-0.5, -0.5], [0.5, 0.5]])
        x = centres[labels] + rng.normal(0.0, 0.2 + noise, size=(n, 2))
        return Dataset(x, labels.astype(np.float64)[:, None])
    if name == "spiral":
        arms = 3
        labels = np.arange(n) % arms
        r = np.linspace(0.05, 1.0, n)
        theta = labels * (2 * np.pi / arms) + r * 4.0 + rng.normal(0.0, noise, size=n)
        x = np.column_stack([r * np.sin(theta), r * np.cos(theta)])
        return Dataset(x, np.eye(arms)[labels], class_labels=[f"arm {i + 1}" for i in range(arms)])
    raise DataError(f"unknown data preset {name!r} (choose one of: {', '.join(PRESETS)})")


def _as_matrix(value: Any, what: str) -> np.ndarray:
    try:
        arr = np.array(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise DataError(f"data.{what} must be a list of rows of numbers") from None
    if arr.ndim == 1:
        arr = arr[:, None] if what == "targets" else arr[None, :]
    if arr.ndim != 2 or arr.size == 0:
        raise DataError(f"data.{what} must be a non-empty list of rows of numbers")
    if not np.all(np.isfinite(arr)):
        raise DataError(f"data.{what} contains NaN or infinity")
    return arr


def build_dataset(
    spec: dict[str, Any], base_dir: Path, *, progress: Progress | None = None
) -> Dataset:
    """The data set a project's ``data`` section describes; CSV paths are relative to
    ``base_dir`` (the project file's folder).

    ``progress`` is called with the fraction of a CSV file read (see
    :func:`~bpviewer.core.data.csvdata.load_csv`; returning False cancels the read)."""
    if not isinstance(spec, dict):
        raise DataError("data must be an object")
    if "preset" in spec:
        name = spec["preset"]
        if name in BUNDLED_CSV:
            file, targets = BUNDLED_CSV[name]
            data = _from_csv(resource_path(file), targets, None)
        elif name in BUNDLED_IMAGES:
            data = load_digits()
        else:
            data = generate(
                name,
                n=int(spec.get("n", 200)),
                noise=float(spec.get("noise", 0.1)),
                seed=int(spec.get("seed", 0)),
            )
    elif "csv" in spec:
        targets = spec.get("targets")
        if not isinstance(targets, list) or not all(isinstance(t, str) for t in targets):
            raise DataError('data.targets must list the target column names, e.g. ["y"]')
        path = Path(spec["csv"])
        data = _from_csv(
            path if path.is_absolute() else base_dir / path,
            targets,
            spec.get("inputs"),
            progress,
        )
    elif "inputs" in spec and "targets" in spec:
        x, t = _as_matrix(spec["inputs"], "inputs"), _as_matrix(spec["targets"], "targets")
        if x.shape[0] != t.shape[0]:
            raise DataError(f"data has {x.shape[0]} input rows but {t.shape[0]} target rows")
        data = Dataset(x, t)
    else:
        raise DataError('data needs "inputs" and "targets", a "csv" file, or a "preset"')
    features = spec.get("features") or []
    if features:
        from bpviewer.core.data.features import LABELS, with_features

        try:
            x = with_features(data.inputs, list(features))
        except ValueError as exc:
            raise DataError(f"data.features: {exc}") from None
        data = Dataset(
            x,
            data.targets,
            [*data.input_names, *(LABELS[f] for f in features)],
            data.target_names,
            data.class_labels,
        )
    if "image_shape" in spec:  # declared, or null for none (a preset's own is overridden)
        shape = spec["image_shape"]
        data.image_shape = None if shape is None else check_image_shape(shape, data.inputs.shape[1])
    return split_and_standardize(
        data,
        validation_split=float(spec.get("validation_split", 0.0)),
        split_seed=int(spec.get("split_seed", 0)),
        standardize=bool(spec.get("standardize", False)),
    )


def _from_csv(
    path: Path, targets: list[str], inputs: list[str] | None, progress: Progress | None = None
) -> Dataset:
    csv = load_csv(path, targets, inputs, progress=progress)
    return Dataset(csv.inputs, csv.targets, csv.input_names, csv.target_names, csv.class_labels)


def split_and_standardize(
    data: Dataset,
    *,
    validation_split: float = 0.0,
    split_seed: int = 0,
    standardize: bool = False,
) -> Dataset:
    """Hold out a seeded ``validation_split`` fraction and/or standardise the inputs with the
    training rows' mean and standard deviation."""
    x, t = data.inputs, data.targets
    vx = vt = None
    if not 0.0 <= validation_split < 1.0:
        raise DataError(f"data.validation_split must be in [0, 1), got {validation_split}")
    if validation_split > 0.0:
        n_val = round(validation_split * x.shape[0])
        if n_val < 1 or n_val >= x.shape[0]:
            raise DataError(
                f"a validation split of {validation_split} leaves no training or no "
                f"validation rows out of {x.shape[0]}"
            )
        order = np.random.default_rng(split_seed).permutation(x.shape[0])
        val, train = np.sort(order[:n_val]), np.sort(order[n_val:])
        x, t, vx, vt = x[train], t[train], x[val], t[val]
    mean = std = None
    if standardize:
        mean = x.mean(axis=0)
        std = x.std(axis=0)
        std[std == 0.0] = 1.0
        x = (x - mean) / std
        if vx is not None:
            vx = (vx - mean) / std
    return Dataset(
        x,
        t,
        data.input_names,
        data.target_names,
        data.class_labels,
        vx,
        vt,
        mean,
        std,
        data.image_shape,
    )
