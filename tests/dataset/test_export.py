import csv
import json
import os

import pytest

from engine.review import pairs
from engine.workspace.errors import BadInput, PairsmithError
from engine.dataset.export import csv_safe, export_pairs


@pytest.fixture
def filled(ws):
    pairs.add_pair(ws, "How many days of leave?", "12 days.", status="approved")
    pairs.add_pair(ws, "=HYPERLINK(\"http://evil\")", "@SUM(A1)", status="approved")
    pairs.add_pair(ws, "Not approved", "x", status="new")
    return ws


@pytest.mark.parametrize("fmt,check", [
    ("jsonl", lambda r: set(r) == {"instruction", "response"}),
    ("messages", lambda r: [m["role"] for m in r["messages"]] == ["user", "assistant"]),
    ("prompt-completion", lambda r: set(r) == {"prompt", "completion"}),
])
def test_json_formats(filled, tmp_path, fmt, check):
    out = tmp_path / f"x.{fmt}.jsonl"
    res = export_pairs(filled, out, fmt)
    rows = [json.loads(l) for l in out.read_text().splitlines()]
    assert res["pairs"] == len(rows) == 2
    assert all(check(r) for r in rows)


def test_csv_is_safe_against_formula_injection(filled, tmp_path):
    out = tmp_path / "x.csv"
    export_pairs(filled, out, "csv")
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert rows[0] == ["id", "instruction", "response"]
    cells = [c for r in rows[1:] for c in r[1:]]
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)
    assert "'=HYPERLINK(\"http://evil\")" in cells
    for v in ("-1", "+1", "\tx"):
        assert csv_safe(v).startswith("'")
    assert csv_safe("fine") == "fine"


def test_open_pii_flags_block_unless_allowed(filled, tmp_path):
    pid = pairs.list_pairs(filled, status="approved")[0]["id"]
    filled.execute("INSERT INTO flags (kind, severity, pair_ids, explanation) VALUES ('pii','high',?, 'email')", [[pid]])
    filled.execute("INSERT INTO pii_map VALUES ('[EMAIL_1]', 'email', 'secret.person@example.com', now())")
    with pytest.raises(BadInput, match="--allow-pii"):
        export_pairs(filled, tmp_path / "a.jsonl")
    export_pairs(filled, tmp_path / "a.jsonl", allow_pii=True)
    assert "secret.person@example.com" not in (tmp_path / "a.jsonl").read_text()


def test_split_export_needs_a_version(filled, tmp_path):
    with pytest.raises(BadInput, match="pairsmith split"):
        export_pairs(filled, tmp_path / "a.jsonl", split="train")


def test_failed_write_keeps_previous_file(filled, tmp_path, monkeypatch):
    out = tmp_path / "a.jsonl"
    out.write_text("previous\n")

    def disk_full(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(PairsmithError, match="No space left"):
        export_pairs(filled, out)
    assert out.read_text() == "previous\n"
    assert [p.name for p in tmp_path.iterdir()] == ["a.jsonl", "ws"]


def test_export_cli(tmp_path, capsys):
    from engine.cli.main import main
    from engine.workspace.store import Workspace

    root = tmp_path / "w"
    with Workspace.create(root) as w:
        pairs.add_pair(w, "q", "a", status="approved")
    assert main(["export", str(root), str(tmp_path / "o.csv"), "--format", "csv", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["pairs"] == 1
    assert main(["export", str(root), str(tmp_path / "o.csv"), "--split", "train"]) == 2
    assert "pairsmith split" in capsys.readouterr().err


def test_the_privacy_guard_names_the_pairs(filled):
    from engine.privacy import guard

    a, b = [p["id"] for p in pairs.list_pairs(filled, status="approved")]
    filled.execute("INSERT INTO flags (kind, severity, pair_ids, explanation) VALUES ('pii','high',?, 'email')", [[b]])
    assert guard.open_pii_pairs(filled, [b, a]) == [b] and guard.open_pii_pairs(filled, []) == []
    rows = pairs.list_pairs(filled, status="approved")
    assert guard.check_export(filled, rows, frozen=False, allow_pii=True) == [b]
    with pytest.raises(BadInput, match="open personal-data flags"):
        guard.check_export(filled, rows, frozen=False, allow_pii=False)
    with pytest.raises(BadInput, match="to train on"):
        guard.check_training(filled, [a, b])
    guard.check_training(filled, [a])
