"""Check my backprop: run a learner's script in a subprocess and judge its numbers."""
