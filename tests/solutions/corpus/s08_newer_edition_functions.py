# expect: ok
# A newer edition of the course: the passes in functions, its own names.
import numpy as np

def sigmoid(x):
    return 1 / (1 + np.exp(-x))

def forward_pass_train(X, weights_input_to_hidden, weights_hidden_to_output):
    hidden_inputs = np.dot(X, weights_input_to_hidden)
    hidden_outputs = sigmoid(hidden_inputs)
    final_inputs = np.dot(hidden_outputs, weights_hidden_to_output)
    final_outputs = sigmoid(final_inputs)
    return final_outputs, hidden_outputs

def backpropagation(final_outputs, hidden_outputs, X, y, weights_hidden_to_output, lr):
    error = y - final_outputs
    output_error_term = error * final_outputs * (1 - final_outputs)
    hidden_error = np.dot(weights_hidden_to_output, output_error_term)
    hidden_error_term = hidden_error * hidden_outputs * (1 - hidden_outputs)
    delta_weights_h_o = lr * output_error_term * hidden_outputs
    delta_weights_i_h = lr * hidden_error_term * X[:, None]
    return delta_weights_i_h, delta_weights_h_o

X = np.array([0.5, 0.1, -0.2])
y = 0.6
lr = 0.5
w_i_h = np.array([[0.5, -0.6], [0.1, -0.2], [0.1, 0.7]])
w_h_o = np.array([0.1, -0.3])
final_outputs, hidden_outputs = forward_pass_train(X, w_i_h, w_h_o)
d_i_h, d_h_o = backpropagation(final_outputs, hidden_outputs, X, y, w_h_o, lr)
print(d_h_o)
print(d_i_h)
