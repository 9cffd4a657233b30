"""The exercise's quantities, what each is computed from, and the names the course's editions
(and its learners) give them.  The first name of each list is the exercise's own."""

from __future__ import annotations

INPUTS = ("x", "target", "learnrate", "weights_input_hidden", "weights_hidden_output")
OPTIONAL = ("bias_hidden", "bias_output")
QUANTITIES = (
    "hidden_layer_input",
    "hidden_layer_output",
    "output_layer_in",
    "output",
    "error",
    "output_error_term",
    "hidden_error_term",
    "delta_w_h_o",
    "delta_w_i_h",
)
#: The course's next exercise (records and epochs): the first epoch's accumulated changes.
EPOCH_QUANTITIES = ("del_w_hidden_output", "del_w_input_hidden")

#: What each quantity is computed from, in the exercise's formulas.
DEPENDS = {
    "hidden_layer_input": ("x", "weights_input_hidden", "bias_hidden"),
    "hidden_layer_output": ("hidden_layer_input",),
    "output_layer_in": ("hidden_layer_output", "weights_hidden_output", "bias_output"),
    "output": ("output_layer_in",),
    "error": ("target", "output"),
    "output_error_term": ("error", "output_layer_in"),
    "hidden_error_term": ("output_error_term", "weights_hidden_output", "hidden_layer_input"),
    "delta_w_h_o": ("learnrate", "output_error_term", "hidden_layer_output"),
    "delta_w_i_h": ("learnrate", "hidden_error_term", "x"),
    "del_w_hidden_output": ("output_error_term", "hidden_layer_output"),
    "del_w_input_hidden": ("hidden_error_term", "x"),
}

ALIASES = {
    "x": ("x", "inputs", "X", "x_in", "input_values", "features_row"),
    "target": ("target", "y", "t", "targets_row", "label", "y_true"),
    "learnrate": ("learnrate", "learning_rate", "lr", "eta", "alpha", "learn_rate"),
    "weights_input_hidden": (
        "weights_input_hidden",
        "weights_input_to_hidden",
        "w_input_hidden",
        "W_ih",
        "w_ih",
        "W1",
        "w1",
    ),
    "weights_hidden_output": (
        "weights_hidden_output",
        "weights_hidden_to_output",
        "w_hidden_output",
        "W_ho",
        "w_ho",
        "W2",
        "w2",
    ),
    "bias_hidden": ("bias_hidden", "b_hidden", "b1"),
    "bias_output": ("bias_output", "b_output", "b2"),
    "hidden_layer_input": ("hidden_layer_input", "hidden_input", "hidden_inputs", "z1"),
    "hidden_layer_output": ("hidden_layer_output", "hidden_output", "hidden_outputs", "a1"),
    "output_layer_in": (
        "output_layer_in",
        "output_layer_input",
        "final_inputs",
        "output_input",
        "z2",
    ),
    "output": ("output", "final_outputs", "output_layer_output", "y_hat", "a2"),
    "error": ("error", "output_error", "errors"),
    "output_error_term": ("output_error_term", "output_error", "delta_output", "delta2"),
    "hidden_error_term": ("hidden_error_term", "hidden_errors_term", "delta_hidden", "delta1"),
    "delta_w_h_o": ("delta_w_h_o", "delta_weights_h_o", "delta_w_hidden_output"),
    "delta_w_i_h": ("delta_w_i_h", "delta_weights_i_h", "delta_w_input_hidden"),
    "del_w_hidden_output": ("del_w_hidden_output", "delta_weights_h_o", "delta_w_h_o"),
    "del_w_input_hidden": ("del_w_input_hidden", "delta_weights_i_h", "delta_w_i_h"),
}


def base_name(name: str) -> str:
    """``self.weights`` and ``params['weights']`` → ``weights``."""
    if name.startswith("self."):
        return name[5:]
    if name.endswith("']") and "['" in name:
        return name[name.index("['") + 2 : -2]
    return name


def is_alias(name: str, quantity: str) -> bool:
    """Whether a recorded name is one of the quantity's names."""
    return base_name(name) in ALIASES.get(quantity, (quantity,))


def alias_rank(name: str, quantity: str) -> int:
    """0 for the exercise's own name, larger for other editions' names."""
    names = ALIASES.get(quantity, (quantity,))
    base = base_name(name)
    return names.index(base) if base in names else len(names)


#: In the course's next exercise the update is computed from the accumulated changes.
EPOCH_DEPENDS = {
    **DEPENDS,
    "delta_w_h_o": ("learnrate", "del_w_hidden_output"),
    "delta_w_i_h": ("learnrate", "del_w_input_hidden"),
}
