import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def forward(x, w1, w2):
    z1 = x @ w1
    a1 = sigmoid(z1)
    z2 = a1 @ w2
    return z1, a1, z2, sigmoid(z2)
