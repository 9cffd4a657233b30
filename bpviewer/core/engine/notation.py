"""How quantities are named and numbers written, the same way in the CLI and the window.

Units are labelled x₁… (inputs), h₁… (hidden; h⁽²⁾₁… when there are several hidden layers)
and y₁… (outputs).  A network with exactly one hidden layer also gets the course exercise's
variable names (``hidden_layer_input``, ``output_error_term``, ``delta_w_h_o``…), which the
solution checker uses too.
"""

from __future__ import annotations

_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_SUP = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")

#: Significant digits shown by default; copies and tooltips give full precision (``repr``).
DIGITS = 6


def fmt(value: float) -> str:
    """A number as shown everywhere: 6 significant digits, ASCII minus."""
    v = float(value)
    if v == 0.0:
        return "0"
    return f"{v:.{DIGITS}g}"


def full(value: float) -> str:
    """A number at full float64 precision (round-trips exactly)."""
    return repr(float(value))


def shown(value: float) -> str:
    """A number for display inside a formula, parenthesised when negative."""
    s = fmt(value)
    return f"({s})" if s.startswith("-") else s


def exact(value: float) -> str:
    """A number for an evaluable expression, at full precision, parenthesised."""
    return f"({full(value)})"


def sub(n: int) -> str:
    """``n`` as subscript digits."""
    return str(n).translate(_SUB)


def sup(n: int) -> str:
    """``n`` as superscript digits."""
    return str(n).translate(_SUP)


def unit_label(layer: int, unit: int, n_layers: int) -> str:
    """Label of unit ``unit`` (0-based) of layer ``layer`` (0 = input, n_layers = output)."""
    if layer == 0:
        return f"x{sub(unit + 1)}"
    if layer == n_layers:
        return f"y{sub(unit + 1)}"
    if n_layers == 2:
        return f"h{sub(unit + 1)}"
    return f"h{sup(layer)}{sub(unit + 1)}"


def weight_label(layer: int, row: int, col: int, n_layers: int) -> str:
    """``w(x₁→h₂)``: the weight of layer ``layer`` (1-based) from unit ``row`` to ``col``."""
    return f"w({unit_label(layer - 1, row, n_layers)}→{unit_label(layer, col, n_layers)})"


def bias_label(layer: int, col: int, n_layers: int) -> str:
    """``b(h₂)``: the bias of unit ``col`` of layer ``layer`` (1-based)."""
    return f"b({unit_label(layer, col, n_layers)})"


# The exercise's vocabulary for a network with one hidden layer: (quantity, layer) -> name.
EXERCISE_NAMES: dict[tuple[str, int], str] = {
    ("w", 1): "weights_input_hidden",
    ("w", 2): "weights_hidden_output",
    ("z", 1): "hidden_layer_input",
    ("a", 1): "hidden_layer_output",
    ("z", 2): "output_layer_in",
    ("a", 2): "output",
    ("error", 2): "error",
    ("delta", 2): "output_error_term",
    ("delta", 1): "hidden_error_term",
    ("delta_w", 2): "delta_w_h_o",
    ("delta_w", 1): "delta_w_i_h",
}


def exercise_name(quantity: str, layer: int, n_layers: int) -> str | None:
    """The exercise's name of a quantity, for networks with one hidden layer; else None."""
    if n_layers != 2:
        return None
    return EXERCISE_NAMES.get((quantity, layer))
