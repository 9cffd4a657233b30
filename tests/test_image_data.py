"""Image data in the window (#18): the sample as a picture, first-layer units' receptive
fields in the diagram, and the confusion matrix of class data."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QColor

from bpviewer.core.engine.decision import confusion, true_classes
from bpviewer.core.engine.network import Network
from bpviewer.gui.visibility import seen


def _by_hand(net: Network, x: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Counts of (true, given) class pairs, one sample at a time (no NumPy bincount)."""
    k = t.shape[1]
    counts = np.zeros((k, k), dtype=int)
    for row, target in zip(x, t, strict=True):
        y = net.predict(row[None, :])[0]
        counts[list(target).index(1.0), int(np.argmax(y))] += 1
    return counts


def test_confusion_counts_every_sample_by_its_true_and_given_class():
    rng = np.random.default_rng(3)
    net = Network.init([4, 5, 3], ["tanh", "softmax"], biases=True, seed=2)
    x = rng.normal(size=(50, 4))
    t = np.eye(3)[rng.integers(0, 3, 50)]
    m = confusion(net, x, t)
    np.testing.assert_array_equal(m, _by_hand(net, x, t))
    assert m.sum() == 50
    assert confusion(net, x, rng.normal(size=(50, 3))) is None  # not classes
    one = Network.init([4, 1], ["sigmoid"], seed=1)
    t1 = rng.integers(0, 2, (50, 1)).astype(float)
    m1 = confusion(one, x, t1)
    given = (one.predict(x)[:, 0] > 0.5).astype(int)
    assert m1.shape == (2, 2) and m1[1, 1] == int(np.sum((t1[:, 0] == 1) & (given == 1)))
    np.testing.assert_array_equal(true_classes(one, t1), t1[:, 0].astype(int))


def test_the_digits_sample_shows_as_a_picture(window, qtbot):
    window.new_from_example("digits")
    editor = window.sample_editor
    qtbot.waitUntil(lambda: editor.image.isVisible())
    data = window.session.project.dataset
    picture = editor.image.pixmap().toImage()
    side = picture.width() // 8
    assert picture.width() == picture.height() == 8 * side and side >= 8
    pixels = data.sample_image(0)
    dark = np.array(
        [
            [QColor(picture.pixel(c * side + 1, r * side + 1)).value() for c in range(8)]
            for r in range(8)
        ]
    )
    # the darker the pixel, the higher the value: same order, ink where the digit is
    assert np.all(np.diff(dark.ravel()[np.argsort(pixels.ravel(), kind="stable")]) <= 0)
    window.new_from_example("xor")  # no image shape: no picture
    assert not editor.image.isVisible()


def test_first_layer_units_show_their_receptive_fields(window):
    window.new_from_example("digits")
    view = window.network_view
    fields = view.receptive_fields()
    net = window.session.network
    shown = [u for (l, u) in view.units if l == 1]
    assert sorted(u for (_, u) in fields) == sorted(shown) and len(shown) == 12
    for (_, u), image in fields.items():
        np.testing.assert_array_equal(image, net.weights[0][:, u].reshape(8, 8))
    item = view.units[(1, shown[-1])]
    assert item.map_image is not None and item.map_image.width() == 8
    assert "8×8 image" in item.toolTip()
    # positive weights blue, negative orange, zero white: the colour follows the sign
    w = net.weights[0][:, shown[-1]].reshape(8, 8)
    r, c = np.unravel_index(np.argmax(w), w.shape)
    top = QColor(item.map_image.pixel(int(c), int(r)))
    assert top.blue() > top.red()
    r, c = np.unravel_index(np.argmin(w), w.shape)
    low = QColor(item.map_image.pixel(int(c), int(r)))
    assert low.red() > low.blue()


def test_the_confusion_matrix_counts_the_validation_samples(window, qtbot):
    window.new_from_example("digits")
    view = window.confusion_view
    assert not seen(view)
    before = view.redraws
    window.session.reset()
    assert view.redraws == before  # behind the Loss tab: nothing counted
    window.confusion_dock.raise_()
    qtbot.waitUntil(lambda: seen(view))
    data = window.session.project.dataset
    net = window.session.network
    expected = _by_hand(net, data.validation_inputs, data.validation_targets)
    np.testing.assert_array_equal(view.matrix, expected)
    assert f"validation samples: {len(data.validation_inputs)}" in view.heading.text()
    assert view.table.item(3, 3).text() == f"{expected[3, 3]:,}"
    window.session.train(iterations=300)  # seen: redrawn with the trained network
    trained = _by_hand(window.session.network, data.validation_inputs, data.validation_targets)
    np.testing.assert_array_equal(view.matrix, trained)
    assert np.trace(trained) > np.trace(expected)
    window.new_from_example("seed")  # not classes
    assert "not classes" in view.heading.text() and not view.table.isVisible()
