"""The evaluation report as one self-contained HTML page: inline SVG charts, inline CSS, no
scripts, no external assets (it opens from an email attachment or a shared drive).

    render_html(report) -> str
    summary_line(report) -> "held-out accuracy 94% against 61% for the prompted base model"
    readiness(report, session) -> {"ready", "checks": [{"name", "value", "ok", "text"}]}
"""

from __future__ import annotations

import html
from typing import Any, Sequence


def pct(x: float | None) -> str:
    return "n/a" if x is None else f"{round(100 * x):d}%"


def summary_line(report: dict[str, Any]) -> str:
    what = "accuracy on the test file" if report.get("source") == "test file" else "held-out accuracy"
    line = f"{what} {pct(report.get('heldout_accuracy'))}"
    if report.get("baseline_accuracy") is not None:
        line += f" against {pct(report['baseline_accuracy'])} for the prompted base model"
    if report.get("baseline_policy_accuracy") is not None:
        line += f" and {pct(report['baseline_policy_accuracy'])} with the policy sheet in its prompt"
    return line


# The seed's three conditions for a fine-tune to be trusted. Product rules (what "ready" means
# here), not calibrated figures: held-out accuracy at least READY_ACCURACY and above the best
# prompted baseline; a train/held-out gap within READY_GAP points; a test session of at least
# READY_SESSION_SHARE of its time in which no failure kind repeated CONSISTENT_FAILURES times.
READY_ACCURACY = 0.85
READY_GAP = 15.0
READY_SESSION_SHARE = 0.8


def readiness(report: dict[str, Any] | None, session: dict[str, Any] | None) -> dict[str, Any]:
    """The three conditions side by side: held-out accuracy (against the prompted baselines), the
    train/held-out gap, the last test session (engine.evaluate.playground.session_summary)."""
    report = report or {}
    held = report.get("heldout_accuracy")
    bases = [b for b in (report.get("baseline_accuracy"), report.get("baseline_policy_accuracy")) if b is not None]
    best = max(bases) if bases else None
    checks = []
    if held is None:
        checks.append({"name": "held-out accuracy", "value": None, "ok": False, "text": "not measured yet"})
    else:
        ok = held >= READY_ACCURACY and (best is None or held > best)
        text = f"{pct(held)} of new questions right" + (f"; the best prompt on the base model gets {pct(best)}"
                                                       if best is not None else "")
        checks.append({"name": "held-out accuracy", "value": held, "ok": ok,
                       "text": text + ("" if ok else f" (needs {pct(READY_ACCURACY)} and more than the prompt)")})
    gap = report.get("gap")
    checks.append({"name": "train/held-out gap", "value": gap,
                   "ok": gap is not None and gap <= READY_GAP,
                   "text": "not measured yet" if gap is None else
                   f"{gap:+.0f} points" + (" (memorising: more than 15)" if gap > READY_GAP else "")})
    if not session:
        checks.append({"name": "test session", "value": None, "ok": False,
                       "text": "none yet: on the Playground, start a 30-minute test session"})
    else:
        long_enough = session["minutes_used"] >= READY_SESSION_SHARE * session["minutes"]
        ok = long_enough and not session["consistent"]
        rate = session.get("failure_rate")
        text = (f"{session['answers']} answers in {session['minutes_used']:.0f} of {session['minutes']} minutes, "
                f"{pct(rate)} wrong")
        if session["consistent"]:
            text += "; repeated failures: " + ", ".join(session["consistent"])
        elif not long_enough:
            text += "; too short to count"
        checks.append({"name": "test session", "value": rate, "ok": ok, "text": text})
    return {"ready": all(c["ok"] for c in checks), "checks": checks}


def _bars_svg(title: str, bars: Sequence[tuple[str, float | None, str]], width: int = 420) -> str:
    """A horizontal bar chart of accuracies (0..1): [(label, value, colour)]."""
    row_h, label_w, top = 34, 150, 30
    plot_w = width - label_w - 60
    height = top + row_h * len(bars) + 10
    esc = html.escape
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-label="{esc(title)}">',
        f'<text x="0" y="18" font-size="14" font-weight="bold">{esc(title)}</text>',
    ]
    for i, (label, value, colour) in enumerate(bars):
        y = top + i * row_h
        w = 0 if value is None else max(1.0, plot_w * max(0.0, min(1.0, value)))
        parts.append(f'<text x="0" y="{y + 18}" font-size="13">{esc(label)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 4}" width="{plot_w}" height="20" fill="#eee"/>')
        parts.append(f'<rect x="{label_w}" y="{y + 4}" width="{w:.1f}" height="20" fill="{colour}"/>')
        parts.append(f'<text x="{label_w + plot_w + 6}" y="{y + 19}" font-size="13">{esc(pct(value))}</text>')
    parts.append("</svg>")
    return "".join(parts)


_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#222;max-width:1200px}
h1{font-size:22px;margin-bottom:4px} .sub{color:#666;margin-top:0}
.charts{display:flex;flex-wrap:wrap;gap:32px;margin:16px 0}
.advice{background:#fff4e5;border-left:4px solid #f0a020;padding:8px 12px;margin:12px 0}
table{border-collapse:collapse;width:100%;font-size:13px} th,td{border:1px solid #ddd;padding:6px;vertical-align:top;text-align:left}
th{background:#f5f5f5} tr.ok td.verdict{color:#17702f;font-weight:bold} tr.bad td.verdict{color:#b00020;font-weight:bold}
.facts{color:#b00020}
"""


def render_html(report: dict[str, Any]) -> str:
    esc = html.escape
    run = report.get("run_id") or ""
    held, train, base = report.get("heldout_accuracy"), report.get("train_accuracy"), report.get("baseline_accuracy")
    hall = report.get("hallucinations") or {}
    counts = report.get("counts") or {}
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Evaluation of run {esc(str(run))}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>Evaluation of run {esc(str(run))}</h1>",
        f'<p class="sub">{esc(summary_line(report).capitalize())}. '
        f"{counts.get('heldout', len(report.get('examples', [])))} held-out questions, "
        f"{counts.get('train', 0)} training questions; base model {esc(str(report.get('base_model') or ''))}; "
        f"{esc(str(report.get('created_at') or ''))}.</p>",
        '<div class="charts">',
        _bars_svg("Held-out accuracy", [("Tuned model", held, "#2b7bb9"), ("Base + prompt", base, "#9e9e9e")]
                  + ([("Base + prompt + policy", report.get("baseline_policy_accuracy"), "#757575")]
                     if report.get("baseline_policy_accuracy") is not None else [])),
        _bars_svg("Training vs held-out", [("Training questions", train, "#7e57c2"), ("Held-out questions", held, "#2b7bb9")]),
        "</div>",
    ]
    gap = report.get("gap")
    if gap is not None:
        out.append(f"<p>Gap between training and held-out accuracy: {gap:+.0f} points.</p>")
    for advice in report.get("advice") or []:
        out.append(f'<div class="advice">{esc(advice)}</div>')
    out.append(
        f"<p>Invented facts (in an answer, but neither in its reference nor anywhere in the training data): "
        f"<b>{hall.get('count', 0)}</b> in {hall.get('answers_affected', 0)} answers"
        + (f" (prompted base model: {hall.get('baseline_count')})" if hall.get("baseline_count") is not None else "")
        + ".</p>"
    )
    mem = report.get("memorised_pii")
    if isinstance(mem, dict):
        out.append(f"<p>Memorised personal data: <b>{mem.get('count', 0)}</b> of {mem.get('checked', 0)} probe answers "
                   "(training questions and prompts asking for personal details) contain a value from the "
                   "workspace's personal-data mapping" + (" (shown redacted):" if mem.get("examples") else ".") + "</p>")
        if mem.get("examples"):
            out.append("<ul>")
            for ex in mem["examples"]:
                out.append(f"<li>{esc(str(ex.get('prompt', ''))[:120])} &rarr; {esc(str(ex.get('answer', ''))[:200])}</li>")
            out.append("</ul>")
    baseline = report.get("baseline") or {}
    if baseline:
        out.append(f"<p class=\"sub\">Base model prompt: the house-style system prompt with {baseline.get('few_shot', 0)} "
                   f"training pairs as examples" + (", and the policy sheet" if baseline.get("policy") else "") + ".</p>")
    items = hall.get("items") or []
    if items:
        out.append("<ul>")
        for it in items[:50]:
            out.append(f"<li><span class=\"facts\">{esc(str(it.get('fact')))}</span> in the answer to "
                       f"&ldquo;{esc(str(it.get('instruction', ''))[:120])}&rdquo;</li>")
        out.append("</ul>")
    out.append("<h2>Held-out questions</h2>")
    out.append("<table><thead><tr><th>#</th><th>Question</th><th>Reference answer</th><th>Tuned model</th>"
               "<th>Verdict</th><th>Prompted base model</th><th>Base verdict</th></tr></thead><tbody>")
    for i, ex in enumerate(report.get("examples") or [], 1):
        ok = ex.get("correct")
        bok = ex.get("baseline_correct")
        out.append(
            f'<tr class="{"ok" if ok else "bad"}"><td>{i}</td><td>{esc(str(ex.get("instruction", "")))}</td>'
            f'<td>{esc(str(ex.get("reference", "")))}</td><td>{esc(str(ex.get("answer", "")))}</td>'
            f'<td class="verdict">{"correct" if ok else "wrong"}<br><small>{esc(str(ex.get("reason", "")))}</small></td>'
            f'<td>{esc(str(ex.get("baseline_answer") or ""))}</td>'
            f'<td>{"" if bok is None else ("correct" if bok else "wrong")}'
            f'<br><small>{esc(str(ex.get("baseline_reason") or ""))}</small></td></tr>'
        )
    out.append("</tbody></table>")
    out.append("<p class=\"sub\">Judge: the answer's claims against the reference's: every asked-for value present "
               "with its unit and period, none contradicted, the yes or no and the conditions kept, and no number, "
               "scheme or rule that no approved answer states.</p>")
    out.append("</body></html>")
    return "\n".join(out)
