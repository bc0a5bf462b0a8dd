"""Bug hunt: the Review page's flag badges showed HTML entities: a conflict explanation with
quotes read `In their words: &quot;Investment proofs ...&quot;`."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from desktop_helpers import ctx, settings  # noqa: E402,F401

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


def _shown(label) -> str:
    """The text a label draws (rich text rendered to plain)."""
    from PySide6.QtGui import QTextDocument

    doc = QTextDocument()
    doc.setHtml(label.text())
    return doc.toPlainText()


def test_flag_views_show_answer_text_with_angle_brackets(qtbot):
    """Quoted answers are user text: "<IT desk>" or "< 5 days" must not vanish as an HTML tag."""
    from desktop.widgets.flag_views import ConflictView, SpanView

    pairs = {1: {"id": 1, "external_id": "HR-1", "instruction": "How do I get help?", "status": "new",
                 "response": "Call <IT desk> on 555-0100."},
             2: {"id": 2, "external_id": "HR-2", "instruction": "How do I get help?", "status": "new",
                 "response": "Email the IT desk."}}
    conflict = ConflictView()
    qtbot.addWidget(conflict)
    conflict.set_flag({"id": 7, "kind": "conflict", "pair_ids": [1, 2], "status": "open",
                       "explanation": 'In their words: "Call <IT desk> on 555-0100" / "Email the IT desk".',
                       "details": {"facts": [{"what": "contact", "values": {"1": "<IT desk>", "2": "email"}}]}},
                      pairs)
    text = _shown(conflict.explanation)
    assert '"Call <IT desk> on 555-0100"' in text
    assert "contact: <IT desk> (HR-1) vs email (HR-2)" in text

    tone = SpanView("tone")
    qtbot.addWidget(tone)
    tone.set_flag({"id": 8, "kind": "tone", "pair_ids": [1], "status": "open",
                   "explanation": "Sounds curt: <IT desk> & no greeting.",
                   "details": {"phrases": [{"phrase": "<IT desk>", "why": "an order, not help"}]}}, pairs)
    text = _shown(tone.explanation)
    assert "Sounds curt: <IT desk> & no greeting." in text
    assert "“<IT desk>”: an order, not help" in text


def test_freeze_warnings_show_angle_brackets(qtbot, ctx):
    from desktop.pages.dataset import DatasetPage

    page = DatasetPage(ctx)
    qtbot.addWidget(page)
    page._frozen({"version_id": 3, "name": "v1", "train": 10, "heldout": 2,
                  "warnings": [{"message": "Topic <IT desk> has only 2 approved pairs."}]})
    assert "Topic <IT desk> has only 2 approved pairs." in _shown(page.freeze_result)
    ctx.worker.wait_idle(10)
