# expect: ok
# Every quantity renamed by the learner.
import numpy as np

def act(z):
    return 1 / (1 + np.exp(-z))

x = np.array([0.5, 0.1, -0.2])
target = 0.6
learnrate = 0.5
weights_input_hidden = np.array([[0.5, -0.6], [0.1, -0.2], [0.1, 0.7]])
weights_hidden_output = np.array([0.1, -0.3])

h_in = x.dot(weights_input_hidden)
h_out = act(h_in)
o_in = h_out.dot(weights_hidden_output)
y_pred = act(o_in)
diff = target - y_pred
d_out = diff * y_pred * (1 - y_pred)
d_hid = d_out * weights_hidden_output * h_out * (1 - h_out)
step_ho = learnrate * d_out * h_out
step_ih = learnrate * np.outer(x, d_hid)
print(step_ho)
print(step_ih)
