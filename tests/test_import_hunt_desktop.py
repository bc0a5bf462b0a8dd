"""Bug hunt: the import wizard with a conversation export whose sender values say nothing
(the engine asks which value is the customer; the wizard must let a person answer)."""

from __future__ import annotations

import pytest
from desktop_helpers import ctx, settings  # noqa: F401


@pytest.fixture
def page(qtbot, ctx):
    from desktop.pages.importer import ImportPage

    p = ImportPage(ctx)
    qtbot.addWidget(p)
    p.resize(1100, 700)
    p.show()
    p.activate()
    return p


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
