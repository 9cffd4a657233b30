"""Write ``resources/digits.npy``, the 8×8 handwritten digits bpviewer ships, from the copy
scikit-learn bundles (scikit-learn is needed here only, never by the app).

The file is one uint8 array of shape (1797, 65): row k holds sample k's 64 pixels in row-major
order (row 1 left to right, then row 2, …), each a count 0..16 of the "on" pixels in a 4×4
block of the 32×32 bitmap, followed by its digit 0..9.  The ``.npy`` format is written the
same byte for byte every time, so ``tests/test_digits.py`` pins its SHA-256.

    python tools/make_digits.py            # writes resources/digits.npy
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent.parent / "resources" / "digits.npy"


def main() -> None:
    from sklearn.datasets import load_digits

    digits = load_digits()
    pixels, labels = digits.data, digits.target
    assert pixels.shape == (1797, 64) and labels.shape == (1797,)
    assert np.array_equal(pixels, np.round(pixels)) and pixels.min() >= 0 and pixels.max() <= 16
    table = np.column_stack([pixels, labels]).astype(np.uint8)
    np.save(OUT, table, allow_pickle=False)
    digest = hashlib.sha256(OUT.read_bytes()).hexdigest()
    print(f"{OUT}: {table.shape}, {OUT.stat().st_size} bytes, sha256 {digest}")


if __name__ == "__main__":
    main()
