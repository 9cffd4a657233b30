# expect: ok
# An older edition of the course: other names for the weights and the error terms.
import numpy as np

def sigmoid(x):
    return 1 / (1 + np.exp(-x))

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
del_err_output = error * output_layer_out * (1 - output_layer_out)
del_err_hidden = np.dot(del_err_output, weights_hidden_to_output) * hidden_layer_out * (1 - hidden_layer_out)
delta_w_h_o = learnrate * del_err_output * hidden_layer_out
delta_w_i_h = learnrate * del_err_hidden * x[:, None]
print(delta_w_h_o)
print(delta_w_i_h)
