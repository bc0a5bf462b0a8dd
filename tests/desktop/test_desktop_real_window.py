"""The app in a real X11 window (Qt's xcb plugin under Xvfb), and the clear message when the
system libraries that plugin needs are missing.

CI installs Xvfb and the libraries (`.ci/run`); elsewhere the window test is skipped with the line
that says what to install.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from desktop import platform_check

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent

LDD_OUTPUT = """\
\tlinux-vdso.so.1 (0x00007ff5bd4af000)
\tlibQt6XcbQpa.so.6 => /venv/PySide6/Qt/plugins/platforms/../../lib/libQt6XcbQpa.so.6 (0x00007f)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\tlibxcb-icccm.so.4 => not found
\tlibpairsmith-nowhere.so.2 => not found
\t/lib64/ld-linux-x86-64.so.2 (0x00007ff5bd4b1000)
"""


def test_the_loader_output_names_each_missing_library_once():
    assert platform_check.parse_ldd(LDD_OUTPUT) == [
        "libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libpairsmith-nowhere.so.2"]


def test_the_hint_gives_the_install_command_for_both_families():
    line = platform_check.install_hint(["libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libpairsmith-nowhere.so.2"])
    assert "\n" not in line
    assert "libpairsmith-nowhere.so.2" in line  # an unknown library is still named
    assert "sudo apt-get install libxcb-icccm4 libxcb-keysyms1" in line
    assert "sudo dnf install xcb-util-keysyms xcb-util-wm" in line
    assert "apt-get" not in platform_check.install_hint(["libpairsmith-nowhere.so.2"])


@pytest.mark.parametrize("env, expected", [
    ({"DISPLAY": ":0"}, True),
    ({}, False),
    ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"}, False),
    ({"QT_QPA_PLATFORM": "xcb"}, True),
    ({"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0", "XDG_SESSION_TYPE": "wayland"}, False),
])
def test_only_an_x11_start_is_checked(env, expected, monkeypatch):
    monkeypatch.setattr(sys, "platform", "linux")
    assert platform_check.uses_xcb(env) is expected


@pytest.mark.skipif(shutil.which("gcc") is None or shutil.which("ldd") is None, reason="needs gcc and ldd")
def test_a_library_the_loader_cannot_find_is_reported(tmp_path):
    """A stand-in for Qt's plugin, linked against a library that is then taken away: the check
    reads the loader's answer, not a fixed list."""
    qt = tmp_path / "Qt"
    (qt / "plugins" / "platforms").mkdir(parents=True)
    (qt / "lib").mkdir()
    src = tmp_path / "gone.c"
    src.write_text("int gone(void) { return 1; }\n")
    subprocess.run(["gcc", "-shared", "-fPIC", "-o", str(tmp_path / "libpairsmith-gone.so.1"), str(src),
                    "-Wl,-soname,libpairsmith-gone.so.1"], check=True)
    plugin = tmp_path / "plugin.c"
    plugin.write_text("int gone(void); int use(void) { return gone(); }\n")
    subprocess.run(["gcc", "-shared", "-fPIC", "-o", str(qt / "plugins" / "platforms" / "libqxcb.so"), str(plugin),
                    str(tmp_path / "libpairsmith-gone.so.1")], check=True)
    (tmp_path / "libpairsmith-gone.so.1").unlink()
    missing = platform_check.missing_libraries(qt)
    assert missing[0] == "libpairsmith-gone.so.1"
    assert "libpairsmith-gone.so.1" in platform_check.install_hint(missing)


@pytest.fixture
def xvfb():
    if shutil.which("Xvfb") is None:
        pytest.skip("needs Xvfb (apt-get install xvfb)")
    missing = platform_check.missing_libraries()
    if missing:
        pytest.skip(platform_check.install_hint(missing))
    read, write = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                            pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write)
    with os.fdopen(read) as f:
        display = f.readline().strip()
    try:
        assert display, "Xvfb did not start"
        yield f":{display}"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_the_app_opens_in_a_real_window_and_answers_the_keyboard(xvfb, tmp_path, qapp):
    from PySide6.QtGui import QImage

    from engine.ingest.importer import import_files
    from engine.workspace.resources import resources_dir
    from engine.workspace.store import Workspace

    ws = Workspace.create(tmp_path / "ws")
    import_files(ws, [resources_dir() / "sample" / "helpdesk_export.csv"])
    ws.close()
    shot = tmp_path / "real-window.png"
    env = {k: v for k, v in os.environ.items() if k not in ("WAYLAND_DISPLAY",)}
    env.update(DISPLAY=xvfb, QT_QPA_PLATFORM="xcb", PYTHONPATH=str(ROOT))
    r = subprocess.run([sys.executable, str(HERE / "real_window_driver.py"), str(tmp_path / "ws"), str(shot),
                        str(tmp_path / "settings.ini")], env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    result = json.loads(r.stdout.strip().splitlines()[-1])
    assert result["platform"] == "xcb"
    assert result["active"] is True
    assert (result["before"], result["after"]) == ("new", "approved")
    image = QImage(str(shot))
    assert (image.width(), image.height()) == (1280, 800)
    colours = {image.pixel(x, y) for x in range(0, 1280, 37) for y in range(0, 800, 23)}
    assert len(colours) > 20  # the pages were drawn, not a blank window
