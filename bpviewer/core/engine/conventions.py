"""How δ and the weight matrices are *shown*: the display conventions.

The engine has one convention and never changes it: δ = −∂E/∂z (the exercise's sign) and a
layer's weights stored as W[i, j], i the unit it comes *from*, j the unit it goes *to*
(shape (n_from, n_to)), as the JSON outputs, project files, ``bpviewer check`` and the
index form ``w1[i,j]`` use.  A reader used to another text may prefer to *see*

- δ as ∂E/∂z (Nielsen's book, CS231n): every δ shown is negated, the output δ's formula
  is the negated one ((y − t)·σ′(z) for ½Σ(t − y)²), the hidden δ = f′(z)·Σ w·δ keeps its
  form (it is linear in δ), and ∂E/∂w = a·δ loses its minus; ΔW = −η·∂E/∂w is the same;
- weight tables as (to, from), as PyTorch's ``Linear.weight`` stores them: W.T, one row
  per unit a weight goes to (and its bias in the last column).

:class:`Conventions` holds the two choices and the few helpers the views need; it only ever
changes what is shown, never a number the engine computes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: δ as the exercise's −∂E/∂z, or as the derivative ∂E/∂z.
DELTA_SIGNS = ("exercise", "derivative")
#: Weight tables as (from, to) rows × columns, or as (to, from).
LAYOUTS = ("from_to", "to_from")


def layout_name(text: str) -> str:
    """A layout from how a user writes it (``from-to``, ``to_from``…); ValueError otherwise."""
    name = text.strip().lower().replace("-", "_").replace(",", "_").replace(" ", "")
    if name not in LAYOUTS:
        raise ValueError(f"unknown layout {text!r} (choose from-to or to-from)")
    return name


@dataclass(frozen=True)
class Conventions:
    """The display conventions: ``delta_sign`` one of :data:`DELTA_SIGNS`, ``layout`` one
    of :data:`LAYOUTS`.  The default is the exercise's (−∂E/∂z, (from, to))."""

    delta_sign: str = "exercise"
    layout: str = "from_to"

    def __post_init__(self) -> None:
        if self.delta_sign not in DELTA_SIGNS:
            raise ValueError(
                f"unknown δ sign {self.delta_sign!r} (choose one of: {', '.join(DELTA_SIGNS)})"
            )
        if self.layout not in LAYOUTS:
            raise ValueError(
                f"unknown layout {self.layout!r} (choose one of: {', '.join(LAYOUTS)})"
            )

    # ------------------------------------------------------------------ δ
    @property
    def derivative(self) -> bool:
        """Whether δ is shown as ∂E/∂z (the engine's δ negated)."""
        return self.delta_sign == "derivative"

    @property
    def sign(self) -> float:
        """+1.0 or −1.0: what the engine's δ is multiplied by to be shown."""
        return -1.0 if self.derivative else 1.0

    def shown_delta(self, values):
        """The engine's δ (an array of any shape, or a float) as shown: itself or negated."""
        return -values if self.derivative else values

    @property
    def delta_definition(self) -> str:
        """``δ = −∂E/∂z`` or ``δ = ∂E/∂z``."""
        return "δ = ∂E/∂z" if self.derivative else "δ = −∂E/∂z"

    @property
    def delta_source(self) -> str:
        """Where the convention comes from, for a line of text."""
        return "as in Nielsen's book and CS231n" if self.derivative else "as in the exercise"

    @property
    def gradient_sign(self) -> str:
        """The sign before a·δ in ∂E/∂w: ``−`` (the exercise's δ) or '' (δ = ∂E/∂z)."""
        return "" if self.derivative else "−"

    # ------------------------------------------------------------------ weight tables
    @property
    def transposed(self) -> bool:
        """Whether weight tables are shown (to, from): rows are the units weights go to."""
        return self.layout == "to_from"

    def shown_weights(self, w: np.ndarray) -> np.ndarray:
        """A layer's (n_from, n_to) matrix as shown: itself, or its transpose (n_to, n_from)."""
        return w.T if self.transposed else w

    @property
    def layout_text(self) -> str:
        """``(from, to)`` or ``(to, from)``, for a line of text."""
        return "(to, from)" if self.transposed else "(from, to)"

    def describe(self) -> str:
        """One line naming both choices (``δ = ∂E/∂z (…); weights as (to, from)``)."""
        return f"{self.delta_definition} ({self.delta_source}); weights as {self.layout_text}"


#: The exercise's conventions, the default everywhere.
EXERCISE = Conventions()
