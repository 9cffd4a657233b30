"""bpviewer: see backpropagation one step at a time, and find where the numbers go wrong."""

__version__ = "0.1.0"
