# expect: ok
# Parameters and intermediate values kept in dicts.
import numpy as np

def sigmoid(z):
    return 1 / (1 + np.exp(-z))

params = {
    "W1": np.array([[0.5, -0.6], [0.1, -0.2], [0.1, 0.7]]),
    "W2": np.array([0.1, -0.3]),
}
x = np.array([0.5, 0.1, -0.2])
target = 0.6
learnrate = 0.5

cache = {}
cache["z1"] = x @ params["W1"]
cache["a1"] = sigmoid(cache["z1"])
cache["z2"] = cache["a1"] @ params["W2"]
cache["a2"] = sigmoid(cache["z2"])
grads = {}
grads["e"] = target - cache["a2"]
grads["d2"] = grads["e"] * cache["a2"] * (1 - cache["a2"])
grads["d1"] = params["W2"] * grads["d2"] * cache["a1"] * (1 - cache["a1"])
grads["dW2"] = learnrate * grads["d2"] * cache["a1"]
grads["dW1"] = learnrate * np.outer(x, grads["d1"])
print(grads["dW2"])
print(grads["dW1"])
