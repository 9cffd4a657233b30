# expect: ok
# The same training with the passes in functions (the newer edition's names).
import numpy as np
from data_prep import features, targets


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def forward_pass_train(X, weights_input_to_hidden, weights_hidden_to_output):
    hidden_inputs = np.dot(X, weights_input_to_hidden)
    hidden_outputs = sigmoid(hidden_inputs)
    final_inputs = np.dot(hidden_outputs, weights_hidden_to_output)
    final_outputs = sigmoid(final_inputs)
    return final_outputs, hidden_outputs


def backpropagation(final_outputs, hidden_outputs, X, y, weights_hidden_to_output,
                    delta_weights_i_h, delta_weights_h_o):
    error = y - final_outputs
    output_error_term = error * final_outputs * (1 - final_outputs)
    hidden_error = np.dot(weights_hidden_to_output, output_error_term)
    hidden_error_term = hidden_error * hidden_outputs * (1 - hidden_outputs)
    delta_weights_i_h += hidden_error_term * X[:, None]
    delta_weights_h_o += output_error_term * hidden_outputs
    return delta_weights_i_h, delta_weights_h_o


def update_weights(weights_input_to_hidden, weights_hidden_to_output, delta_weights_i_h,
                   delta_weights_h_o, n_records, lr):
    weights_hidden_to_output += lr * delta_weights_h_o / n_records
    weights_input_to_hidden += lr * delta_weights_i_h / n_records


def train(features, targets, weights_input_to_hidden, weights_hidden_to_output, lr):
    n_records = features.shape[0]
    delta_weights_i_h = np.zeros(weights_input_to_hidden.shape)
    delta_weights_h_o = np.zeros(weights_hidden_to_output.shape)
    for X, y in zip(features, targets):
        final_outputs, hidden_outputs = forward_pass_train(X, weights_input_to_hidden, weights_hidden_to_output)
        delta_weights_i_h, delta_weights_h_o = backpropagation(
            final_outputs, hidden_outputs, X, y, weights_hidden_to_output,
            delta_weights_i_h, delta_weights_h_o)
    update_weights(weights_input_to_hidden, weights_hidden_to_output, delta_weights_i_h,
                   delta_weights_h_o, n_records, lr)


np.random.seed(21)
n_features = features.shape[1]
w_ih = np.random.normal(scale=1 / n_features ** .5, size=(n_features, 2))
w_ho = np.random.normal(scale=1 / n_features ** .5, size=2)
for epoch in range(3):
    train(features, targets, w_ih, w_ho, 0.5)
    if epoch == 0:
        print("weights after the first epoch:", w_ih.tolist(), w_ho.tolist())
