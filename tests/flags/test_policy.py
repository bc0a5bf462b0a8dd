"""The policy sheet: reading Markdown, text, DOCX and PDF; policy flags; a subject the policy does
not cover is not flagged; a bad file changes nothing (exit 2); the claims index follows edits;
recall/precision on the second evaluation set and the conflict's policy side."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from engine.flags import policy
from engine.flags.base import DetectContext, PairText
from engine.flags.claims import Vocabulary, extract_claims, load_index, update_index
from engine.workspace.errors import BadInput
from engine.workspace.store import Workspace

from flag_helpers import add_tickets

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "data" / "flags_second_set"))

SHEET = """# Leave policy
- Annual leave: 20 days of annual leave per year.
- Sick leave is capped at 10 days per year.
- Unused annual leave can be carried forward up to 5 days.
"""
ROWS = [
    ("T-1", "How much annual leave do I get?", "You get 20 days of annual leave per year."),
    ("T-2", "annual leave per year?", "Annual leave is 25 days per year."),
    ("T-3", "How many sick days can I take?", "Sick leave is unlimited."),
    ("T-4", "What is the gym allowance?", "The gym allowance is 3,000 per year, paid as INR 3,000 per year."),
    ("T-5", "Can I carry forward annual leave?", "No, unused annual leave lapses at year end."),
]


def _pdf_with(text: str) -> bytes:
    """A one-page PDF whose page shows `text` (Helvetica), written by hand."""
    lines = text.splitlines()
    stream = "BT /F1 11 Tf 50 780 Td 14 TL " + " ".join(f"({ln.replace('(', '[').replace(')', ']')}) '"
                                                        for ln in lines) + " ET"
    objs = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


@pytest.mark.parametrize("ext", [".md", ".txt", ".docx", ".pdf"])
def test_reads_every_format(tmp_path, ext):
    path = tmp_path / f"policy{ext}"
    if ext == ".docx":
        import docx

        d = docx.Document()
        for line in SHEET.splitlines():
            d.add_paragraph(line)
        d.save(str(path))
    elif ext == ".pdf":
        path.write_bytes(_pdf_with(SHEET))
    else:
        path.write_text(SHEET, encoding="utf-8")
    text = policy.read_policy_text(path)
    assert "20 days of annual leave" in text
    claims = policy.policy_claims(text)
    values = {(c.subject, c.label()) for _l, c in claims if c.attribute != "polarity"}
    assert ("annual leave", "20 days per year") in values
    assert ("sick leave", "up to 10 days per year") in values


def test_bad_files_are_refused(tmp_path):
    with pytest.raises(BadInput, match="Markdown, text, DOCX or PDF"):
        policy.read_policy_text(tmp_path / "x.xlsx")
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 this is not a pdf")
    with pytest.raises(BadInput, match="cannot read the policy broken.pdf"):
        policy.read_policy_text(broken)
    empty = tmp_path / "empty.md"
    empty.write_text("# Our values\nBe kind.\n")
    with Workspace.create(tmp_path / "ws") as ws, pytest.raises(BadInput, match="states no value"):
        policy.load_policy(ws, empty)


def test_policy_flags_and_uncovered_subjects(tmp_path):
    from engine.flags.runner import list_flags, run_flags

    sheet = tmp_path / "policy.md"
    sheet.write_text(SHEET)
    with Workspace.create(tmp_path / "ws") as ws:
        add_tickets(ws, ROWS)
        info = policy.load_policy(ws, sheet)
        assert info["claims"] >= 3
        run_flags(ws, kinds=["policy"])
        flags = {f["external_ids"][0]: f for f in list_flags(ws, kind="policy")}
        shown = policy.get_policy(ws)
    assert set(flags) == {"T-2", "T-3", "T-5"}  # T-1 agrees; T-4 (gym) is not covered
    assert "The policy says 20 days per year for annual leave; T-2 says 25 days per year." == flags["T-2"]["explanation"]
    assert flags["T-3"]["details"]["says"] == "unlimited"
    assert shown["file"] == "policy.md" and any(c["value"] == "20 days per year" for c in shown["claims"])


def test_cli_policy_bad_file_exit_2_and_show(tmp_path, capsys):
    from engine.cli.main import main

    ws_path = tmp_path / "ws"
    with Workspace.create(ws_path) as ws:
        add_tickets(ws, ROWS)
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4 broken")
    # a real process for the bad file: what reaches its stderr is one line, no reader's noise
    r = subprocess.run([sys.executable, "-m", "engine.cli.main", "policy", str(ws_path), str(bad)],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "cannot read the policy bad.pdf" in r.stderr
    assert r.stderr.strip().splitlines() == [ln for ln in r.stderr.splitlines() if ln.startswith("pairsmith:")]  # no pypdf noise
    assert len(r.stderr.strip().splitlines()) == 1

    def run(*argv: str) -> tuple[int, str]:
        code = main([*argv])
        return code, capsys.readouterr().out

    code, out = run("policy", str(ws_path), "--show")
    assert code == 0 and "No policy sheet loaded." in out  # the bad file changed nothing
    sheet = tmp_path / "p.md"
    sheet.write_text(SHEET)
    code, out = run("policy", str(ws_path), str(sheet))
    assert code == 0 and "3 answer(s) contradict it" in out, out
    assert "annual leave: 20 days per year" in run("policy", str(ws_path), "--show")[1]
    code, out = run("flags", str(ws_path), "--kind", "policy", "--json")
    assert code == 0 and out.count('"kind": "policy"') == 3


def test_claims_index_follows_edits(tmp_path):
    from engine.review import pairs as pairs_mod

    with Workspace.create(tmp_path / "ws") as ws:
        ids = add_tickets(ws, ROWS)
        first = update_index(ws)
        assert first["read"] == len(ROWS) and first["claims"] > 0
        assert update_index(ws)["read"] == 0  # nothing changed: nothing read again
        pairs_mod.update_pair(ws, ids[1], response="Annual leave is 22 days per year.")
        again = update_index(ws)
        assert again["read"] == 1
        (c,) = [c for c in load_index(ws, [ids[1]])[ids[1]] if c.attribute == "duration"]
        assert c.value == (22.0, 22.0) and c.subject == "annual leave"
        pairs_mod.update_pairs(ws, [ids[2]], status="rejected")
        update_index(ws)
        assert ids[2] not in load_index(ws)


def test_detect_without_runner_context():
    pol = policy.policy_claims(SHEET)
    items = [PairText(i + 1, q, a, e) for i, (e, q, a) in enumerate(ROWS)]
    found = policy.detect(items, DetectContext(settings={"policy_claims_lines": pol}))
    assert sorted(f.pair_ids[0] for f in found) == [2, 3, 5]
    assert policy.detect(items, DetectContext()) == []


@pytest.mark.slow
def test_second_set_policy_flags_and_policy_side(tmp_path):
    """Second evaluation set: policy flags recall/precision >= 0.9, and the side a conflict
    names as matching the policy is the right side in >= 95% of the conflicts that name one."""
    import measure
    from engine.flags.runner import list_flags, run_flags

    gt = measure.second_truth()
    with Workspace.create(tmp_path / "ws") as ws:
        measure.load_second_set(ws)
        policy.load_policy(ws, measure.HERE / "policy.md")
        run_flags(ws, kinds=["conflict", "policy"])
        pol = list_flags(ws, kind="policy")
        con = list_flags(ws, kind="conflict")
    sc = measure.policy_scores(pol, gt["policy"]["contradicts"])
    assert sc["recall"] >= 0.9 and sc["precision"] >= 0.9, sc
    assert not set(sc["false"]) & set(gt["policy"]["uncovered"])
    side = measure.policy_side_share(con, gt)
    assert side["named"] >= 10 and side["share"] >= 0.95, side
