# expect: ok
# The step wrapped in the learner's own functions; results returned as tuples.
import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def forward(inputs, w1, w2):
    hidden = sigmoid(inputs @ w1)
    out = sigmoid(hidden @ w2)
    return hidden, out


def backward(inputs, goal, hidden, out, w2, rate):
    err = goal - out
    delta_o = err * out * (1 - out)
    delta_h = (w2 * delta_o) * hidden * (1 - hidden)
    return rate * delta_o * hidden, rate * delta_h * inputs[:, None]


def main():
    x = np.array([0.5, 0.1, -0.2])
    target = 0.6
    learnrate = 0.5
    weights_input_hidden = np.array([[0.5, -0.6], [0.1, -0.2], [0.1, 0.7]])
    weights_hidden_output = np.array([0.1, -0.3])
    hidden, out = forward(x, weights_input_hidden, weights_hidden_output)
    changes = backward(x, target, hidden, out, weights_hidden_output, learnrate)
    for change in changes:
        print(change)


if __name__ == "__main__":
    main()
