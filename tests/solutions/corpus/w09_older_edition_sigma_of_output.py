# expect: wrong output_error_term | taken of the output instead of the net input
# The older edition's names; sigma' is taken of the output.
import numpy as np

def sigmoid(x):
    return 1 / (1 + np.exp(-x))

def sigmoid_prime(x):
    return sigmoid(x) * (1 - sigmoid(x))

x = np.array([0.5, 0.1, -0.2])
target = 0.6
learnrate = 0.5
weights_input_to_hidden = np.array([[0.5, -0.6], [0.1, -0.2], [0.1, 0.7]])
weights_hidden_to_output = np.array([0.1, -0.3])
hidden_layer_in = np.dot(x, weights_input_to_hidden)
hidden_layer_out = sigmoid(hidden_layer_in)
output_layer_in = np.dot(hidden_layer_out, weights_hidden_to_output)
output_layer_out = sigmoid(output_layer_in)
error = target - output_layer_out
del_err_output = error * sigmoid_prime(output_layer_out)
del_err_hidden = np.dot(del_err_output, weights_hidden_to_output) * sigmoid_prime(hidden_layer_in)
delta_w_h_o = learnrate * del_err_output * hidden_layer_out
delta_w_i_h = learnrate * del_err_hidden * x[:, None]
print(delta_w_h_o)
print(delta_w_i_h)
