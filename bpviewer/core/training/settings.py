"""Training settings: the loss, the batching and the update rule's settings.

Not a file format: the project file, the panels, the command line and the API all build
one :class:`TrainingSettings`, and every value is checked here, once.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from bpviewer.core.engine.losses import get_loss
from bpviewer.core.engine.optimizers import OPTIMIZER_KEYS, OptimizerSettings

#: The training settings a project file and the panels name, in the file's order; the
#: update rule's own (learning rate, …) live in an :class:`OptimizerSettings`.
TRAINING_KEYS = (
    "loss",
    "learning_rate",
    "batch_size",
    "optimizer",
    "momentum",
    "beta1",
    "beta2",
    "eps",
    "weight_decay",
    "update_biases",
    "shuffle",
    "seed",
)
_UPDATE_KEYS = {"optimizer": "name", **{k: k for k in OPTIMIZER_KEYS}}
#: How the window and its undo texts name each setting.
SETTING_LABELS = {
    "loss": "loss",
    "learning_rate": "η",
    "batch_size": "batch",
    "optimizer": "optimizer",
    "momentum": "μ",
    "beta1": "β₁",
    "beta2": "β₂",
    "eps": "ε",
    "weight_decay": "λ",
    "update_biases": "update biases",
    "shuffle": "shuffle",
    "seed": "seed",
}


@dataclass(frozen=True, init=False)
class TrainingSettings:
    """The ``training`` section: loss, batching, and the update rule's settings.

    Built from the flat names of the file (``TrainingSettings(loss="mse",
    learning_rate=0.1)``); the update rule's ones go into :attr:`update`, an
    :class:`OptimizerSettings`, and read back as attributes (``settings.learning_rate``,
    ``settings.optimizer`` for its name).  Every value is checked here, once: a bad one
    raises ValueError naming the setting and why, for the panels and the files alike.
    """

    loss: str
    update: OptimizerSettings
    batch_size: int | str
    update_biases: bool
    shuffle: bool
    seed: int

    def __init__(
        self,
        loss: str = "half_sse",
        update: OptimizerSettings | None = None,
        batch_size: int | str = 1,
        update_biases: bool = True,
        shuffle: bool = False,
        seed: int = 0,
        **rule: Any,
    ) -> None:
        unknown = sorted(set(rule) - set(_UPDATE_KEYS))
        if unknown:
            raise TypeError(f"unknown training setting {unknown[0]!r}")
        changes = {_UPDATE_KEYS[k]: v for k, v in rule.items()}
        update = update or OptimizerSettings()
        set_ = object.__setattr__
        set_(self, "loss", loss)
        set_(self, "update", replace(update, **changes) if changes else update)
        set_(self, "batch_size", batch_size)
        set_(self, "update_biases", update_biases)
        set_(self, "shuffle", shuffle)
        set_(self, "seed", seed)
        get_loss(loss)
        if batch_size != "full" and (
            isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1
        ):
            raise ValueError(
                f'training.batch_size must be a positive integer or "full", got {batch_size!r}'
            )
        for key in ("update_biases", "shuffle"):
            if not isinstance(getattr(self, key), bool):
                raise ValueError(f"training.{key} must be true or false")
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise ValueError("training.seed must be an integer")

    def __getattr__(self, name: str) -> Any:
        # the update rule's settings read as the file names them (only called for names
        # that are not fields)
        if name in _UPDATE_KEYS:
            return getattr(self.update, _UPDATE_KEYS[name])
        raise AttributeError(name)

    def changed(self, **changes: Any) -> TrainingSettings:
        """These settings with some changed, by the file's names (checked as any)."""
        return replace(self, **changes)

    def as_dict(self) -> dict[str, Any]:
        """The flat ``training`` section of a project file."""
        return {key: getattr(self, key) for key in TRAINING_KEYS}

    def optimizer_settings(self) -> OptimizerSettings:
        """The update rule's part of these settings."""
        return self.update

    def batch_length(self, n_samples: int) -> int:
        """Samples per batch for a data set of ``n_samples``."""
        return n_samples if self.batch_size == "full" else min(int(self.batch_size), n_samples)
