"""Frozen dataset versions with an honest held-out split, and dataset health figures.

`freeze` copies the approved pairs into an immutable version. The held-out part keeps every
near-duplicate group on one side (so the evaluation never grades a paraphrase of a training
example) and covers the topics: groups are stratified by question cluster.

Near-duplicate groups come from two places, joined into connected groups (engine.flags.groups):
- the duplicate and conflicting-answer flags (engine/flags), unless a person dismissed them
  ("these are different");
- a lexical safety net computed here: identical normalised questions, and TF-IDF (word 1-2
  grams) cosine >= LEXICAL_DUP_COSINE, so a version frozen before any flag pass is still honest.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections import Counter, defaultdict
from typing import Any

import numpy as np

from engine.flags.groups import groups_of
from engine.workspace.errors import BadInput, NotFound
from engine.workspace.progress import CancelFn, ProgressFn, raise_if_cancelled
from engine.workspace.store import Workspace

MIN_PAIRS = 500  # the realistic floor for a useful fine-tune
TARGET_PAIRS = (2000, 10000)
HOLDOUT_RANGE = (0.15, 0.20)  # the recommended held-out share
LEXICAL_DUP_COSINE = 0.8
DEFAULT_MAX_LENGTH = 512
CHARS_PER_TOKEN = 4.0  # rough English average, for the truncation warning before a tokenizer is known


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s]", " ", text.lower())).strip()


# Ticket chit-chat that says nothing about the topic ("Hope you're doing well, quick question...").
CHITCHAT = {
    "hi", "hello", "hey", "dear", "team", "thanks", "thank", "regards", "please", "pls", "hope", "doing",
    "well", "asked", "ask", "asking", "quick", "question", "questions", "query", "help", "need", "know",
    "like", "want", "wanted", "wondering", "just", "sorry", "bother", "let", "could", "would", "can",
    "get", "got", "also", "tell", "sure", "good", "morning", "afternoon", "advance", "kindly", "couldn",
    "find", "able", "soon", "possible", "day", "today", "week", "update", "suggested", "manager",
    "ll", "ve", "don", "does", "case", "new", "long", "use", "using",
}


def _tfidf(texts: list[str], *, topic: bool = False):
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

    stop = sorted(ENGLISH_STOP_WORDS | CHITCHAT) if topic else "english"
    vec = TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True, stop_words=stop,
                          max_df=0.5 if topic and len(texts) >= 20 else 1.0)
    try:
        return vec, vec.fit_transform(texts)
    except ValueError:  # only stop words / empty texts
        return None, None


def _lexical_duplicates(ids: list[int], questions: list[str]) -> list[tuple[int, int]]:
    links = []
    seen: dict[str, int] = {}
    for pid, q in zip(ids, questions):
        key = _norm(q)
        if key in seen:
            links.append((seen[key], pid))
        else:
            seen[key] = pid
    if len(ids) < 2:
        return links
    _, X = _tfidf(questions)
    if X is None:
        return links
    block = 2048
    for start in range(0, X.shape[0], block):
        sims = (X[start:start + block] @ X.T).toarray()
        rows, cols = np.nonzero(sims >= LEXICAL_DUP_COSINE)
        for r, c in zip(rows, cols):
            i = start + r
            if c > i:
                links.append((ids[i], ids[c]))
    return links


def topic_clusters(questions: list[str], *, seed: int = 0, k: int | None = None) -> tuple[list[int], list[list[str]]]:
    """Cluster questions into topics (TF-IDF + k-means). Returns (label per question, top terms per topic)."""
    n = len(questions)
    if n == 0:
        return [], []
    k = k or int(min(40, max(1, round((n / 2) ** 0.5))))
    vec, X = _tfidf(questions, topic=True)
    if X is None or k <= 1 or n <= k:
        return [0] * n, [[]]
    from sklearn.cluster import KMeans
    from sklearn.decomposition import TruncatedSVD
    from sklearn.preprocessing import normalize

    # k-means straight on sparse TF-IDF makes one giant cluster; a small LSA space balances them
    dims = min(100, X.shape[1] - 1, n - 1)
    Z = normalize(TruncatedSVD(n_components=dims, random_state=seed).fit_transform(X)) if dims >= 2 else X
    labels = KMeans(n_clusters=k, n_init=3, random_state=seed).fit_predict(Z)
    terms = np.array(vec.get_feature_names_out())
    top = []
    for t in range(k):
        members = X[labels == t]
        weights = np.asarray(members.mean(axis=0)).ravel() if members.shape[0] else np.zeros(len(terms))
        top.append([str(w) for w in terms[np.argsort(-weights)[:5]]])
    return [int(x) for x in labels], top


def _groups_for(ws: Workspace, pairs: list[dict]) -> list[list[int]]:
    ids = [p["id"] for p in pairs]
    idset = set(ids)
    links: list[tuple[int, int]] = []
    # conflicting answers are answers to the same question: a near-duplicate group as well
    for row in ws.query("SELECT pair_ids FROM flags WHERE kind IN ('duplicate', 'conflict') AND status != 'dismissed'"):
        members = [i for i in row["pair_ids"] if i in idset]
        links += [(members[0], other) for other in members[1:]]
    links += _lexical_duplicates(ids, [p["instruction"] for p in pairs])
    return sorted((sorted(g) for g in groups_of(ids, links)), key=lambda g: g[0])


def _assign(groups: list[list[int]], topic_of: dict[int, int], holdout: float, seed: int) -> set[int]:
    """Pick whole groups for the held-out side, topic by topic, as close to `holdout` as possible."""
    rng = np.random.default_rng(seed)
    by_topic: dict[int, list[list[int]]] = defaultdict(list)
    for g in groups:
        topic = Counter(topic_of[i] for i in g).most_common(1)[0][0]
        by_topic[topic].append(g)
    total = sum(len(g) for g in groups)
    held: set[int] = set()
    carry = 0.0  # rounding debt carried across topics so the overall share stays on target
    for topic in sorted(by_topic):
        tgroups = by_topic[topic]
        order = rng.permutation(len(tgroups))
        want = holdout * sum(len(g) for g in tgroups) + carry
        got = 0
        for idx in order:
            g = tgroups[idx]
            if got + len(g) <= want + 0.5 * len(g) and got < want:
                held.update(g)
                got += len(g)
        carry = want - got
    # never leave the held-out side empty when there is anything to split
    if not held and len(groups) > 1:
        smallest = min(groups, key=len)
        held.update(smallest)
    if len(held) == total and total:
        held.clear()
    # rounding per topic can land just outside the accepted share when a whole group would fit in it
    lo, hi = share_bounds(holdout)
    if total and held and not lo <= len(held) / total <= hi:
        too_few = len(held) / total < lo
        side = [g for g in groups if (g[0] in held) != too_few]
        for g in sorted(side, key=lambda g: (len(g), g[0])):
            n = len(held) + (len(g) if too_few else -len(g))
            if 0 < n < total and lo <= n / total <= hi:
                (held.update if too_few else held.difference_update)(g)
                break
    return held


def share_bounds(holdout: float) -> tuple[float, float]:
    """The held-out shares accepted for a request: the recommended range, widened to the request."""
    return min(holdout, HOLDOUT_RANGE[0]), max(holdout, HOLDOUT_RANGE[1])


def freeze(ws: Workspace, holdout: float = 0.2, seed: int = 0, *, name: str | None = None,
           max_length: int = DEFAULT_MAX_LENGTH, progress: ProgressFn | None = None,
           cancel: CancelFn | None = None) -> dict:
    """Freeze the approved pairs into a new dataset version. Returns
    {version_id, name, train, heldout, groups, topics, warnings}."""
    if not 0.05 <= holdout <= 0.5:
        raise BadInput(f"--holdout must be between 0.05 and 0.5 (15-20% is recommended), got {holdout}")
    if not 0 <= int(seed) <= 2 ** 31 - 1:
        raise BadInput(f"--seed must be a whole number from 0 to {2 ** 31 - 1}, got {seed}")
    if int(max_length) < 1:
        raise BadInput(f"--max-length must be at least 1 token, got {max_length}")
    pairs = ws.query(
        "SELECT id, instruction, response FROM pairs WHERE status = 'approved' ORDER BY id"
    )
    if not pairs:
        raise BadInput(
            "there are no approved pairs to freeze: approve pairs in the review queue first "
            "(or `pairsmith set WS --all --status approved`)"
        )
    step = lambda i, msg: progress and progress(i, 4, msg)  # noqa: E731
    step(0, "grouping near-duplicates")
    groups = _groups_for(ws, pairs)
    raise_if_cancelled(cancel)
    step(1, "clustering topics")
    labels, _ = topic_clusters([p["instruction"] for p in pairs], seed=seed)
    topic_of = {p["id"]: lab for p, lab in zip(pairs, labels)}
    step(2, "choosing the held-out pairs")
    held = _assign(groups, topic_of, holdout, seed)
    group_of = {i: gi for gi, g in enumerate(groups) for i in g}

    warnings = _warnings(ws, pairs, held, holdout, max_length, groups=groups)
    n_held = len(held)
    stats = {
        "pairs": len(pairs), "train": len(pairs) - n_held, "heldout": n_held,
        "groups": len(groups), "topics": len(set(labels)), "max_length": max_length,
    }
    step(3, "saving the version")
    now = _dt.datetime.now().replace(microsecond=0)
    with ws.transaction():
        version_id = int(ws.scalar(
            """INSERT INTO dataset_versions (name, created_at, seed, holdout, stats, warnings)
               VALUES (?, ?, ?, ?, ?, ?) RETURNING id""",
            [name or f"v{now:%Y%m%d-%H%M%S}", now, seed, holdout,
             _json(stats), _json(warnings)],
        ))
        import pyarrow as pa

        table = pa.table({
            "version_id": [version_id] * len(pairs),
            "pair_id": [p["id"] for p in pairs],
            "split": ["heldout" if p["id"] in held else "train" for p in pairs],
            "instruction": [p["instruction"] for p in pairs],
            "response": [p["response"] for p in pairs],
            "cluster": [group_of[p["id"]] for p in pairs],
        })
        with ws.registered("_new_items", table) as name:
            ws.execute(f"INSERT INTO dataset_items SELECT * FROM {name}")
    step(4, "done")
    name = ws.scalar("SELECT name FROM dataset_versions WHERE id = ?", [version_id])
    return {"version_id": version_id, "name": name, **stats, "warnings": warnings}


def _json(obj: Any) -> str:
    import json

    return json.dumps(obj, ensure_ascii=False)


def _warnings(ws: Workspace, pairs: list[dict], held: set[int], holdout: float, max_length: int, *,
              groups: list[list[int]] | None = None) -> list[dict]:
    """Warnings a user can act on, each {code, message}."""
    out = []
    n = len(pairs)
    if n < MIN_PAIRS:
        out.append({"code": "few_pairs", "message":
                    f"Only {n} approved pairs: {MIN_PAIRS} is the realistic floor for a useful fine-tune "
                    f"({TARGET_PAIRS[0]:,}-{TARGET_PAIRS[1]:,} is the target). Review and approve more."})
    if not HOLDOUT_RANGE[0] <= holdout <= HOLDOUT_RANGE[1]:
        out.append({"code": "holdout_share", "message":
                    f"Held-out share {holdout:.0%} is outside the recommended 15-20%."})
    if n and not held:
        out.append({"code": "no_heldout", "message":
                    "No pair could be held out (too few distinct questions): the evaluation will have nothing to test."})
    elif n and not share_bounds(holdout)[0] <= len(held) / n <= share_bounds(holdout)[1]:
        largest = max((len(g) for g in groups or []), default=1)
        why = (f"near-duplicate questions stay together on one side (the largest group has {largest} pairs)"
               if largest > 1 else f"with only {n} pairs, whole pairs cannot match it more closely")
        out.append({"code": "heldout_share_actual", "message":
                    f"Held out {len(held)} of {n} pairs ({len(held) / n:.0%}), not the {holdout:.0%} asked for: "
                    f"{why}. Approve more pairs for a closer split."})
    ids = [p["id"] for p in pairs]
    for kind, label in (("conflict", "conflicting answers"), ("duplicate", "duplicates")):
        count = ws.scalar(
            """SELECT count(*) FROM flags WHERE kind = ? AND status = 'open'
               AND len(list_intersect(pair_ids, ?)) > 0""", [kind, ids])
        if count:
            out.append({"code": f"open_{kind}", "message":
                        f"{count} open {label} flag(s) touch pairs in this version: resolve them in Flags first, "
                        f"or the model learns both answers."})
    too_long = sum(1 for p in pairs
                   if (len(p["instruction"]) + len(p["response"])) / CHARS_PER_TOKEN > max_length)
    if too_long:
        out.append({"code": "too_long", "message":
                    f"About {too_long} pair(s) are longer than the max length of {max_length} tokens and would be "
                    f"truncated: shorten them or raise max_length."})
    return out


# --- reading versions ---------------------------------------------------------------------------
def list_versions(ws: Workspace) -> list[dict]:
    import json

    rows = ws.query("SELECT id, name, created_at, seed, holdout, stats, warnings FROM dataset_versions ORDER BY id")
    for r in rows:
        r["stats"] = json.loads(r["stats"] or "{}")
        r["warnings"] = json.loads(r["warnings"] or "[]")
    return rows


def latest_version(ws: Workspace) -> int | None:
    v = ws.scalar("SELECT max(id) FROM dataset_versions")
    return int(v) if v is not None else None


def version_items(ws: Workspace, version_id: int, split: str | None = None) -> list[dict]:
    """[{pair_id, instruction, response, split}] of a version, optionally one split."""
    if not ws.scalar("SELECT count(*) FROM dataset_versions WHERE id = ?", [version_id]):
        raise NotFound(f"no dataset version {version_id}; list them with `pairsmith versions WS`")
    if split not in (None, "train", "heldout"):
        raise BadInput(f"unknown split {split!r}; use train or heldout")
    sql = "SELECT pair_id, instruction, response, split FROM dataset_items WHERE version_id = ?"
    params: list[Any] = [version_id]
    if split:
        sql += " AND split = ?"
        params.append(split)
    return ws.query(sql + " ORDER BY pair_id", params)


# --- health -------------------------------------------------------------------------------------
def health(ws: Workspace, *, topics: bool = True, seed: int = 0) -> dict:
    """Figures for the Dataset page: approved count against the floor and target, open flags by
    kind, answer lengths (words), topic clusters with their top terms."""
    counts = ws.counts()
    flags = {r["kind"]: int(r["n"]) for r in ws.query(
        "SELECT kind, count(*) AS n FROM flags WHERE status = 'open' GROUP BY kind")}
    lengths = [int(r[0]) for r in ws.execute(
        "SELECT len(string_split(trim(response), ' ')) FROM pairs WHERE status != 'rejected'").fetchall()]
    out: dict[str, Any] = {
        "approved": counts["approved"], "pairs": counts["pairs"], "new": counts["new"],
        "rejected": counts["rejected"], "floor": MIN_PAIRS, "target": list(TARGET_PAIRS),
        "open_flags": flags, "answer_lengths": lengths, "topics": [],
    }
    if topics:
        rows = ws.query("SELECT id, instruction, status FROM pairs WHERE status != 'rejected' ORDER BY id LIMIT 20000")
        labels, top = topic_clusters([r["instruction"] for r in rows], seed=seed)
        sizes = Counter(labels)
        approved = Counter(lab for lab, r in zip(labels, rows) if r["status"] == "approved")
        out["topics"] = sorted(
            ({"topic": t, "terms": top[t] if t < len(top) else [], "pairs": sizes[t], "approved": approved[t]}
             for t in sizes),
            key=lambda d: -d["pairs"],
        )
    return out
