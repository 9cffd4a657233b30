"""The engine: networks, activations, losses and update rules (each a registry entry with every facet), the step machine, its formulas, the gradient check."""
