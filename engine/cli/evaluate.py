"""Subcommands: eval, judge, export-model, chat."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from engine.cli.output import ProgressBar, emit, open_ws
from engine.workspace.errors import BadInput, NotFound


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("eval", help="evaluate a trained run on its held-out pairs (and against the base model)")
    p.add_argument("workspace")
    p.add_argument("--run", required=True, help="run id (a folder under runs/)")
    p.add_argument("--baseline-prompt", metavar="FILE", help="system prompt for the base model (a text file)")
    p.add_argument("--limit", type=int, help="evaluate on the first N held-out pairs only")
    p.add_argument("--batch-size", type=int, help="questions answered together (default 16)")
    p.add_argument("--device", choices=("auto", "cpu", "cuda"))
    p.add_argument("--test", metavar="FILE.jsonl",
                   help="evaluate on your own test questions ({\"instruction\", \"response\"} lines) instead of the held-out pairs")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("judge", help="score any answers against reference answers (claims-based judge)")
    p.add_argument("refs", metavar="REFS.jsonl", help='reference lines {"id", "instruction", "response"}')
    p.add_argument("answers", metavar="ANSWERS.jsonl", help='answer lines {"id", "answer"}')
    p.add_argument("--policy", metavar="FILE", help="the policy text (an extra detail it states is not invented)")
    p.add_argument("--no-embed", action="store_true", help="do not load the sentence embedder (claims and word overlap only)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_judge)

    p = sub.add_parser("export-model", help="export a run's model: the adapter, a merged model, or GGUF for Ollama")
    p.add_argument("workspace")
    p.add_argument("run", help="run id")
    p.add_argument("out", help="folder to write (created; must be empty if it exists)")
    p.add_argument("--format", choices=("adapter", "merged", "ollama"), default="adapter")
    p.add_argument("--quantize", choices=("q8_0",), help="the GGUF of --format ollama in Q8_0 instead of f16")
    p.add_argument("--dtype", choices=("float16", "bfloat16", "float32"), default="float16",
                   help="weights of the merged model / GGUF (bfloat16 is written as float16 in GGUF)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_export_model)

    p = sub.add_parser("chat", help="chat with a run's model in the terminal (one question per line; Ctrl-D ends)")
    p.add_argument("workspace")
    p.add_argument("--run", required=True)
    p.add_argument("--base", action="store_true", help="the base model without the adapter")
    p.add_argument("--system", help="a system prompt")
    p.add_argument("--max-new-tokens", type=int, default=256)
    p.set_defaults(func=cmd_chat)


def _run_dir(workspace: str, run: str) -> Path:
    from engine.evaluate import clean_run_id
    from engine.workspace.store import DB_NAME

    root = Path(workspace)
    if not (root / DB_NAME).is_file():
        raise NotFound(f"{root} is not a Pairsmith workspace (no {DB_NAME}).")
    run = clean_run_id(run)
    run_dir = root / "runs" / run
    if not run_dir.is_dir():
        raise NotFound(f"No run {run!r} in this workspace (no folder {run_dir}).")
    return run_dir


def cmd_eval(args) -> int:
    from engine.evaluate import run_evaluation
    from engine.evaluate.report import pct

    if args.limit is not None and args.limit < 1:
        raise BadInput("--limit must be at least 1.")
    if args.batch_size is not None and args.batch_size < 1:
        raise BadInput("--batch-size must be at least 1.")
    from engine.evaluate import clean_run_id

    args.run = clean_run_id(args.run)
    if args.test:
        from engine.evaluate import read_test_file

        read_test_file(args.test)  # one clear line (exit 2) before the workspace or a model is opened
    ws = open_ws(args.workspace)
    bar = ProgressBar("evaluating")
    try:
        report = run_evaluation(ws, args.run, baseline_prompt_file=args.baseline_prompt, limit=args.limit,
                                batch_size=args.batch_size, device=args.device, progress=bar, test_file=args.test)
    finally:
        bar.close()
        ws.close()
    run_dir = Path(args.workspace) / "runs" / args.run / "eval"
    hall = report.get("hallucinations") or {}
    lines = [
        f"Run {args.run}: {report['summary']}" + (f" (questions from {args.test})." if args.test else "."),
        f"Training questions: {pct(report.get('train_accuracy'))} (gap {report.get('gap') or 0:+.0f} points).",
        f"Invented facts: {hall.get('count', 0)} in {hall.get('answers_affected', 0)} of "
        f"{report['counts']['heldout']} answers.",
    ]
    lines += report.get("advice") or []
    wrong = [e for e in report.get("examples", []) if not e.get("correct")]
    for e in wrong[:5]:
        lines.append(f"  wrong: {e['instruction'][:60]!r}: {e['reason']}")
    if len(wrong) > 5:
        lines.append(f"  ... and {len(wrong) - 5} more in the report")
    lines.append(f"Report: {run_dir / 'report.html'}")
    emit({"run": args.run, "evaluation_id": report.get("evaluation_id"), "report_path": str(run_dir / "report.json"),
          "html_path": str(run_dir / "report.html"), "report": report}, args.json, "\n".join(lines))
    return 0


def cmd_judge(args) -> int:
    from engine.evaluate.judge import load_embedder
    from engine.evaluate.judge_files import judge_files

    def embedder():  # loaded only once the files are known to be good
        try:
            return load_embedder()
        except Exception as exc:  # noqa: BLE001 - the claims still judge; say so
            print(f"pairsmith: no sentence embedder ({type(exc).__name__}); judging on claims and word overlap",
                  file=sys.stderr)
            return None

    verdicts = judge_files(args.refs, args.answers, policy_path=args.policy,
                           load_embed=None if args.no_embed else embedder)
    right = sum(v["correct"] for v in verdicts)
    text = [f"{v['id']}: {'correct' if v['correct'] else v['category']} - {v['reason']}" for v in verdicts]
    text.append(f"{right} of {len(verdicts)} answers correct ({100 * right / len(verdicts):.0f}%).")
    emit([{"id": v["id"], "correct": v["correct"], "reason": v["reason"], "category": v["category"]}
          for v in verdicts], args.json, "\n".join(text))
    return 0


def cmd_export_model(args) -> int:
    from engine.evaluate.export_model import export_model

    run_dir = _run_dir(args.workspace, args.run)
    bar = ProgressBar("exporting")
    try:
        result = export_model(run_dir, args.out, fmt=args.format, dtype=args.dtype, progress=bar,
                              quantize=args.quantize)
    finally:
        bar.close()
    text = [f"Exported run {args.run} as {args.format} to {result['path']}."]
    text += [f"  {f}" for f in result.get("files", [])]
    text += [f"Note: {n}" for n in result.get("notes", [])]
    emit(result, args.json, "\n".join(text))
    return 0


def cmd_chat(args) -> int:
    from engine.evaluate import read_run
    from engine.evaluate.playground import ChatModel
    from engine.train.run_folder import adapter_dir

    if args.max_new_tokens < 1:
        raise BadInput("--max-new-tokens must be at least 1.")
    run_dir = _run_dir(args.workspace, args.run)
    read_run(run_dir)
    if not args.base:
        adapter_dir(run_dir)  # a clear message before loading anything
    print(f"Loading {'the base model' if args.base else 'run ' + args.run} ...", file=sys.stderr)
    # as the Playground page does: the run's trust choices (custom code / pickle weights allowed
    # for this base) and its 4-bit setting on a GPU
    model = ChatModel.for_run(run_dir, base=args.base)
    interactive = sys.stdin.isatty()
    messages: list[dict] = [{"role": "system", "content": args.system}] if args.system else []
    if interactive:
        print("Type a question and press Enter; Ctrl-D ends.", file=sys.stderr)
    while True:
        if interactive:
            print("you> ", end="", file=sys.stderr, flush=True)
        line = sys.stdin.readline()
        if not line:
            break
        # bytes that were not UTF-8 arrive as lone surrogates, which the tokenizer refuses
        line = line.encode("utf-8", "surrogateescape").decode("utf-8", "replace").strip()
        if not line:
            continue
        messages.append({"role": "user", "content": line})
        parts = []
        try:
            for chunk in model.stream_reply(messages, max_new_tokens=args.max_new_tokens):
                parts.append(chunk)
                sys.stdout.write(chunk)
                sys.stdout.flush()
        except BadInput as exc:  # e.g. a question too long for the model: say so, take the next one
            messages.pop()
            print(f"pairsmith: {exc}", file=sys.stderr)
            continue
        sys.stdout.write("\n")
        sys.stdout.flush()
        messages.append({"role": "assistant", "content": "".join(parts).strip()})
    return 0
