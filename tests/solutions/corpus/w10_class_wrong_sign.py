# expect: wrong error | wrong sign
# The class of the newer edition; the error is computed as output minus target.
import numpy as np


class NeuralNetwork:
    def __init__(self, w_ih, w_ho, learning_rate):
        self.weights_input_to_hidden = np.array(w_ih, dtype=float)
        self.weights_hidden_to_output = np.array(w_ho, dtype=float)
        self.lr = learning_rate

    def sigmoid(self, v):
        return 1 / (1 + np.exp(-v))

    def train(self, X, y):
        hidden_inputs = X @ self.weights_input_to_hidden
        hidden_outputs = self.sigmoid(hidden_inputs)
        final_inputs = hidden_outputs @ self.weights_hidden_to_output
        final_outputs = self.sigmoid(final_inputs)
        error = final_outputs - y
        output_error_term = error * final_outputs * (1 - final_outputs)
        hidden_error_term = self.weights_hidden_to_output * output_error_term * hidden_outputs * (1 - hidden_outputs)
        delta_weights_h_o = self.lr * output_error_term * hidden_outputs
        delta_weights_i_h = self.lr * hidden_error_term * X[:, None]
        print(delta_weights_h_o)
        print(delta_weights_i_h)
        self.weights_hidden_to_output += delta_weights_h_o
        self.weights_input_to_hidden += delta_weights_i_h


net = NeuralNetwork([[0.5, -0.6], [0.1, -0.2], [0.1, 0.7]], [0.1, -0.3], 0.5)
net.train(np.array([0.5, 0.1, -0.2]), 0.6)
