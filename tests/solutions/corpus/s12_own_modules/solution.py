# expect: ok
# The learner's own modules beside the script, named like bpviewer's (trace, network, losses).
import numpy as np
from network import x, target, learnrate, weights_input_hidden, weights_hidden_output
from trace import forward
import losses

hidden_layer_input, hidden_layer_output, output_layer_in, output = forward(
    x, weights_input_hidden, weights_hidden_output
)
error = losses.error(target, output)
output_error_term = error * output * (1 - output)
hidden_error_term = weights_hidden_output * output_error_term * hidden_layer_output * (1 - hidden_layer_output)
delta_w_h_o = learnrate * output_error_term * hidden_layer_output
delta_w_i_h = learnrate * hidden_error_term * x[:, None]
print(delta_w_h_o)
print(delta_w_i_h)
