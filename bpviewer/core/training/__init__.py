"""Training: the fast kernels (NumPy and generated scalar Python), histories that restore any iteration exactly, runs in chunks with watchpoints."""
