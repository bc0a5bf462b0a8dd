"""The evaluation subprocess: `python -m engine.evaluate RUN_DIR [--baseline-prompt FILE] [--limit N]`.

Prints one JSON object per line on stdout (everything else goes to stderr):
    {"event": "started",  "run": id, "time", "heldout": n, "limit": n|null}
    {"event": "progress", "run": id, "time", "done": d, "total": t, "message": "tuned model answering"}
    {"event": "done",     "run": id, "time", "report": path, "html": path, "heldout_accuracy",
                          "train_accuracy", "baseline_accuracy", "summary"}
    {"event": "error",    "run": id, "time", "message": "one line for a person", "kind": "BadInput"|...}
Exit code 0 on done, the error's exit code (1, 2) otherwise. It never opens the workspace database.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m engine.evaluate", description="Evaluate a trained run.")
    parser.add_argument("run_dir")
    parser.add_argument("--baseline-prompt", metavar="FILE", help="system prompt for the base model (text file)")
    parser.add_argument("--limit", type=int, default=None, help="evaluate on the first N held-out pairs only")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--max-new-tokens", type=int, default=None)
    parser.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"))
    parser.add_argument("--test", metavar="FILE", help="evaluate on these {instruction, response} lines instead of the held-out pairs")
    parser.add_argument("--policy", metavar="FILE", help="the policy sheet's text, for the base + prompt + policy baseline")
    parser.add_argument("--few-shot", type=int, default=None, help="training pairs shown to the base model as examples")
    args = parser.parse_args(argv)

    out = sys.stdout
    sys.stdout = sys.stderr  # library chatter must not mix with the events
    run_dir = Path(args.run_dir)
    run_id = run_dir.name

    def emit(event: str, /, **fields) -> None:
        out.write(json.dumps({"event": event, "run": run_id, "time": round(time.time(), 3), **fields},
                             ensure_ascii=False, default=str) + "\n")
        out.flush()

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from engine.workspace.errors import PairsmithError

    from engine.evaluate import evaluate_run, write_report

    last = {"pct": -1, "t": 0.0}

    def progress(done: int, total: int, message: str) -> None:
        pct = int(100 * done / total) if total else 0
        now = time.monotonic()
        if pct != last["pct"] or now - last["t"] > 5:
            last.update(pct=pct, t=now)
            emit("progress", done=done, total=total, message=message)

    try:
        prompt = None
        if args.baseline_prompt:
            try:
                prompt = Path(args.baseline_prompt).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise PairsmithError(f"Cannot read the baseline prompt file: {getattr(exc, 'strerror', None) or exc}") from None
        policy = None
        if args.policy:
            try:
                policy = Path(args.policy).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise PairsmithError(f"Cannot read the policy file: {getattr(exc, 'strerror', None) or exc}") from None
        emit("started", limit=args.limit)
        report = evaluate_run(run_dir, baseline_prompt=prompt, limit=args.limit, batch_size=args.batch_size,
                              max_new_tokens=args.max_new_tokens, device=args.device, progress=progress,
                              test_file=args.test, policy=policy, few_shot=args.few_shot)
        json_path, html_path = write_report(run_dir, report)
        emit("done", report=str(json_path), html=str(html_path), summary=report["summary"],
             **{k: report.get(k) for k in ("heldout_accuracy", "train_accuracy", "baseline_accuracy",
                                           "baseline_policy_accuracy")})
        return 0
    except PairsmithError as exc:
        emit("error", message=str(exc), kind=type(exc).__name__)
        return exc.exit_code
    except Exception as exc:  # a bug: one line on stdout, the traceback in the log (stderr)
        import traceback

        traceback.print_exc()
        emit("error", message=f"unexpected error: {type(exc).__name__}: {exc}", kind="bug")
        return 1


if __name__ == "__main__":
    sys.exit(main())
