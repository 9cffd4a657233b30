# expect: wrong hidden_error_term | σ′ is missing
# Plain Python lists; the hidden error term lacks σ′.
import math

def sigmoid(z):
    return 1 / (1 + math.exp(-z))

x = [0.5, 0.1, -0.2]
target = 0.6
learnrate = 0.5
weights_input_hidden = [[0.5, -0.6], [0.1, -0.2], [0.1, 0.7]]
weights_hidden_output = [0.1, -0.3]
hidden_layer_input = [sum(x[i] * weights_input_hidden[i][j] for i in range(3)) for j in range(2)]
hidden_layer_output = [sigmoid(v) for v in hidden_layer_input]
output_layer_in = sum(h * w for h, w in zip(hidden_layer_output, weights_hidden_output))
output = sigmoid(output_layer_in)
error = target - output
output_error_term = error * output * (1 - output)
hidden_error_term = [weights_hidden_output[j] * output_error_term for j in range(2)]
delta_w_h_o = [learnrate * output_error_term * h for h in hidden_layer_output]
delta_w_i_h = [[learnrate * hidden_error_term[j] * x[i] for j in range(2)] for i in range(3)]
print(delta_w_h_o)
print(delta_w_i_h)
