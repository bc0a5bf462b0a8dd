"""Checks for the bundled sample data in resources/sample (stdlib + pytest only)."""

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

SAMPLE = Path(__file__).resolve().parents[1] / "resources" / "sample"
CSV_PATH = SAMPLE / "helpdesk_export.csv"
GT_PATH = SAMPLE / "ground_truth.json"
GENERATED = ["helpdesk_export.csv", "ground_truth.json", "seed_pairs.jsonl", "facts.md"]
COLUMNS = ["Ticket ID", "Subject", "Description", "Resolution", "Category", "Requester",
           "Agent", "Created", "Status", "Priority"]
TONE_REASONS = {"shorthand", "all_caps", "slang", "emoji", "rude", "no_greeting", "one_line", "too_long"}
PII_KINDS = {"email", "phone", "employee_id", "pan", "ni_number", "iban", "card", "address", "person_name"}


@pytest.fixture(scope="module")
def rows():
    with CSV_PATH.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == COLUMNS
        return list(reader)


@pytest.fixture(scope="module")
def by_id(rows):
    return {r["Ticket ID"]: r for r in rows}


@pytest.fixture(scope="module")
def gt():
    return json.loads(GT_PATH.read_text(encoding="utf-8"))


def norm(text):
    return " ".join(text.casefold().split())


def all_gt_ids(gt):
    ids = set()
    for d in gt["duplicates"]:
        ids.update(d["ids"])
    for pair in gt["hard_negatives"]:
        ids.update(pair)
    for c in gt["conflicts"]:
        ids.update(c["ids"])
    for key in ("tone", "needs_context", "pii"):
        ids.update(x["id"] for x in gt[key])
    for key in ("quoted", "signature", "boilerplate"):
        ids.update(gt[key])
    return ids


def test_csv_basic_shape(rows):
    assert len(rows) >= 450
    ids = [r["Ticket ID"] for r in rows]
    assert len(ids) == len(set(ids))
    for r in rows:
        assert re.fullmatch(r"(HR|IT)-\d{5}", r["Ticket ID"])
        assert r["Category"].split("/")[0] == r["Ticket ID"][:2]
        assert re.fullmatch(r"20(23|24|25)-\d\d-\d\d \d\d:\d\d:\d\d", r["Created"])
        assert r["Description"].strip() and r["Resolution"].strip() and r["Subject"].strip()
    assert any("\n" in r["Description"] for r in rows)
    assert any(ch in "".join(r["Requester"] for r in rows) for ch in "éñü")


def test_csv_encoding_and_size():
    raw = CSV_PATH.read_bytes()
    raw.decode("utf-8")
    assert b"\r" not in raw
    assert len(raw) < 1_500_000


def test_ground_truth_shape_and_ids(gt, by_id):
    assert set(gt) == {"duplicates", "hard_negatives", "conflicts", "tone", "needs_context", "pii",
                       "quoted", "signature", "boilerplate"}
    missing = all_gt_ids(gt) - set(by_id)
    assert not missing


def test_duplicates(gt, by_id):
    near = [d for d in gt["duplicates"] if not d["exact"]]
    exact = [d for d in gt["duplicates"] if d["exact"]]
    assert len(near) >= 25
    assert len(exact) >= 5
    seen = set()
    for d in gt["duplicates"]:
        assert 2 <= len(d["ids"]) <= 4
        assert not seen & set(d["ids"]), "a ticket is in two clusters"
        seen.update(d["ids"])
        texts = {norm(by_id[i]["Description"]) for i in d["ids"]}
        if d["exact"]:
            assert len(texts) == 1
            raw = {by_id[i]["Description"] for i in d["ids"]}
            assert len(raw) > 1, "exact duplicates should differ in case/whitespace"
        else:
            assert len(texts) == len(d["ids"]), "near-duplicates are paraphrases, not copies"


def test_hard_negatives(gt):
    assert len(gt["hard_negatives"]) >= 10
    cluster_of = {}
    for n, d in enumerate(gt["duplicates"]):
        for i in d["ids"]:
            cluster_of[i] = n
    for a, b in gt["hard_negatives"]:
        assert a != b
        assert cluster_of.get(a, ("a", a)) != cluster_of.get(b, ("b", b))


def test_conflicts(gt, by_id):
    assert len(gt["conflicts"]) >= 12
    clusters = [set(d["ids"]) for d in gt["duplicates"]]
    for c in gt["conflicts"]:
        a, b = c["ids"]
        fa, fb = c["facts"]
        assert fa != fb
        assert fa in by_id[a]["Resolution"]
        assert fb in by_id[b]["Resolution"]
        assert fb not in by_id[a]["Resolution"] and fa not in by_id[b]["Resolution"]
        assert any({a, b} <= cl for cl in clusters), "a conflict pair is also a duplicate cluster"
        assert c["kind"] in {"number", "amount", "percentage", "date", "duration", "yes_no",
                             "allowed_forbidden"}


def test_tone(gt, by_id):
    assert len(gt["tone"]) >= 25
    for t in gt["tone"]:
        assert t["reasons"] and set(t["reasons"]) <= TONE_REASONS
    reasons = {r for t in gt["tone"] for r in t["reasons"]}
    assert reasons == TONE_REASONS
    ctx = {x["id"] for x in gt["needs_context"]}
    assert not ctx & {t["id"] for t in gt["tone"]}


def test_needs_context(gt, by_id):
    assert len(gt["needs_context"]) >= 25
    for x in gt["needs_context"]:
        assert x["phrase"].lower() in by_id[x["id"]]["Resolution"].lower()


def luhn_ok(number):
    digits = [int(c) for c in number if c.isdigit()]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def iban_ok(iban):
    raw = iban.replace(" ", "")
    return int("".join(str(int(c, 36)) for c in raw[4:] + raw[:4])) % 97 == 1


def test_pii(gt, by_id):
    assert len(gt["pii"]) >= 60
    kinds = {p["kind"] for p in gt["pii"]}
    assert kinds == PII_KINDS
    for p in gt["pii"]:
        assert p["field"] in ("question", "answer")
        col = "Description" if p["field"] == "question" else "Resolution"
        assert p["text"] in by_id[p["id"]][col], p
        text = p["text"]
        if p["kind"] == "employee_id":
            assert re.fullmatch(r"NW-\d{5}", text)
        elif p["kind"] == "pan":
            assert re.fullmatch(r"[A-Z]{5}\d{4}[A-Z]", text)
        elif p["kind"] == "ni_number":
            assert re.fullmatch(r"[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] \d\d \d\d \d\d [A-D]", text)
            assert text[:2] not in {"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"}
        elif p["kind"] == "iban":
            assert text.startswith("GB") and iban_ok(text)
        elif p["kind"] == "card":
            assert re.fullmatch(r"\d{4} \d{4} \d{4} \d{4}", text) and luhn_ok(text)
        elif p["kind"] == "email":
            assert re.fullmatch(r"[\w.+-]+@[\w-]+(\.[\w-]+)+", text)
        elif p["kind"] == "person_name":
            assert text == by_id[p["id"]]["Requester"]


def test_formatting_labels(gt, by_id, rows):
    assert len(gt["quoted"]) >= 40
    for i in gt["quoted"]:
        res = by_id[i]["Resolution"]
        assert re.search(r"^On .+ wrote:$", res, re.M) and "\n> " in res
    assert len(gt["boilerplate"]) >= 30
    markers = ("marked as resolved", "rate our service", "CONFIDENTIALITY NOTICE",
               "reply above this line", "automated message")
    for i in gt["boilerplate"]:
        assert any(m in by_id[i]["Resolution"] for m in markers)
    assert len(gt["signature"]) >= len(rows) // 2
    for i in gt["signature"]:
        assert "Northwind Analytics" in by_id[i]["Resolution"]
    # tickets without labels really are unlabelled
    unquoted = set(by_id) - set(gt["quoted"])
    assert not any(" wrote:\n>" in by_id[i]["Resolution"] for i in unquoted)


def test_seed_pairs():
    lines = (SAMPLE / "seed_pairs.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 30
    for line in lines:
        obj = json.loads(line)
        assert set(obj) == {"instruction", "response"}
        assert obj["instruction"].strip() and obj["response"].strip()


def test_generator_is_deterministic(tmp_path):
    out = tmp_path / "out"
    subprocess.run([sys.executable, str(SAMPLE / "make_sample.py"), "--out", str(out)],
                   check=True, capture_output=True)
    for name in GENERATED:
        assert (out / name).read_bytes() == (SAMPLE / name).read_bytes(), name
