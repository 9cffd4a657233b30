# expect: wrong del_w_hidden_output | only one record's change is kept
# The change is assigned with = instead of +=: only the last record's is kept.
import numpy as np
from data_prep import features, targets

np.random.seed(21)

def sigmoid(x):
    return 1 / (1 + np.exp(-x))

learnrate = 0.5
n_records, n_features = features.shape
weights_input_hidden = np.random.normal(scale=1 / n_features ** .5, size=(n_features, 2))
weights_hidden_output = np.random.normal(scale=1 / n_features ** .5, size=2)
for e in range(3):
    del_w_input_hidden = np.zeros(weights_input_hidden.shape)
    del_w_hidden_output = np.zeros(weights_hidden_output.shape)
    for x, y in zip(features, targets):
        hidden_input = np.dot(x, weights_input_hidden)
        hidden_output = sigmoid(hidden_input)
        output = sigmoid(np.dot(hidden_output, weights_hidden_output))
        error = y - output
        output_error_term = error * output * (1 - output)
        hidden_error_term = np.dot(output_error_term, weights_hidden_output) * hidden_output * (1 - hidden_output)
        del_w_hidden_output = output_error_term * hidden_output
        del_w_input_hidden += hidden_error_term * x[:, None]
    weights_input_hidden += learnrate * del_w_input_hidden / n_records
    weights_hidden_output += learnrate * del_w_hidden_output / n_records
    if e == 0:
        print("weights after the first epoch:", weights_input_hidden.tolist(), weights_hidden_output.tolist())
