"""Files: the project format, weights, exports, the built-in examples, atomic writes."""
