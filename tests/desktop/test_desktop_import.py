"""The import wizard: preview and detected format, the column mapping, importing with progress
and the summary of the rows that could not be read."""

from __future__ import annotations

import pytest
from desktop_helpers import ctx, settings  # noqa: F401

from engine.workspace.errors import PairsmithError

HEADER = "Ticket No,Title,Body,Agent notes,Opened\n"
ROWS = [
    "HD-1,VPN down,My VPN will not connect since this morning.,Reset your VPN profile in the portal.,2024-03-01",
    "HD-2,Vacation,How many vacation days do I get?,Full-time staff get 25 days a year.,2024-03-02",
    "HD-3,,,Payslips are in the HR portal.,2024-03-03",  # no question (nor subject)
    "HD-4,Laptop,My laptop will not turn on.,Hold the power button for 15 seconds.,2024-03-04",
    "HD-5,Broken,too,many,fields,here",  # wrong number of fields
    "HD-2,Vacation,How many vacation days do I get?,Full-time staff get 25 days a year.,2024-03-02",  # duplicate
]


@pytest.fixture
def export_csv(tmp_path):
    path = tmp_path / "helpdesk.csv"
    path.write_text(HEADER + "\n".join(ROWS) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def page(qtbot, ctx):
    from desktop.pages.importer import ImportPage

    p = ImportPage(ctx)
    qtbot.addWidget(p)
    p.resize(1100, 700)
    p.show()
    p.activate()
    return p


def test_preview_shows_format_and_guessed_mapping(qtbot, page, export_csv):
    page.add_files([str(export_csv)])
    path = str(export_csv.resolve())
    qtbot.waitUntil(lambda: path in page.previews, timeout=10000)
    preview = page.previews[path]
    assert preview["format"] == "csv" and preview["delimiter"] == ","
    assert "CSV" in page.detected.text() and "comma-separated" in page.detected.text()
    assert page.preview_table.columnCount() == 5
    assert page.preview_table.rowCount() >= 4
    assert page.preview_table.item(0, 2).text() == "My VPN will not connect since this morning."
    # "Body" is guessed as the question; "Agent notes" is not a known answer name
    assert page.combos["question"].currentData() == "Body"
    assert page.combos["id"].currentData() == "Ticket No"
    assert not page.import_button.isEnabled()
    assert "answer" in page.mapping_note.text()


def test_import_with_an_adjusted_mapping_and_a_summary_of_bad_rows(qtbot, page, ctx, export_csv):
    page.add_files([str(export_csv)])
    path = str(export_csv.resolve())
    qtbot.waitUntil(lambda: path in page.previews, timeout=10000)
    combo = page.combos["answer"]
    combo.setCurrentIndex(combo.findData("Agent notes"))
    assert page.mappings[path]["answer"] == "Agent notes"
    assert "→ Answer" in page.preview_table.horizontalHeaderItem(3).text()
    assert page.import_button.isEnabled() and page.import_button.text() == "Import 1 file"

    changed = []
    ctx.sig_pairs_changed.connect(changed.append)
    page.import_button.click()
    qtbot.waitUntil(lambda: page.last_result is not None, timeout=20000)
    result = page.last_result
    assert result["imported"] == 3
    assert result["duplicates_skipped"] == 1
    lines = sorted((e["line"], e["reason"]) for e in result["errors"])
    assert [line for line, _ in lines] == [4, 6]
    assert "no question" in lines[0][1] and "wrong number of fields" in lines[1][1]
    assert ctx.worker.run_sync(lambda ws: ws.counts()["pairs"]) == 3
    # the summary lists the bad rows with line and reason
    assert page.body.currentIndex() == 2
    assert "Imported 3 pairs" in page.summary_headline.text()
    assert page.errors_table.rowCount() == 2
    shown = {(page.errors_table.item(r, 1).text(), page.errors_table.item(r, 2).text())
             for r in range(page.errors_table.rowCount())}
    assert ("4", lines[0][1]) in shown and ("6", lines[1][1]) in shown
    assert changed == [[]]  # the other pages are told to reload

    # importing the same file again: everything is a duplicate
    page.reset()
    page.add_files([str(export_csv)])
    qtbot.waitUntil(lambda: path in page.previews, timeout=10000)
    page.combos["answer"].setCurrentIndex(page.combos["answer"].findData("Agent notes"))
    page.last_result = None
    page.start_import()
    qtbot.waitUntil(lambda: page.last_result is not None, timeout=20000)
    assert page.last_result["imported"] == 0 and page.last_result["duplicates_skipped"] == 4
    assert page.summary_headline.text() == "Nothing new was imported"


def test_unreadable_file_is_shown_not_imported(qtbot, page, tmp_path):
    bad = tmp_path / "photo.csv"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20)
    page.add_files([str(bad)])
    path = str(bad.resolve())
    qtbot.waitUntil(lambda: path in page.previews, timeout=10000)
    assert "error" in page.previews[path]
    assert page.preview_error.isVisibleTo(page) and page.preview_error.text()
    assert "cannot be read" in page.file_list.item(0).text()
    assert not page.import_button.isEnabled()


def test_import_function_reports_each_file_and_cancels(ctx, tmp_path, export_csv):
    """Each file with its own mapping, in one import; the progress names the file being read."""
    from desktop.pages.importer import import_with_mappings

    other = tmp_path / "other.csv"
    other.write_text("Question,Answer\nWhere is the printer?,On the second floor.\n", encoding="utf-8")
    jobs = [(str(export_csv), {"answer": "Agent notes"}), (str(other), {})]
    steps = []
    result = ctx.worker.run_sync(import_with_mappings, jobs, progress=lambda d, t, m: steps.append(m))
    assert result["imported"] == 4
    assert [(f["file"], f["imported"]) for f in result["files"]] == [("helpdesk.csv", 3), ("other.csv", 1)]
    assert result["files"][0]["mapping"]["answer"] == "Agent notes"
    assert sorted(e["line"] for e in result["errors"]) == [4, 6]
    assert any(m.startswith("helpdesk.csv (1/2)") for m in steps)

    with pytest.raises(PairsmithError, match="(?i)cancel"):
        ctx.worker.run_sync(import_with_mappings, [(str(export_csv), {"answer": "Agent notes"})],
                            cancel=lambda: True)


def test_a_bad_file_means_nothing_is_imported(ctx, tmp_path, export_csv):
    """All files or none, as on the command line: a good file imported with a bad one leaves
    the workspace as it was, and the error names the bad file."""
    from desktop.pages.importer import import_with_mappings
    from engine.workspace.errors import BadInput

    missing_cols = tmp_path / "other.csv"
    missing_cols.write_text("a,b\n1,2\n", encoding="utf-8")
    jobs = [(str(export_csv), {"answer": "Agent notes"}), (str(missing_cols), {})]
    with pytest.raises(BadInput, match="other.csv"):
        ctx.worker.run_sync(import_with_mappings, jobs)
    assert ctx.worker.run_sync(lambda ws: ws.counts()["pairs"]) == 0


def test_conversation_export_imports_without_choosing_columns(qtbot, page, ctx, tmp_path):
    """One row per message (a Twitter/Zendesk-style thread export): no question/answer columns
    to choose; the wizard says what it found and the summary counts messages that made no pair."""
    path = tmp_path / "threads.csv"
    path.write_text(
        "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"
        "1,cust1,True,Wed Oct 11 06:55:44 +0000 2017,@Support my phone will not charge,2,\n"
        "2,Support,False,Wed Oct 11 07:01:00 +0000 2017,@cust1 Try another cable and a wall socket. ^AB,,1\n"
        "3,cust2,True,Wed Oct 11 08:00:00 +0000 2017,@Support how do I reset my password?,4,\n"
        "4,Support,False,Wed Oct 11 08:05:00 +0000 2017,@cust2 Use Settings > Account > Reset. ^CD,,3\n"
        "5,cust3,True,Wed Oct 11 09:00:00 +0000 2017,@Support anyone there?,,\n",
        encoding="utf-8")
    page.add_files([str(path)])
    key = str(path.resolve())
    qtbot.waitUntil(lambda: key in page.previews, timeout=10000)
    assert page.previews[key]["shape"] == "thread"
    assert not page.combos["question"].isEnabled()
    assert "pair" in page.mapping_note.text()
    assert page.import_button.isEnabled()
    page.import_button.click()
    qtbot.waitUntil(lambda: page.last_result is not None, timeout=20000)
    assert page.last_result["imported"] == 2
    assert sum(page.last_result["skipped"].values()) == 1
    assert "made no pair" in page.summary_text.text()
    rows = ctx.worker.run_sync(lambda ws: ws.query("SELECT instruction, response FROM pairs ORDER BY id"))
    assert rows[0] == {"instruction": "my phone will not charge", "response": "Try another cable and a wall socket."}


# --- Bug hunt: the import wizard with a conversation export whose sender values say nothing ---
def test_choose_which_sender_is_the_customer(qtbot, page, ctx, tmp_path):
    path = tmp_path / "dir.csv"
    path.write_text("ticket_id,direction,message\n"
                    "1,I,How do I change my bank details?\n1,O,In Workday under Pay > Payment elections.\n"
                    "2,I,Where is the P60?\n2,O,In Workday under Pay > Tax documents.\n", encoding="utf-8")
    page.add_files([str(path)])
    key = str(path.resolve())
    qtbot.waitUntil(lambda: key in page.previews, timeout=10000)
    assert page.previews[key]["shape"] == "thread"
    combo = page.customer_combo
    assert combo.isVisibleTo(page) and combo.isEnabled()
    assert {combo.itemData(i) for i in range(combo.count())} >= {"I", "O"}
    # not known yet: the import waits for the choice and says what to choose
    assert not page.import_button.isEnabled()
    assert "direction" in page.mapping_note.text()
    combo.setCurrentIndex(combo.findData("I"))
    assert page.import_button.isEnabled()
    page.import_button.click()
    qtbot.waitUntil(lambda: page.last_result is not None, timeout=20000)
    assert page.last_result["errors"] == [] and page.last_result["imported"] == 2
    rows = ctx.worker.run_sync(lambda ws: ws.query("SELECT instruction, response FROM pairs ORDER BY id"))
    assert rows[0] == {"instruction": "How do I change my bank details?",
                       "response": "In Workday under Pay > Payment elections."}


def test_a_known_customer_value_is_preselected(qtbot, page, tmp_path):
    path = tmp_path / "roles.csv"
    path.write_text("ticket_id,role,message\n1,customer,Where is the P60?\n1,agent,In Workday.\n"
                    "2,customer,Is Friday off?\n2,agent,Yes.\n", encoding="utf-8")
    page.add_files([str(path)])
    key = str(path.resolve())
    qtbot.waitUntil(lambda: key in page.previews, timeout=10000)
    assert page.customer_combo.currentData() == "customer"
    assert page.import_button.isEnabled()


def test_dropping_a_folder_adds_the_exports_in_it(qtbot, page, tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "jan.csv").write_text("question,answer\nWhen is payday?,The 25th.\n", encoding="utf-8")
    (folder / "feb.xlsx").write_bytes(b"")
    (folder / "notes.txt").write_text("todo", encoding="utf-8")
    page.add_files([str(folder)])
    names = sorted(__import__("pathlib").Path(p).name for p in page.files)
    assert names == ["feb.xlsx", "jan.csv"]


# --- helpdesk exports: detected by content, a summary and the first drafted pairs ---------------
from pathlib import Path  # noqa: E402

HELPDESK = Path(__file__).resolve().parents[1] / "data" / "import" / "helpdesk"


def test_zendesk_export_shows_what_was_detected_and_the_first_pairs(qtbot, page, ctx):
    tickets, users = str((HELPDESK / "zendesk_tickets.json").resolve()), str((HELPDESK / "zendesk_users.json").resolve())
    page.add_files([tickets, users])
    qtbot.waitUntil(lambda: tickets in page.previews and users in page.previews, timeout=20000)
    page._show_preview(tickets)
    note = page.mapping_note.text()
    assert "Zendesk export: 8 tickets, 10 public replies, 4 internal notes" in note
    assert "line 8" in note  # the truncated line, before anything is written
    assert page.preview_table.horizontalHeaderItem(0).text() == "Ticket"
    assert page.preview_table.item(0, 0).text() == "5101"
    assert page.preview_table.item(0, 2).text().startswith("On the full-time contract")
    assert not page.combos["question"].isVisible() and page.pairs_combo.isVisible()
    assert ctx.worker.run_sync(lambda ws: ws.counts()["pairs"]) == 0  # nothing written by the preview
    assert page.import_button.text() == "Import 2 files"

    # one pair per exchange, chosen in the wizard
    page.pairs_combo.setCurrentIndex(page.pairs_combo.findData("per-exchange"))
    qtbot.waitUntil(lambda: "per exchange" in page.mapping_note.text(), timeout=20000)
    page.import_button.click()
    qtbot.waitUntil(lambda: page.last_result is not None, timeout=30000)
    r = page.last_result
    assert r["shape"] == "helpdesk" and r["imported"] == 9  # 5101 and 5106: two exchanges each
    assert "Zendesk export: 8 tickets" in page.summary_text.text()
    pairs = ctx.worker.run_sync(lambda ws: ws.query(
        "SELECT p.instruction, p.response FROM pairs p"))
    assert not any("CHG-2291" in p["instruction"] + p["response"] for p in pairs)


def test_freshdesk_csv_without_its_conversations_says_what_to_add(qtbot, page):
    csv_path = str((HELPDESK / "freshdesk_tickets.csv").resolve())
    page.add_files([csv_path])
    qtbot.waitUntil(lambda: csv_path in page.previews, timeout=10000)
    assert "conversations JSON" in page.previews[csv_path]["error"]
    assert not page.import_button.isEnabled()
    conv = str((HELPDESK / "freshdesk_conversations.json").resolve())
    page.add_files([conv])  # the CSV is read again with its conversations
    qtbot.waitUntil(lambda: "error" not in page.previews.get(csv_path, {"error": 1}), timeout=10000)
    assert page.previews[csv_path]["summary"].startswith("Freshdesk export: 4 tickets")
    assert page.import_button.text() == "Import 2 files"


def test_an_unknown_layout_gets_the_column_mapping_with_a_note(qtbot, page, tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text("Ref,Asked,Replied\nR1,How do I book a room?,Use the Rooms app.\n", encoding="utf-8")
    page.add_files([str(path)])
    qtbot.waitUntil(lambda: str(path.resolve()) in page.previews, timeout=10000)
    assert "recognises by itself" in page.mapping_note.text()
    assert page.combos["question"].isVisible()


def test_review_raw_pane_shows_the_internal_notes_marked_internal(qtbot, ctx, monkeypatch, tmp_path):
    import sys
    import types

    # the review page re-checks flags through engine.flags.runner; none are needed here
    fake = types.SimpleNamespace(list_flags=lambda ws, kind=None, status=None, pair_id=None: [],
                                 refresh_pairs=lambda ws, ids, progress=None: {},
                                 refresh_pair=lambda ws, pid, progress=None: {})
    import engine.flags

    monkeypatch.setitem(sys.modules, "engine.flags.runner", fake)
    monkeypatch.setattr(engine.flags, "runner", fake, raising=False)
    from desktop.pages.review import ReviewPage
    from engine.ingest.importer import import_files

    ctx.worker.run_sync(lambda ws: import_files(ws, [HELPDESK / "zendesk_tickets.json", HELPDESK / "zendesk_users.json"]))
    page = ReviewPage(ctx)
    qtbot.addWidget(page)
    page.resize(1200, 760)
    page.show()
    page.activate()
    first = ctx.worker.run_sync(lambda ws: ws.scalar(
        "SELECT p.id FROM pairs p JOIN tickets t ON t.id = p.ticket_id WHERE t.external_id = '5101'"))
    page.select_pair(first)
    qtbot.waitUntil(lambda: page.current_id == first and page.editor.thread_view.isVisible(), timeout=10000)
    shown = page.editor.thread_view.toPlainText()
    assert "Internal note · Ruth Abernethy" in shown
    assert "Do not quote the old 12-week policy" in shown  # visible as context ...
    assert "Do not quote" not in page.editor.instruction.toPlainText() + page.editor.response.toPlainText()  # ... not in the pair
    assert "That's great news, thank you so much!" in shown
    # a pair from a flat export has no conversation to show
    flat = tmp_path / "flat.csv"
    flat.write_text("Ticket ID,Question,Answer\nF-1,How do I book a room?,Use the Rooms app.\n", encoding="utf-8")
    ctx.worker.run_sync(lambda ws: import_files(ws, [flat]))
    other = ctx.worker.run_sync(lambda ws: ws.scalar(
        "SELECT p.id FROM pairs p JOIN tickets t ON t.id = p.ticket_id WHERE t.external_id = 'F-1'"))
    page.refresh()
    page.select_pair(other)
    qtbot.waitUntil(lambda: page.current_id == other, timeout=10000)
    assert not page.editor.thread_view.isVisible() and page.editor.thread_view.toPlainText() == ""
