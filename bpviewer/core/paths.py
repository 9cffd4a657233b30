"""Where bpviewer's bundled resources live, installed or in a source checkout."""

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent


def resource_path(*parts: str) -> Path:
    """Path of a file under ``resources/``.

    A wheel carries the folder inside the package (``bpviewer/resources``); a source checkout
    or editable install has it at the top level of the repository.
    """
    for root in (_PACKAGE / "resources", _PACKAGE.parent / "resources"):
        if root.is_dir():
            return root.joinpath(*parts)
    raise FileNotFoundError(f"bpviewer's resources folder is missing (looked in {_PACKAGE})")
