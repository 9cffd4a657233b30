# expect: ok
# Terse: several statements a line, sigmoid' as a lambda, the update applied afterwards.
import numpy as np
s = lambda z: 1 / (1 + np.exp(-z)); ds = lambda z: s(z) * (1 - s(z))
x = np.array([0.5, 0.1, -0.2]); target = 0.6; learnrate = 0.5
weights_input_hidden = np.array([[0.5, -0.6], [0.1, -0.2], [0.1, 0.7]]); weights_hidden_output = np.array([0.1, -0.3])
hidden_layer_input = x @ weights_input_hidden; hidden_layer_output = s(hidden_layer_input)
output_layer_in = hidden_layer_output @ weights_hidden_output; output = s(output_layer_in)
error = target - output; output_error_term = error * ds(output_layer_in)
hidden_error_term = weights_hidden_output * output_error_term * ds(hidden_layer_input)
delta_w_h_o = learnrate * output_error_term * hidden_layer_output; delta_w_i_h = learnrate * np.outer(x, hidden_error_term)
print(delta_w_h_o); print(delta_w_i_h)
weights_hidden_output += delta_w_h_o; weights_input_hidden += delta_w_i_h
