"""The judge's files: `pairsmith judge REFS.jsonl ANSWERS.jsonl` (REFS lines {"id", "instruction",
"response"}, ANSWERS lines {"id", "answer"}), and the JSON-lines reader the evaluation's test file
shares.

    judge_files(refs_path, answers_path, *, policy_path=None, embed=None, load_embed=None) -> list[dict]
    json_objects(text) -> iterator of (line number, object or None, problem or None)
"""

from __future__ import annotations

import re
from typing import Callable, Sequence

from engine.evaluate.judge import judge_rows
from engine.evaluate.judge_text import EmbedFn, cosine_pairs

# --- files: `pairsmith judge REFS ANSWERS` ----------------------------------------------------------
def json_objects(text: str):
    """(line number, object, None) for each JSON-object line of a JSON-lines text, or (line
    number, None, "not JSON" / "not a JSON object"); blank lines are skipped."""
    import json

    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError:
            yield n, None, "not JSON"
            continue
        yield (n, obj, None) if isinstance(obj, dict) else (n, None, "not a JSON object")


def read_jsonl_text(path, what: str, give: str = "a JSON-lines file") -> str:
    """The text of the JSON-lines file `path`, or BadInput with one line naming `what` it is
    ("The test file") when it is missing, a folder, not UTF-8 or unreadable ("... give `give`")."""
    from pathlib import Path

    from engine.workspace.errors import BadInput

    p = Path(path)
    if not p.is_file():
        raise BadInput(f"{what} {path} {'is a folder' if p.is_dir() else 'does not exist'}: give {give}.")
    try:
        return p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise BadInput(f"{what} {path} is not UTF-8 text: save it as UTF-8 JSON lines.") from None
    except OSError as exc:
        low = what[:1].lower() + what[1:] if what.startswith("The ") else what
        raise BadInput(f"Cannot read {low} {path}: {exc.strerror or exc}") from None


def _read_lines(path, label: str, need: Sequence[str], problems: list[str]) -> list[tuple[int, dict]]:
    """(line number, object) for each non-blank JSON line of `path`; what is wrong with a line
    goes to `problems` as "LABEL line N: ..." (the line is skipped)."""
    text = read_jsonl_text(path, label)
    out = []
    for n, obj, problem in json_objects(text):
        if problem:
            problems.append(f"{label} line {n}: {problem}")
            continue
        missing = [k for k in need if k not in obj]
        if missing:
            problems.append(f"{label} line {n}: no {' or '.join(repr(k) for k in missing)}")
            continue
        bad = [k for k in need if k != "id" and not isinstance(obj[k], str)]
        if bad or not isinstance(obj["id"], (str, int)) or isinstance(obj["id"], bool):
            problems.append(f"{label} line {n}: {'id' if not bad else repr(bad[0])} must be "
                            f"{'a string or a number' if not bad else 'a string'}")
            continue
        out.append((n, obj))
    return out


def judge_files(refs_path, answers_path, *, policy_path=None, embed: EmbedFn | None = None,
                load_embed: Callable[[], EmbedFn | None] | None = None) -> list[dict]:
    """Judge every line of ANSWERS ({"id", "answer"}) against the line of REFS ({"id",
    "instruction", "response"}) with the same id, every other reference (and the policy text)
    being what is known. Returns [{"id", "correct", "category", "reason"}] in the order of ANSWERS.
    BadInput (exit 2) naming each bad line when a line is not JSON, lacks a field, repeats a
    reference id, or names an id that REFS does not have. `load_embed` is called (once the files
    are known to be good) when no `embed` is given."""
    from pathlib import Path

    from engine.workspace.errors import BadInput

    problems: list[str] = []
    refs = _read_lines(refs_path, "REFS", ("id", "response"), problems)
    answers = _read_lines(answers_path, "ANSWERS", ("id", "answer"), problems)
    by_id: dict[str, dict] = {}
    for n, r in refs:
        key = str(r["id"])
        if key in by_id:
            problems.append(f"REFS line {n}: id {key!r} appears twice")
            continue
        if "instruction" in r and not isinstance(r["instruction"], str):
            problems.append(f"REFS line {n}: 'instruction' must be a string")
            continue
        by_id[key] = r
    for n, a in answers:
        if str(a["id"]) not in by_id:
            problems.append(f"ANSWERS line {n}: id {str(a['id'])!r} is not in REFS")
    if not problems and not answers:
        problems.append(f"ANSWERS {answers_path} has no answers")
    if problems:
        def where(p: str) -> tuple:
            m = re.match(r"(\w+) line (\d+)", p)
            return (m.group(1) != "REFS", int(m.group(2))) if m else (True, 0)

        problems.sort(key=where)
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise BadInput("; ".join(problems[:5]) + more)
    policy = None
    if policy_path:
        try:
            policy = Path(policy_path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise BadInput(f"Cannot read the policy file {policy_path}: {getattr(exc, 'strerror', None) or exc}") from None
    rows = [{"id": a["id"], "answer": a["answer"], "reference": by_id[str(a["id"])]["response"],
             "question": by_id[str(a["id"])].get("instruction")} for _n, a in answers]
    if embed is None and load_embed is not None:
        embed = load_embed()
    sims = cosine_pairs(embed, [r["answer"] for r in rows], [r["reference"] for r in rows]) if embed else None
    verdicts = judge_rows(rows, similarities=sims, policy=policy, refs=[r["response"] for r in by_id.values()])
    return [{"id": r["id"], "correct": v.correct, "category": v.category, "reason": v.reason}
            for r, v in zip(rows, verdicts)]
