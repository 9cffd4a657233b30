"""Data sets: CSV reading with line numbers, class labels, presets, split, standardisation,
and weights as .npz."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bpviewer.core.data import csvdata
from bpviewer.core.data.csvdata import ReadCancelled, load_csv, preview_table
from bpviewer.core.data.datasets import build_dataset, generate, split_and_standardize
from bpviewer.core.errors import DataError
from bpviewer.core.files.examples import load_example
from bpviewer.core.files.weights_io import load_weights, save_weights
from bpviewer.core.paths import resource_path


def test_iris_loads_with_three_one_hot_classes_in_recorded_order():
    data = load_csv(resource_path("iris.csv"), ["species"])
    assert data.inputs.shape == (150, 4)
    assert data.class_labels == ["setosa", "versicolor", "virginica"]
    np.testing.assert_array_equal(data.targets.sum(axis=0), [50, 50, 50])
    np.testing.assert_array_equal(data.targets.sum(axis=1), np.ones(150))
    assert data.target_names == ["species=setosa", "species=versicolor", "species=virginica"]
    np.testing.assert_array_equal(data.inputs[0], [5.1, 3.5, 1.4, 0.2])


def test_empty_csv_is_refused(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("")
    with pytest.raises(DataError, match=r"empty\.csv: the file is empty"):
        load_csv(path, ["t"])
    path.write_text("a,t\n")
    with pytest.raises(DataError, match="line 1: a header but no data rows"):
        load_csv(path, ["t"])


def test_wrong_width_row_names_its_line(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("a,b,t\n1,2,3\n4,5\n")
    with pytest.raises(DataError, match="line 3: 2 cells, the header has 3"):
        load_csv(path, ["t"])


def test_missing_cell_names_line_and_column(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("a,b,t\n1,2,3\n4,,6\n")
    with pytest.raises(DataError, match=r"line 3, column 2 \(b\) is empty"):
        load_csv(path, ["t"])


def test_generated_sets_are_seeded():
    a = generate("spiral", n=90, noise=0.2, seed=4)
    b = generate("spiral", n=90, noise=0.2, seed=4)
    c = generate("spiral", n=90, noise=0.2, seed=5)
    np.testing.assert_array_equal(a.inputs, b.inputs)
    assert not np.array_equal(a.inputs, c.inputs)
    assert a.targets.shape == (90, 3)
    circle = generate("circle", n=400, noise=0.0, seed=0)
    inside = np.hypot(*circle.inputs.T) < 0.5
    np.testing.assert_array_equal(circle.targets[:, 0], inside)


def test_split_and_standardisation():
    data = generate("gaussians", n=100, seed=1)
    out = split_and_standardize(data, validation_split=0.2, split_seed=3, standardize=True)
    assert out.inputs.shape == (80, 2) and out.validation_inputs.shape == (20, 2)
    np.testing.assert_allclose(out.inputs.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(out.inputs.std(axis=0), 1.0)
    np.testing.assert_allclose(
        out.validation_inputs * out.std + out.mean,
        data.inputs[np.isin(np.arange(100), _val_rows(100, 0.2, 3))],
    )
    with pytest.raises(DataError, match="validation_split"):
        split_and_standardize(data, validation_split=1.5)


def _val_rows(n, fraction, seed):
    order = np.random.default_rng(seed).permutation(n)
    return np.sort(order[: round(fraction * n)])


def test_data_spec_errors():
    with pytest.raises(DataError, match="unknown data preset"):
        build_dataset({"preset": "moons"}, resource_path())
    with pytest.raises(DataError, match="needs"):
        build_dataset({"rows": []}, resource_path())


def test_weights_npz_round_trip_and_refusals(tmp_path):
    net = load_example("spiral").network
    save_weights(net, tmp_path / "w.npz")
    back = load_weights(net.copy(), tmp_path / "w.npz")
    assert back.same_as(net)
    seed = load_example("seed").network
    with pytest.raises(DataError, match=r"W1 has shape \(2, 16\), the network needs \(3, 2\)"):
        load_weights(seed, tmp_path / "w.npz")
    (tmp_path / "bad.npz").write_bytes(b"not a zip")
    with pytest.raises(DataError, match=r"bad\.npz: not a weights file"):
        load_weights(seed, tmp_path / "bad.npz")
    with pytest.raises(DataError, match="no such file"):
        load_weights(seed, tmp_path / "none.npz")


# ---------------------------------------------------------------- the fast CSV path
def _careful(path, targets, inputs=None):
    """The careful reader alone (cell by cell): the oracle of the fast path."""
    p = Path(path)
    return csvdata._load_careful(csvdata.read_table(p), targets, inputs)


def _same(a, b):
    np.testing.assert_array_equal(a.inputs, b.inputs)
    np.testing.assert_array_equal(a.targets, b.targets)
    assert a.inputs.dtype == b.inputs.dtype == np.float64
    assert a.targets.dtype == b.targets.dtype == np.float64
    assert (a.input_names, a.target_names, a.class_labels) == (
        b.input_names,
        b.target_names,
        b.class_labels,
    )


def _outcome(read):
    try:
        return read(), None
    except DataError as exc:
        return None, str(exc)


NUMBERS = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.integers(-(10**20), 10**20).map(str),
    st.sampled_from(["1.", ".5", "-0", "+3", "1e3", " 2 ", "\t4", "1_0", "0x10", "nan"]),
)
QUOTED = st.sampled_from(
    [
        *['"7"', '" 7 "', '"1e3"', '""', '"red"', '"a,b"', '"x""y"', '""""', '"1""2"'],
        *['"a\nb"', '"7\r\n"', 'a"b', '"7"x', ' "7"', '"open', 'x""', '"1,5"'],
    ]
)
CELLS = st.one_of(NUMBERS, NUMBERS, NUMBERS, QUOTED, st.sampled_from(["", " ", "red", " blue "]))


@st.composite
def csv_texts(draw):
    """A CSV of 2–4 columns whose rows are mostly numbers, sometimes with text, quoted
    cells (also spanning lines, or a quote standing for itself), blank cells, rows of
    another width, blank lines and either line ending."""
    width = draw(st.integers(2, 4))
    header = [f"c{i}" for i in range(width)]
    labels = draw(st.booleans())
    lines = [",".join(header)]
    for _ in range(draw(st.integers(0, 12))):
        kind = draw(st.integers(0, 19))
        if kind == 0:
            lines.append(draw(st.sampled_from(["", "  ", ",,"])))
            continue
        n = width + (draw(st.sampled_from([-1, 1])) if kind == 1 else 0)
        cells = [draw(CELLS if kind == 2 else NUMBERS) for _ in range(n)]
        if labels and n == width:
            cells[-1] = draw(st.sampled_from(["red", " blue", "green ", "red", '"red"', '" x,y "']))
        lines.append(",".join(cells))
    end = draw(st.sampled_from(["\n", "\r\n"]))
    return end.join(lines) + draw(st.sampled_from(["", end, end + end]))


@settings(max_examples=200, deadline=None)
@given(text=csv_texts(), chunk=st.sampled_from([8, 64, 1 << 21]))
def test_the_fast_reader_reads_what_the_careful_one_does_or_says_the_same(
    tmp_path_factory, text, chunk
):
    path = tmp_path_factory.mktemp("csv") / "d.csv"
    path.write_text(text, encoding="utf-8", newline="")
    targets = [text.splitlines()[0].split(",")[-1]]  # the last column, text or numbers
    old = csvdata.CHUNK_CHARS
    csvdata.CHUNK_CHARS = chunk
    try:
        fast, fast_error = _outcome(lambda: load_csv(path, targets))
    finally:
        csvdata.CHUNK_CHARS = old
    careful, careful_error = _outcome(lambda: _careful(path, targets))
    assert fast_error == careful_error
    if careful is not None:
        _same(fast, careful)


def _write(path, header, rows, end="\n"):
    path.write_text(end.join([header, *rows]) + end, newline="")
    return path


def test_a_clean_file_takes_the_fast_path_and_reads_as_the_careful_one(tmp_path):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(3000, 3))
    labels = np.array(["cat", "dog", "ant"])[rng.integers(0, 3, 3000)]
    rows = [f"{a!r}, {b!r} ,{c!r},{k}" for (a, b, c), k in zip(x.tolist(), labels, strict=True)]
    path = _write(tmp_path / "d.csv", "a,b,c,kind", rows, "\r\n")
    text = path.read_text(encoding="utf-8-sig")
    fast = csvdata._load_fast(text, ["kind"], None, None)
    assert fast is not None
    _same(fast, _careful(path, ["kind"]))
    np.testing.assert_array_equal(fast.inputs, x)  # every float64 read back exactly
    assert fast.class_labels == list(dict.fromkeys(labels))
    numeric = csvdata._load_fast(text, ["a", "b"], ["c"], None)
    assert numeric is not None and numeric.class_labels is None
    _same(numeric, _careful(path, ["a", "b"], ["c"]))
    np.testing.assert_array_equal(numeric.targets, x[:, :2])


def test_quoted_cells_on_one_line_take_the_fast_path_too(tmp_path):
    rows = [f'"{k}",{k / 3!r},"kind, {k % 3}","say ""{k % 2}"""' for k in range(500)]
    path = _write(tmp_path / "q.csv", '"a",b,"kind",quote', rows)
    text = path.read_text(encoding="utf-8-sig")
    fast = csvdata._load_fast(text, ["kind"], ["a", "b"], None)
    assert fast is not None and fast.class_labels == ["kind, 0", "kind, 1", "kind, 2"]
    _same(fast, _careful(path, ["kind"], ["a", "b"]))
    quote = csvdata._load_fast(text, ["quote"], ["a"], None)
    assert quote is not None and quote.class_labels == ['say "0"', 'say "1"']
    # a quoted cell over two lines, or a quote standing for itself: the careful reader's
    for odd in ('"kind,\n 1"', 'kind "1"'):
        _write(path, "a,b,kind", [f"1,2,{odd}", "3,4,x"])
        text = path.read_text(encoding="utf-8-sig")
        assert csvdata._load_fast(text, ["kind"], None, None) is None
        read = load_csv(path, ["kind"])
        _same(read, _careful(path, ["kind"]))
        assert len(read.class_labels) == 2 and read.class_labels[1] == "x"


def test_a_bad_cell_deep_in_a_long_file_is_named_by_line_and_column(tmp_path):
    rows = [f"{k},{k / 7!r},{k % 2}" for k in range(5000)]
    rows[4319] = "4319,oops,1"
    path = _write(tmp_path / "long.csv", "a,b,t", rows)
    with pytest.raises(DataError, match=r"long\.csv: line 4321, column 2 \(b\) is not a number"):
        load_csv(path, ["t"])
    rows[4319] = "4319,5"
    _write(path, "a,b,t", rows)
    with pytest.raises(DataError, match=r"long\.csv: line 4321: 2 cells, the header has 3"):
        load_csv(path, ["t"])
    rows[4319] = "4319,inf,1"
    _write(path, "a,b,t", rows)
    with pytest.raises(DataError, match=r"line 4321, column 2 \(b\) is not finite"):
        load_csv(path, ["t"])


def test_progress_rises_to_one_and_a_false_answer_cancels(tmp_path, monkeypatch):
    monkeypatch.setattr(csvdata, "CHUNK_CHARS", 1000)
    rows = [f"{k},{k * 0.5},{k % 3}" for k in range(2000)]
    path = _write(tmp_path / "d.csv", "a,b,t", rows)
    seen: list[float] = []
    data = load_csv(path, ["t"], progress=seen.append)
    assert data.inputs.shape == (2000, 2)
    assert len(seen) > 10 and seen[0] == 0.0 and seen[-1] == 1.0
    assert seen == sorted(seen)
    asked: list[float] = []

    def stop_halfway(fraction: float) -> bool:
        asked.append(fraction)
        return fraction < 0.5

    with pytest.raises(ReadCancelled, match=r"d\.csv: reading cancelled"):
        load_csv(path, ["t"], progress=stop_halfway)
    assert 0.5 <= asked[-1] < 1.0 and isinstance(ReadCancelled("x"), DataError)
    # a project's data section passes it on
    seen.clear()
    spec = {"csv": "d.csv", "targets": ["t"], "validation_split": 0.25}
    built = build_dataset(spec, tmp_path, progress=seen.append)
    assert built.inputs.shape == (1500, 2) and seen[-1] == 1.0


def test_the_careful_reader_reports_progress_and_can_be_cancelled_too(tmp_path):
    rows = [f"{k},{k * 0.5},{k % 3}" for k in range(3000)]
    rows[1500] = "   "  # a whitespace-only line: NumPy refuses it, the careful reader skips it
    path = _write(tmp_path / "d.csv", "a,b,t", rows)
    assert csvdata._load_fast(path.read_text(), ["t"], None) is None
    seen: list[float] = []
    data = load_csv(path, ["t"], progress=seen.append)
    _same(data, _careful(path, ["t"]))
    assert data.inputs.shape == (2999, 2)
    assert seen == sorted(seen) and seen[-1] == 1.0
    assert any(0.8 <= f < 1.0 for f in seen)  # the columns converted, one by one

    def stop_at_the_columns(fraction: float) -> bool:
        return fraction < 0.8

    with pytest.raises(ReadCancelled):
        load_csv(path, ["t"], progress=stop_at_the_columns)


def test_the_preview_reads_the_start_only(tmp_path):
    rows = [f"{k},{k}" for k in range(100)] + ["bad row"]
    path = _write(tmp_path / "d.csv", "\n a , t ", rows)
    table = preview_table(path, rows=8)
    assert table.header == ["a", "t"]
    assert [line for line, _ in table.rows] == list(range(3, 11))
    assert table.rows[0][1] == ["0", "0"]
    with pytest.raises(DataError, match="line 103: 1 cells, the header has 2"):
        load_csv(path, ["t"])
    _write(path, "a,t", [])
    with pytest.raises(DataError, match="line 1: a header but no data rows"):
        preview_table(path)
    _write(path, "a,t", ["1,2,3"])
    with pytest.raises(DataError, match="line 2: 3 cells, the header has 2"):
        preview_table(path)
    with pytest.raises(DataError, match="no such file"):
        preview_table(tmp_path / "none.csv")
