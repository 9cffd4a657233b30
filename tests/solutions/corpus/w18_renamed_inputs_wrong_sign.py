# expect: wrong output_error_term | wrong sign
# The inputs renamed too; the error is taken the wrong way round, inline.
import numpy as np

def squash(v):
    return 1 / (1 + np.exp(-v))

sample = np.array([0.5, 0.1, -0.2])
goal = 0.6
step_size = 0.5
A = np.array([[0.5, -0.6], [0.1, -0.2], [0.1, 0.7]])
B = np.array([0.1, -0.3])

h = squash(sample @ A)
out = squash(h @ B)
d_out = (out - goal) * out * (1 - out)
d_h = B * d_out * h * (1 - h)
change_B = step_size * d_out * h
change_A = step_size * np.outer(sample, d_h)
print(change_B)
print(change_A)
