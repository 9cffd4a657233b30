# expect: wrong output | activation is missing
# Two exercises reusing names; in the second the output's sigmoid is forgotten.
import numpy as np

def sigmoid(x):
    return 1 / (1 + np.exp(-x))

learnrate = 0.5
x = np.array([1, 2, 3, 4])
y = np.array(0.5)
w = np.array([0.5, -0.5, 0.3, 0.1])
nn_output = sigmoid(np.dot(x, w))
error = y - nn_output
del_w = learnrate * error * nn_output * (1 - nn_output) * x
print(del_w)

x = np.array([0.5, 0.1, -0.2])
target = 0.6
weights_input_hidden = np.array([[0.5, -0.6], [0.1, -0.2], [0.1, 0.7]])
weights_hidden_output = np.array([0.1, -0.3])
hidden_layer_input = np.dot(x, weights_input_hidden)
hidden_layer_output = sigmoid(hidden_layer_input)
output_layer_in = np.dot(hidden_layer_output, weights_hidden_output)
output = output_layer_in
error = target - output
output_error_term = error * sigmoid(output_layer_in) * (1 - sigmoid(output_layer_in))
hidden_error_term = np.dot(output_error_term, weights_hidden_output) * hidden_layer_output * (1 - hidden_layer_output)
delta_w_h_o = learnrate * output_error_term * hidden_layer_output
delta_w_i_h = learnrate * hidden_error_term * x[:, None]
print(delta_w_h_o)
print(delta_w_i_h)
