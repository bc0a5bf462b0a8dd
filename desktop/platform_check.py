"""Before Qt starts on Linux: can its xcb (X11) platform plugin load?

The PySide6 wheels carry Qt but not every X11 library Qt's xcb plugin links against. When one is
missing, Qt prints "Could not load the Qt platform plugin" and aborts (a core dump). This module
asks the dynamic loader (`ldd` on the plugin and on Qt's XcbQpa library, plus a load attempt of
`libxcb-cursor.so.0`, which Qt 6.5+ opens at run time) which libraries it cannot find, so the app
can print one line naming them and the command that installs them instead.

Nothing here imports Qt's GUI modules: the check must work where they cannot load.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
import sys
from pathlib import Path

# soname -> (Debian/Ubuntu package, Fedora package): the libraries Qt's xcb plugin needs that a
# minimal desktop may lack. A missing library not listed here is still named, by its soname.
PACKAGES: dict[str, tuple[str, str]] = {
    "libxcb-cursor.so.0": ("libxcb-cursor0", "xcb-util-cursor"),
    "libxcb-icccm.so.4": ("libxcb-icccm4", "xcb-util-wm"),
    "libxcb-keysyms.so.1": ("libxcb-keysyms1", "xcb-util-keysyms"),
    "libxcb-image.so.0": ("libxcb-image0", "xcb-util-image"),
    "libxcb-render-util.so.0": ("libxcb-render-util0", "xcb-util-renderutil"),
    "libxcb-util.so.1": ("libxcb-util1", "xcb-util"),
    "libxcb-xkb.so.1": ("libxcb-xkb1", "libxcb"),
    "libxcb-xinerama.so.0": ("libxcb-xinerama0", "libxcb"),
    "libxcb-randr.so.0": ("libxcb-randr0", "libxcb"),
    "libxcb-shape.so.0": ("libxcb-shape0", "libxcb"),
    "libxcb-xfixes.so.0": ("libxcb-xfixes0", "libxcb"),
    "libxcb-sync.so.1": ("libxcb-sync1", "libxcb"),
    "libxcb-shm.so.0": ("libxcb-shm0", "libxcb"),
    "libxcb-render.so.0": ("libxcb-render0", "libxcb"),
    "libxcb-xinput.so.0": ("libxcb-xinput0", "libxcb"),
    "libxcb.so.1": ("libxcb1", "libxcb"),
    "libxkbcommon-x11.so.0": ("libxkbcommon-x11-0", "libxkbcommon-x11"),
    "libxkbcommon.so.0": ("libxkbcommon0", "libxkbcommon"),
    "libX11-xcb.so.1": ("libx11-xcb1", "libX11-xcb"),
    "libX11.so.6": ("libx11-6", "libX11"),
    "libSM.so.6": ("libsm6", "libSM"),
    "libICE.so.6": ("libice6", "libICE"),
    "libEGL.so.1": ("libegl1", "libglvnd-egl"),
    "libGL.so.1": ("libgl1", "libglvnd-glx"),
    "libOpenGL.so.0": ("libopengl0", "libglvnd-opengl"),
    "libfontconfig.so.1": ("libfontconfig1", "fontconfig"),
    "libfreetype.so.6": ("libfreetype6", "freetype"),
    "libdbus-1.so.3": ("libdbus-1-3", "dbus-libs"),
    "libglib-2.0.so.0": ("libglib2.0-0", "glib2"),
}
# opened with dlopen at run time, so `ldd` cannot see it
RUNTIME_LOADED = ("libxcb-cursor.so.0",)


def uses_xcb(env: dict[str, str] | None = None) -> bool:
    """Would Qt start its xcb plugin here? (Linux with an X display and no other platform asked for.)"""
    env = dict(os.environ if env is None else env)
    if not sys.platform.startswith("linux"):
        return False
    platform = env.get("QT_QPA_PLATFORM", "").split(";")[0].split(":")[0].strip()
    if platform:
        return platform == "xcb"
    if not env.get("DISPLAY"):
        return False
    # a Wayland session where Qt finds its Wayland plugin does not need xcb
    return not (env.get("WAYLAND_DISPLAY") and env.get("XDG_SESSION_TYPE") == "wayland")


def _qt_dir() -> Path | None:
    try:
        import PySide6  # the package only: no Qt library is loaded by this
    except ImportError:
        return None
    return Path(PySide6.__file__).resolve().parent / "Qt"


def _not_found(library: Path) -> list[str]:
    """Sonames `ldd` reports as "not found" for `library` (empty where ldd is unavailable)."""
    ldd = shutil.which("ldd")
    if ldd is None or not library.is_file():
        return []
    try:
        out = subprocess.run([ldd, str(library)], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return parse_ldd(out)


def parse_ldd(output: str) -> list[str]:
    """The sonames in `ldd` output marked "=> not found", in order, without repeats."""
    missing: list[str] = []
    for line in output.splitlines():
        name, sep, target = line.strip().partition("=>")
        if sep and target.strip() == "not found" and name.strip() not in missing:
            missing.append(name.strip())
    return missing


def _loadable(soname: str) -> bool:
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def missing_libraries(qt_dir: Path | None = None) -> list[str]:
    """The system libraries the xcb plugin needs that the loader cannot find (sonames).

    A library bundled beside the app (a frozen build keeps them in its own folder) counts as
    present even where `ldd` does not look there."""
    qt_dir = qt_dir or _qt_dir()
    if qt_dir is None:
        return []
    missing: list[str] = []
    for library in (qt_dir / "plugins" / "platforms" / "libqxcb.so", qt_dir / "lib" / "libQt6XcbQpa.so.6"):
        for name in _not_found(library):
            if name not in missing:
                missing.append(name)
    for name in RUNTIME_LOADED:
        if name not in missing and not _loadable(name):
            missing.append(name)
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        missing = [m for m in missing if not any(Path(bundle).rglob(m))]
    return missing


def install_hint(missing: list[str]) -> str:
    """One line: what is missing and the command that installs it (Debian/Ubuntu, then Fedora)."""
    debian = [PACKAGES[m][0] for m in missing if m in PACKAGES]
    fedora = sorted({PACKAGES[m][1] for m in missing if m in PACKAGES})
    text = f"the window cannot open: Qt's X11 plugin needs {', '.join(missing)}, which this system lacks."
    if debian:
        text += f" Install with: sudo apt-get install {' '.join(debian)}"
        text += f" (Fedora: sudo dnf install {' '.join(fedora)})"
    else:
        text += " Install the packages that provide them with your system's package manager."
    return text
