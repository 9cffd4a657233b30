"""Colours used the same way in the diagram, the tables and the explain panel.

Sign: blue for positive, orange for negative (a colour-blind-safe pair, never red/green).
Direction: forward values in teal, error terms and gradients in purple.
"""

POSITIVE = "#1f77b4"  # blue
NEGATIVE = "#ff7f0e"  # orange
FORWARD = "#0f8b8d"  # teal: z, a and the forward pass
BACKWARD = "#8e44ad"  # purple: δ, ∂E/∂W, ΔW and the backward pass
STALE = "#a0a0a0"  # grey: values computed from parameters that have since changed
CHANGED = "#fff2b3"  # pale yellow: cells the last update changed
NODE_FILL = "#ffffff"
NODE_LINE = "#404040"
TEXT = "#202020"
DIAGRAM = "#fbfbfb"  # the diagram's background (and its text halos)
