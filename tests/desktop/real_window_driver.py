"""Drive the app in a real X11 window (run by test_desktop_real_window.py under Xvfb).

    python real_window_driver.py WORKSPACE OUT.png SETTINGS.ini

Opens WORKSPACE in the main window on the xcb platform, goes to the review queue, approves the
first pair with the A key, saves what the X server shows of the window to OUT.png and prints
one JSON line: the platform, the pair's status before and after, the window's size.
"""

from __future__ import annotations

import json
import sys
import time


def main(workspace: str, out: str, settings_path: str) -> int:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from desktop.context import AppContext
    from desktop.main_window import MainWindow
    from desktop.settings import Settings
    from engine.review import pairs

    app = QApplication([sys.argv[0], "-platform", "xcb"])
    ctx = AppContext(Settings(settings_path), show_dialogs=False)
    window = MainWindow(ctx)
    window.resize(1280, 800)
    ctx.open_workspace(workspace)
    ctx.worker.wait_idle(60)
    window.show()
    QTest.qWaitForWindowExposed(window, 10000)
    window.go_to("review")
    review = window.page("review")
    deadline = time.monotonic() + 30
    while review.current_id is None and time.monotonic() < deadline:
        QTest.qWait(50)
    ctx.worker.wait_idle(30)
    QTest.qWait(200)
    window.activateWindow()  # the keyboard shortcuts answer in the active window only
    active = QTest.qWaitForWindowActive(window, 10000)
    review.table.setFocus()
    first = review.current_id
    before = ctx.worker.run_sync(pairs.get_pair, first)["status"]
    QTest.keyClick(review.table, Qt.Key.Key_A)
    while time.monotonic() < deadline:
        after = ctx.worker.run_sync(pairs.get_pair, first)["status"]
        if after == "approved":
            break
        QTest.qWait(50)
    ctx.worker.wait_idle(30)
    QTest.qWait(300)  # let the window repaint before the X server is asked for its pixels
    shot = window.screen().grabWindow(window.winId())
    saved = shot.save(out)
    print(json.dumps({"platform": app.platformName(), "pair": first, "before": before, "after": after,
                      "active": active, "saved": saved, "size": [shot.width(), shot.height()]}))
    window.close()
    ctx.worker.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
