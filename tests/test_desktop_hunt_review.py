"""Bug hunt: the Review page's flag badges showed HTML entities: a conflict explanation with
quotes read `In their words: &quot;Investment proofs ...&quot;`."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

pytest.importorskip("pytestqt")


def test_flag_explanations_show_quotes_and_angle_brackets_as_written(qtbot):
    from PySide6.QtWidgets import QLabel

    from desktop.widgets.pair_editor import FlagBadges

    explanation = ('Conflicting answers: HR-10130 says 31 March; pair #480 says 15 January. In their words: '
                   '"Investment proofs can be submitted until 31 March" / "The deadline is 15 January" <b>&</b>.')
    badges = FlagBadges()
    qtbot.addWidget(badges)
    badges.set_flags([{"id": 1, "kind": "conflict", "severity": "high", "explanation": explanation}])
    badges.show()
    labels = [w for w in badges.findChildren(QLabel) if w.objectName() == "flag-explanation"]
    assert len(labels) == 1
    label = labels[0]
    # what is drawn: the text as written (plain text), no entities
    shown = label.text() if label.textFormat() == label.textFormat().PlainText else None
    assert shown == explanation
