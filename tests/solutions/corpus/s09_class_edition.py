# expect: ok
# The network as a class; quantities are attributes and locals of methods.
import numpy as np


class NeuralNetwork:
    def __init__(self, w_ih, w_ho, learning_rate):
        self.weights_input_to_hidden = np.array(w_ih, dtype=float)
        self.weights_hidden_to_output = np.array(w_ho, dtype=float)
        self.lr = learning_rate
        self.activation_function = lambda v: 1 / (1 + np.exp(-v))

    def forward(self, X):
        self.hidden_inputs = X @ self.weights_input_to_hidden
        self.hidden_outputs = self.activation_function(self.hidden_inputs)
        self.final_inputs = self.hidden_outputs @ self.weights_hidden_to_output
        self.final_outputs = self.activation_function(self.final_inputs)
        return self.final_outputs

    def backward(self, X, y):
        error = y - self.final_outputs
        output_error_term = error * self.final_outputs * (1 - self.final_outputs)
        hidden_error_term = self.weights_hidden_to_output * output_error_term
        hidden_error_term = hidden_error_term * self.hidden_outputs * (1 - self.hidden_outputs)
        self.delta_h_o = self.lr * output_error_term * self.hidden_outputs
        self.delta_i_h = self.lr * hidden_error_term * X[:, None]


net = NeuralNetwork([[0.5, -0.6], [0.1, -0.2], [0.1, 0.7]], [0.1, -0.3], 0.5)
x = np.array([0.5, 0.1, -0.2])
target = 0.6
net.forward(x)
net.backward(x, target)
print(net.delta_h_o)
print(net.delta_i_h)
