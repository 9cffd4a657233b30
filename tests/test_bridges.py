"""The PyTorch and scikit-learn bridges: exact conversions, checked against the other
library's own numbers (skipped where the optional package is not installed)."""

from __future__ import annotations

import numpy as np
import pytest

import bpviewer as bpv

# ---------------------------------------------------------------------- PyTorch


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def _model(torch, final=None, bias=True):
    torch.manual_seed(0)
    layers = [torch.nn.Linear(4, 5, bias=bias), torch.nn.Tanh(), torch.nn.Linear(5, 3)]
    if final is not None:
        layers.append(final)
    return torch.nn.Sequential(*layers).double()


@pytest.mark.parametrize(
    ("loss", "act", "name"),
    [
        ("CrossEntropyLoss", "softmax", "cross_entropy"),
        ("BCEWithLogitsLoss", "sigmoid", "binary_cross_entropy"),
        ("MSELoss", "linear", "mse"),
    ],
)
def test_a_torch_model_traces_to_autograds_gradients(torch, loss, act, name):
    model = _model(torch)
    criterion = getattr(torch.nn, loss)()
    net = bpv.from_torch(model, loss=criterion)
    assert net.activations == ("tanh", act) and bpv.loss_name(criterion) == name
    rng = np.random.default_rng(1)
    x = rng.normal(size=(6, 4))
    if name == "cross_entropy":
        labels = rng.integers(0, 3, 6)
        t, torch_t = np.eye(3)[labels], torch.from_numpy(labels)
    else:
        t = rng.uniform(size=(6, 3))
        torch_t = torch.from_numpy(t)
    model.zero_grad()
    criterion(model(torch.from_numpy(x)), torch_t).backward()
    trace = bpv.trace(net, x, t, loss=name)
    for k, linear in enumerate(m for m in model if isinstance(m, torch.nn.Linear)):
        np.testing.assert_allclose(
            trace.weight_gradients[k], linear.weight.grad.numpy().T, rtol=1e-10, atol=1e-14
        )
        np.testing.assert_allclose(
            trace.bias_gradients[k], linear.bias.grad.numpy(), rtol=1e-10, atol=1e-14
        )
    own = [m.weight.grad.numpy() for m in model if isinstance(m, torch.nn.Linear)]
    assert bpv.compare(net, x, t, own, loss=name, layout="torch").ok


def test_torch_round_trip_is_exact_and_computes_the_same(torch):
    net = bpv.Network.init([3, 4, 4, 2], ["relu", "leaky_relu", "sigmoid"], biases=True, seed=2)
    model = bpv.to_torch(net)
    again = bpv.from_torch(model)
    assert again.same_as(net)
    x = np.random.default_rng(3).normal(size=(5, 3))
    out = model(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(out, net.predict(x), rtol=1e-14, atol=1e-15)  # other kernels
    softmax = bpv.Network.init([3, 2], "softmax", seed=1)
    assert bpv.from_torch(bpv.to_torch(softmax)).same_as(softmax)
    no_bias = bpv.from_torch(_model(torch, bias=False))
    assert no_bias.biases[0] is None and no_bias.biases[1] is not None


@pytest.mark.parametrize(
    ("layer", "words"),
    [("Dropout", "Dropout has no bpviewer counterpart"), ("GELU", "GELU has no bpviewer")],
)
def test_another_torch_layer_is_refused_by_name(torch, layer, words):
    model = torch.nn.Sequential(torch.nn.Linear(2, 3), getattr(torch.nn, layer)())
    with pytest.raises(ValueError, match=words):
        bpv.from_torch(model)
    with pytest.raises(ValueError, match=r"slope 0\.2"):
        bpv.from_torch(torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.LeakyReLU(0.2)))


# ---------------------------------------------------------------------- scikit-learn


@pytest.fixture
def sklearn():
    return pytest.importorskip("sklearn.neural_network")


@pytest.mark.parametrize(
    ("kind", "hidden", "classes"),
    [
        ("MLPClassifier", "relu", 3),
        ("MLPClassifier", "tanh", 2),
        ("MLPRegressor", "logistic", 1),
        ("MLPRegressor", "identity", 2),
    ],
)
def test_a_fitted_sklearn_mlp_gives_the_same_outputs(sklearn, kind, hidden, classes):
    import warnings

    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 4))
    if kind == "MLPClassifier":
        y = rng.integers(0, classes, 60)
    else:
        y = x[:, :classes] @ rng.normal(size=(classes, classes)) if classes > 1 else x[:, 0]
    model = getattr(sklearn, kind)(hidden_layer_sizes=(6, 5), activation=hidden, max_iter=50)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # not converged in 50 iterations: fine here
        model.fit(x, y)
    net = bpv.from_sklearn(model)
    expected = model.predict_proba(x) if kind == "MLPClassifier" else model.predict(x)
    got = net.predict(x)
    if kind == "MLPClassifier" and classes == 2:
        got = np.column_stack([1 - got[:, 0], got[:, 0]])
    np.testing.assert_allclose(got.reshape(expected.shape), expected, rtol=1e-12, atol=1e-12)
    settings = bpv.sklearn_training(model)
    assert settings["weight_decay"] == model.alpha / 60  # alpha·W / batch (all 60 here)
    assert settings["loss"] in ("cross_entropy", "binary_cross_entropy", "half_sse", "mse")


def test_an_unfitted_estimator_is_refused(sklearn):
    with pytest.raises(ValueError, match="not a fitted"):
        bpv.from_sklearn(sklearn.MLPClassifier())
