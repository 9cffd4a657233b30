"""Settings a new network starts from: ones that train it.

Adam at η = 0.01 in batches of 16 (all samples when there are 16 or fewer) lowers the
loss of every built-in example, and of a 2-64-64-3 ReLU network on the spiral, by more
than half in 2,000 iterations (``tests/test_presets_learn.py``); plain SGD at the course's
η = 0.5 in single samples diverges on the wide ReLU networks people try first.
"""

from __future__ import annotations

from bpviewer.core.training.settings import TrainingSettings

LEARNING_RATE = 0.01
BATCH = 16


def suggested_training(loss: str, n_samples: int) -> TrainingSettings:
    """Training settings for a new network with ``loss`` on ``n_samples`` samples."""
    batch = "full" if n_samples <= BATCH else BATCH
    return TrainingSettings(
        loss=loss, learning_rate=LEARNING_RATE, optimizer="adam", batch_size=batch
    )
