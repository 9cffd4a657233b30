"""`bpviewer install-desktop`: a desktop entry and icon for the applications menu."""

from __future__ import annotations

import configparser
import os
import shlex

from bpviewer import desktop_entry
from bpviewer.cli import main
from bpviewer.core.paths import resource_path


def _entry(path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # keys are case-sensitive
    parser.read_string(path.read_text(encoding="utf-8"))
    return parser["Desktop Entry"]


def test_install_writes_an_entry_that_starts_this_bpviewer_and_its_icon(tmp_path):
    written = desktop_entry.install(tmp_path)
    entry_file, icon = written
    assert entry_file == tmp_path / "applications" / "bpviewer.desktop"
    assert icon.read_bytes() == resource_path("bpviewer.svg").read_bytes()
    entry = _entry(entry_file)
    assert entry["Type"] == "Application" and entry["Name"] == "bpviewer"
    assert entry["Icon"] == str(icon)
    argv = shlex.split(entry["Exec"])
    assert argv[-1] == "%f"  # a project file dropped on the launcher opens
    assert argv[:-1] == desktop_entry.exec_command()
    assert os.access(argv[0], os.X_OK) and entry["TryExec"] == argv[0]
    assert desktop_entry.uninstall(tmp_path) == written
    assert not entry_file.exists() and not icon.exists()
    assert desktop_entry.uninstall(tmp_path) == []


def test_exec_arguments_with_spaces_are_quoted_as_the_specification_asks():
    assert desktop_entry._quoted("/usr/bin/bpviewer") == "/usr/bin/bpviewer"
    assert desktop_entry._quoted("/opt/my tools/bpviewer") == '"/opt/my tools/bpviewer"'
    assert desktop_entry._quoted('/a "b"/c') == '"/a \\"b\\"/c"'
    assert desktop_entry._quoted("/a$b") == '"/a\\$b"'


def test_the_command_installs_under_xdg_data_home(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert main(["install-desktop"]) == 0
    assert (tmp_path / "applications" / "bpviewer.desktop").is_file()
    assert "wrote" in capsys.readouterr().out
    assert main(["install-desktop", "--uninstall"]) == 0
    assert not (tmp_path / "applications" / "bpviewer.desktop").exists()
    monkeypatch.setenv("XDG_DATA_HOME", "relative/ignored")  # the spec: absolute only
    assert desktop_entry.data_home() == desktop_entry.Path.home() / ".local" / "share"
