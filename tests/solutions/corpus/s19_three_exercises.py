# expect: ok
# The lesson's exercises in one file: gradient descent, a forward pass through a hidden
# layer (other sizes, same names), then backpropagation.
import numpy as np

def sigmoid(x):
    return 1 / (1 + np.exp(-x))

# 1. gradient descent on one unit
learnrate = 0.5
x = np.array([1, 2, 3, 4])
y = np.array(0.5)
w = np.array([0.5, -0.5, 0.3, 0.1])
output = sigmoid(np.dot(x, w))
error = y - output
del_w = learnrate * error * output * (1 - output) * x
print("del_w:", del_w)

# 2. a forward pass through a 4-3-2 network
np.random.seed(42)
X = np.random.randn(4)
weights_input_to_hidden = np.random.normal(0, scale=0.1, size=(4, 3))
weights_hidden_to_output = np.random.normal(0, scale=0.1, size=(3, 2))
hidden_layer_in = np.dot(X, weights_input_to_hidden)
hidden_layer_out = sigmoid(hidden_layer_in)
output_layer_in = np.dot(hidden_layer_out, weights_hidden_to_output)
output_layer_out = sigmoid(output_layer_in)
print("Output-layer Output:", output_layer_out)

# 3. backpropagation
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
output_error_term = error * output * (1 - output)
hidden_error_term = np.dot(output_error_term, weights_hidden_output) * hidden_layer_output * (1 - hidden_layer_output)
delta_w_h_o = learnrate * output_error_term * hidden_layer_output
delta_w_i_h = learnrate * hidden_error_term * x[:, None]
print(delta_w_h_o)
print(delta_w_i_h)
