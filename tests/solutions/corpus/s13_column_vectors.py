# expect: ok
# Everything kept as 2-D columns and rows, weights_hidden_output as (2, 1).
import numpy as np

def sigmoid(x):
    return 1 / (1 + np.exp(-x))

x = np.array([[0.5, 0.1, -0.2]])
target = np.array([[0.6]])
learnrate = 0.5
weights_input_hidden = np.array([[0.5, -0.6], [0.1, -0.2], [0.1, 0.7]])
weights_hidden_output = np.array([[0.1], [-0.3]])

hidden_layer_input = np.matmul(x, weights_input_hidden)
hidden_layer_output = sigmoid(hidden_layer_input)
output_layer_in = np.matmul(hidden_layer_output, weights_hidden_output)
output = sigmoid(output_layer_in)
error = target - output
output_error_term = error * output * (1 - output)
hidden_error_term = (output_error_term @ weights_hidden_output.T) * hidden_layer_output * (1 - hidden_layer_output)
delta_w_h_o = learnrate * hidden_layer_output.T @ output_error_term
delta_w_i_h = learnrate * x.T @ hidden_error_term
print(delta_w_h_o)
print(delta_w_i_h)
