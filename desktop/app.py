"""`pairsmith-desktop [--workspace WS] [--page NAME] [--screenshot OUT.png] [FILE ...]`

FILEs (ticket exports) open in the import wizard, as if dropped on the window.

With --screenshot the window is rendered offscreen (QT_QPA_PLATFORM=offscreen when there is no
display), the page's pending worker tasks are waited for, `window.grab()` is saved and the app
exits 0. On Linux with an X display, the system libraries Qt's X11 plugin needs are checked
first: when some are missing, one line names them and the command that installs them (exit 2).
A workspace that is open elsewhere (DuckDB allows one writer process) gives a clear
message and exit code 3, never a traceback.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

EXIT_LOCKED = 3


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="pairsmith-desktop", description="The Pairsmith desktop app.")
    parser.add_argument("files", nargs="*", metavar="FILE", help="ticket exports to open in the import wizard")
    parser.add_argument("--workspace", "-w", help="open this workspace folder")
    parser.add_argument("--create", action="store_true", help="create the workspace if it does not exist")
    parser.add_argument("--page", help="show this page first (import, review, flags, dataset, train, evaluate, playground)")
    parser.add_argument("--pair", type=int, help="with --page review: select this pair")
    parser.add_argument("--screenshot", metavar="OUT.png", help="render the page offscreen, save a PNG and exit")
    parser.add_argument("--size", default=(1280, 800), type=_size,
                        help="window size for --screenshot, WIDTHxHEIGHT (default 1280x800)")
    parser.add_argument("--settings", help="settings file (INI) to use instead of the user's")
    return parser.parse_args(argv)


def _size(text: str) -> tuple[int, int]:
    w, sep, h = text.lower().partition("x")
    if not (sep and w.strip().isdigit() and h.strip().isdigit() and int(w) > 0 and int(h) > 0):
        raise argparse.ArgumentTypeError(f"{text!r} is not a size: use WIDTHxHEIGHT, such as 1280x800")
    return int(w), int(h)


def _no_display() -> bool:
    if sys.platform.startswith("linux"):
        return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return False


def _set_icon(app) -> None:
    """The window and taskbar icon, from the bundled resources (absent icons are not an error)."""
    from PySide6.QtGui import QIcon

    try:
        from engine.workspace.resources import resources_dir

        icon = resources_dir() / "icons" / "pairsmith.svg"
    except Exception:  # noqa: BLE001 - an app without its icon still works
        return
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    if args.screenshot and _no_display():
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if args.settings:
        os.environ["PAIRSMITH_SETTINGS"] = args.settings
    logging.basicConfig(level=logging.INFO if os.environ.get("PAIRSMITH_DEBUG") else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    from desktop.platform_check import install_hint, missing_libraries, uses_xcb

    if uses_xcb():
        missing = missing_libraries()
        if missing:  # Qt would abort with a core dump; say what to install instead
            print(f"pairsmith-desktop: {install_hint(missing)}", file=sys.stderr)
            return 2
    from engine.workspace.security import apply_to_process

    apply_to_process()  # no telemetry, no model-hub calls from the app process

    from PySide6.QtWidgets import QApplication, QMessageBox

    from engine.workspace.errors import WorkspaceLocked

    from desktop.context import AppContext
    from desktop.main_window import TITLES, MainWindow
    from desktop.settings import Settings

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName("Pairsmith")
    app.setApplicationName("Pairsmith desktop")
    _set_icon(app)
    app.setStyle("Fusion")

    headless = bool(args.screenshot)
    if headless:
        from PySide6.QtCore import qInstallMessageHandler

        def quiet(mode, context, message):  # the offscreen plugin's harmless chatter
            if "propagateSizeHints" not in message:
                sys.stderr.write(message + "\n")

        qInstallMessageHandler(quiet)
    ctx = AppContext(Settings(args.settings), show_dialogs=not headless)
    window = MainWindow(ctx)
    if args.page and args.page not in TITLES:
        print(f"pairsmith-desktop: unknown page {args.page!r}; use one of {', '.join(TITLES)}", file=sys.stderr)
        return 2

    exit_code = 0
    workspace = args.workspace
    if workspace is None and not headless and ctx.settings.get("workspaces/reopen_last"):
        last = ctx.settings.get("workspaces/last")
        workspace = last if last and Path(last).is_dir() else None
    if workspace:
        outcome: dict = {}
        ctx.worker.open(workspace, create=args.create,
                        on_done=lambda p: outcome.setdefault("ok", p),
                        on_error=lambda e: outcome.setdefault("error", e))
        ctx.worker.wait_idle(timeout=120)
        error = outcome.get("error")
        if isinstance(error, WorkspaceLocked):
            message = ("This workspace is open in another Pairsmith window (or a pairsmith command "
                       "is using it). Close it there first.")
            print(f"pairsmith-desktop: {message}", file=sys.stderr)
            if not headless:
                box = ctx.worker.last_dialog
                if box is not None:
                    box.exec()
                else:
                    QMessageBox.warning(None, "Workspace already open", message)
            ctx.worker.shutdown()
            return EXIT_LOCKED
        if error is not None:
            from desktop.worker import user_message

            print(f"pairsmith-desktop: {user_message(error)}", file=sys.stderr)
            if headless:
                ctx.worker.shutdown()
                return getattr(error, "exit_code", 1)
            # interactive: the dialog is already shown; carry on with the welcome page

    if headless:
        window.resize(*args.size)
    window.show()
    if args.page and ctx.workspace_path:
        window.go_to(args.page)
        if args.pair is not None:
            ctx.open_pair(args.pair)
    if args.files:
        window.import_files([str(Path(f).resolve()) for f in args.files])

    if headless:
        ok = ctx.worker.wait_idle(timeout=120, settle_ms=200)
        # let timers (debounced searches, lazy fetches) fire, then wait again
        for _ in range(3):
            app.processEvents()
            ok = ctx.worker.wait_idle(timeout=60, settle_ms=150) and ok
        out = Path(args.screenshot)
        out.parent.mkdir(parents=True, exist_ok=True)
        saved = window.grab().save(str(out))
        window.close()
        ctx.worker.shutdown()
        if not saved:
            print(f"pairsmith-desktop: could not write {out}", file=sys.stderr)
            return 1
        if not ok:
            print("pairsmith-desktop: warning: some work was still running when the screenshot was taken",
                  file=sys.stderr)
        print(str(out))
        return exit_code

    app.aboutToQuit.connect(ctx.worker.shutdown)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
