# expect: ok
# The learning rate goes into the accumulated changes; the update only divides by n.
import numpy as np
from data_prep import features, targets

np.random.seed(21)
sigmoid = lambda x: 1 / (1 + np.exp(-x))
learnrate = 0.5
n_records, n_features = features.shape
weights_input_hidden = np.random.normal(scale=1 / n_features ** .5, size=(n_features, 2))
weights_hidden_output = np.random.normal(scale=1 / n_features ** .5, size=2)
for e in range(2):
    del_w_input_hidden = np.zeros_like(weights_input_hidden)
    del_w_hidden_output = np.zeros_like(weights_hidden_output)
    for i in range(n_records):
        x = features[i]
        y = targets[i]
        hidden_output = sigmoid(x @ weights_input_hidden)
        output = sigmoid(hidden_output @ weights_hidden_output)
        error = y - output
        output_error_term = error * output * (1 - output)
        hidden_error_term = weights_hidden_output * output_error_term * hidden_output * (1 - hidden_output)
        del_w_hidden_output += learnrate * output_error_term * hidden_output
        del_w_input_hidden += learnrate * np.outer(x, hidden_error_term)
    weights_input_hidden += del_w_input_hidden / n_records
    weights_hidden_output += del_w_hidden_output / n_records
    if e == 0:
        print("weights after the first epoch:", weights_input_hidden.tolist(), weights_hidden_output.tolist())
