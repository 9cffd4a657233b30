# expect: wrong hidden_error_term | instead of the hidden net input
# The hidden error term filled in a list, with sigma' taken of the hidden output.
import numpy as np

def sigmoid(x):
    return 1 / (1 + np.exp(-x))

def sigmoid_prime(x):
    return sigmoid(x) * (1 - sigmoid(x))

x = np.array([0.5, 0.1, -0.2])
target = 0.6
learnrate = 0.5
weights_input_hidden = np.array([[0.5, -0.6], [0.1, -0.2], [0.1, 0.7]])
weights_hidden_output = np.array([0.1, -0.3])
hidden_layer_input = np.dot(x, weights_input_hidden)
hidden_layer_output = sigmoid(hidden_layer_input)
output_layer_in = np.dot(hidden_layer_output, weights_hidden_output)
output = sigmoid(output_layer_in)
error = target - output
output_error_term = error * sigmoid_prime(output_layer_in)
hidden_error_term = []
for j in range(len(hidden_layer_output)):
    hidden_error_term.append(output_error_term * weights_hidden_output[j] * sigmoid_prime(hidden_layer_output[j]))
hidden_error_term = np.array(hidden_error_term)
delta_w_h_o = learnrate * output_error_term * hidden_layer_output
delta_w_i_h = learnrate * hidden_error_term * x[:, None]
print(delta_w_h_o)
print(delta_w_i_h)
