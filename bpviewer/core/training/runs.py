"""A training run as the document keeps it: its trainer (the history to rewind into), the
network and data it started from, and what it produced so far."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from bpviewer.core.engine.network import Network
from bpviewer.core.engine.notation import fmt
from bpviewer.core.training.settings import SETTING_LABELS, TrainingSettings

if TYPE_CHECKING:  # the engine's training modules load with the first run
    from bpviewer.core.data.datasets import Dataset
    from bpviewer.core.training.trainer import Trainer
    from bpviewer.core.training.training_run import Chunk, RunResult


@dataclass(eq=False)
class Run:
    """One training run of a document.

    ``template`` is the network the run started from (its shape decides whether the run
    still fits the document); ``dataset`` the data it trained on (a rewind replays on
    them, whatever the document's data are now); ``latest_params`` (P,) the flat
    parameters of its newest chunk, for live views, None once it ended.
    """

    number: int
    trainer: Trainer
    start: int
    settings: TrainingSettings
    template: Network
    dataset: Dataset
    label: str = ""
    result: RunResult | None = None
    chunks: list[Chunk] = field(default_factory=list)
    latest_params: np.ndarray | None = None
    tracked_labels: list[str] = field(default_factory=list)

    @property
    def end(self) -> int:
        """The iteration after the last one run."""
        return self.trainer.iteration

    @property
    def running(self) -> bool:
        """Whether the run has not ended yet."""
        return self.result is None

    def fits(self, network: Network) -> bool:
        """Whether the run's parameters can be put into ``network`` (same shape)."""
        return self.template.same_shape(network)

    def live_network(self) -> Network | None:
        """The network of the newest chunk (a copy), while the run goes and sends them."""
        if self.latest_params is None:
            return None
        from bpviewer.core.training.trainer import network_from_flat

        return network_from_flat(self.template, self.latest_params)


#: The settings a run's label compares, in that order.
COMPARED = (
    "learning_rate",
    "batch_size",
    "optimizer",
    "weight_decay",
    "momentum",
    "loss",
    "shuffle",
)


def describe_change(old: TrainingSettings | None, new: TrainingSettings) -> str:
    """What changed between two runs' settings (``η 0.5 → 0.1``); η is always named
    (``η 0.1, same settings``)."""
    if old is None:
        return f"η {fmt(new.learning_rate)}, {new.optimizer}, batch {new.batch_size}"
    parts = []
    for key in COMPARED:
        a, b = getattr(old, key), getattr(new, key)
        if a != b:
            parts.append(
                f"{SETTING_LABELS[key]} {fmt(a) if isinstance(a, float) else a} → "
                f"{fmt(b) if isinstance(b, float) else b}"
            )
    if old.learning_rate == new.learning_rate:
        parts.insert(0, f"η {fmt(new.learning_rate)}")
        if len(parts) == 1:
            return f"{parts[0]}, same settings"
    return ", ".join(parts)
