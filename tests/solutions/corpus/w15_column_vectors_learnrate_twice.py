# expect: wrong delta_w_i_h | applied twice
# 2-D rows and columns throughout; the learning rate multiplies the hidden change twice.
import numpy as np

def sigmoid(x):
    return 1 / (1 + np.exp(-x))

x = np.array([[0.5, 0.1, -0.2]])
target = np.array([[0.6]])
learnrate = 0.5
weights_input_hidden = np.array([[0.5, -0.6], [0.1, -0.2], [0.1, 0.7]])
weights_hidden_output = np.array([[0.1], [-0.3]])
hidden_layer_input = x @ weights_input_hidden
hidden_layer_output = sigmoid(hidden_layer_input)
output_layer_in = hidden_layer_output @ weights_hidden_output
output = sigmoid(output_layer_in)
error = target - output
output_error_term = error * output * (1 - output)
hidden_error_term = (output_error_term @ weights_hidden_output.T) * hidden_layer_output * (1 - hidden_layer_output)
delta_w_h_o = learnrate * hidden_layer_output.T @ output_error_term
delta_w_i_h = learnrate * learnrate * x.T @ hidden_error_term
print(delta_w_h_o)
print(delta_w_i_h)
