"""Test set-up: headless Qt, settings kept out of the user's own, hypothesis profiles."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from hypothesis import HealthCheck, settings

# CI draws the same examples every run (derandomize), so a red CI is reproducible and is
# about the change, not the draw; "dev" and "thorough" draw new ones each run.
settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=30, deadline=None)
settings.register_profile("thorough", max_examples=1000, deadline=None)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path_factory, monkeypatch):
    """QSettings and recent files go to a temporary folder, never the user's real ones."""
    home = tmp_path_factory.mktemp("config")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    monkeypatch.setenv("BPVIEWER_SETTINGS_DIR", str(home))
    yield


class FakePrompter:
    """Answers the window's questions without a dialog, and records them."""

    def __init__(self) -> None:
        self.asked: list[str] = []
        self.errors: list[tuple[str, str]] = []
        self.answer = "discard"
        self.recover_answer = "later"
        self.large_export_answer = "shorten"
        self.files: list[str] = []

    def unsaved_changes(self, name: str) -> str:
        self.asked.append(name)
        return self.answer

    def error(self, title: str, text: str) -> None:
        self.errors.append((title, text))

    def large_export(self, terms: int) -> str:
        self.asked.append(f"large export of {terms} terms")
        return self.large_export_answer

    def recover(self, original: str, when: str) -> str:
        self.asked.append(original)
        return self.recover_answer

    def open_file(self, caption: str, file_filter: str = "") -> str:
        return self.files.pop(0) if self.files else ""

    def save_file(self, caption: str, file_filter: str = "", suggestion: str = "") -> str:
        return self.files.pop(0) if self.files else ""


@pytest.fixture
def window(qtbot):
    """The main window on the seed example, shown offscreen, answering no dialogs."""
    from bpviewer.gui import MainWindow

    w = MainWindow()
    w.prompter = FakePrompter()
    qtbot.addWidget(w)
    with qtbot.waitExposed(w):
        w.show()
    yield w
    w.prompter.answer = "discard"
