# expect: wrong delta_w_h_o | learning rate is missing
# The learner's functions; the hidden-to-output change forgets the learning rate.
import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def forward(x, weights_input_hidden, weights_hidden_output):
    hidden_layer_input = x @ weights_input_hidden
    hidden_layer_output = sigmoid(hidden_layer_input)
    output_layer_in = hidden_layer_output @ weights_hidden_output
    return hidden_layer_input, hidden_layer_output, output_layer_in, sigmoid(output_layer_in)


def backward(x, target, learnrate, weights_hidden_output, hidden_layer_output, output):
    error = target - output
    output_error_term = error * output * (1 - output)
    hidden_error_term = weights_hidden_output * output_error_term * hidden_layer_output * (1 - hidden_layer_output)
    delta_w_h_o = output_error_term * hidden_layer_output
    delta_w_i_h = learnrate * hidden_error_term * x[:, None]
    return delta_w_h_o, delta_w_i_h


x = np.array([0.5, 0.1, -0.2])
target = 0.6
learnrate = 0.5
weights_input_hidden = np.array([[0.5, -0.6], [0.1, -0.2], [0.1, 0.7]])
weights_hidden_output = np.array([0.1, -0.3])
_, hidden, _, out = forward(x, weights_input_hidden, weights_hidden_output)
dho, dih = backward(x, target, learnrate, weights_hidden_output, hidden, out)
print(dho)
print(dih)
