"""Training subcommands: train, runs, merge, bundle, import-run."""

from __future__ import annotations

import argparse
import json
import sys

from engine.cli.output import emit, open_ws
from engine.workspace.errors import BadInput


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("train", help="train a LoRA adapter on a frozen dataset version (runs in a subprocess)")
    p.add_argument("workspace", nargs="?")
    p.add_argument("--base-model", help="a model folder, a .gguf file, ollama:NAME[:TAG], a hub id, "
                   "builtin:smollm2 (a real 135M instruct model) or builtin:tiny (a tiny test model)")
    p.add_argument("--preset", help="qlora-t4 (default with a GPU), lora-bf16, cpu-lora (default without, for a "
                   "real model), cpu-smoke (default for builtin:tiny)")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="override one setting (repeatable); see --list-settings")
    p.add_argument("--version", type=int, help="dataset version id (default: the newest; frozen now if none)")
    p.add_argument("--resume", metavar="RUN", help="continue a stopped run from its last checkpoint")
    p.add_argument("--allow-pii", action="store_true",
                   help="train even on pairs with open personal-data flags (refused by default)")
    p.add_argument("--list-settings", action="store_true", help="print every setting, its default and the presets")
    p.add_argument("--json", action="store_true", help="print the raw JSON events")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("runs", help="list training runs")
    p.add_argument("workspace")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_runs)

    p = sub.add_parser("merge", help="merge a run's adapter into its base model (16-bit) as a standalone model")
    p.add_argument("workspace")
    p.add_argument("run")
    p.add_argument("--out", help="output folder (default runs/RUN/merged)")
    p.add_argument("--dtype", choices=("auto", "bfloat16", "float16", "float32"), default="auto")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_merge)

    p = sub.add_parser("bundle", help="write a folder that trains this run on a GPU box with one command")
    p.add_argument("workspace")
    p.add_argument("run")
    p.add_argument("out")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_bundle)

    p = sub.add_parser("import-run", help="bring a run trained elsewhere (a bundle folder) back")
    p.add_argument("workspace")
    p.add_argument("folder")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_import_run)


def _list_settings() -> int:
    from engine.train.presets import DESCRIPTIONS, KEYS, PRESETS

    print("Presets:")
    for name, text in DESCRIPTIONS.items():
        print(f"  {name:<10} {text}")
    print("\nSettings (--set key=value):")
    width = max(map(len, KEYS))
    for key, (default, text) in KEYS.items():
        per = ", ".join(f"{p}={PRESETS[p][key]}" for p in PRESETS if key in PRESETS[p])
        shown = ",".join(default) if isinstance(default, list) else default
        print(f"  {key:<{width}}  {text} [default {shown}{'; ' + per if per else ''}]")
    return 0


def cmd_train(args) -> int:
    from engine.train import launch
    from engine.train.events import describe
    from engine.train.presets import default_preset
    from engine.train.spec import parse_overrides, resolve_config

    if args.list_settings:
        return _list_settings()
    if not args.workspace:
        raise BadInput("Give the workspace folder: pairsmith train WS --base-model MODEL")
    if not args.resume and not args.base_model:
        raise BadInput("Give a base model: --base-model PATH, FILE.gguf, ollama:NAME, a hub id, builtin:smollm2 "
                           "or builtin:tiny for a quick test.")
    preset = args.preset or default_preset(args.base_model)
    if not args.resume:
        resolve_config(preset, parse_overrides(args.set))  # a bad --set fails here, before anything runs
    ws = open_ws(args.workspace)
    try:
        if not args.resume and args.version is None:
            from engine.dataset import split

            if split.latest_version(ws) is None:
                print("No dataset version yet: one is frozen from the approved pairs when the run starts.", file=sys.stderr)

        def show(event: dict) -> None:
            if args.json:
                print(json.dumps(event, ensure_ascii=False), flush=True)
            else:
                print(describe(event), flush=True)

        if not args.json and not args.resume:
            print(f"Preset {preset}, base model {args.base_model}.", file=sys.stderr)
        run_id, code, row = launch.train(ws, args.base_model, preset, args.set, args.version,
                                         resume_run=args.resume, on_event=show, allow_pii=args.allow_pii)
        status = row["status"]
        if not args.json:
            if status == "done":
                print(f"Run {run_id} finished; adapter in {row['adapter_path']}.")
            elif status == "cancelled":
                print(f"Run {run_id} stopped; continue it with: pairsmith train {args.workspace} --resume {run_id}")
            else:
                print(f"Run {run_id} ended: {status}. Details: {launch.run_dir_of(ws, run_id) / launch.LOG_FILE}",
                      file=sys.stderr)
        if status == "done":
            return 0
        if status == "cancelled":
            return 130
        return code if code not in (0, None) else 1
    finally:
        ws.close()


def cmd_runs(args) -> int:
    from engine.train import launch

    ws = open_ws(args.workspace)
    try:
        rows = launch.list_runs(ws)
    finally:
        ws.close()
    if args.json:
        emit(rows, True)
        return 0
    if not rows:
        print("No training runs yet: start one with `pairsmith train WS --base-model MODEL`.")
        return 0
    print(f"{'run':<22} {'status':<10} {'preset':<10} {'steps':>9} {'loss':>7} {'held-out':>8}  base model")
    for r in rows:
        m = r.get("metrics") or {}
        steps = f"{r.get('step') or m.get('last_step') or 0}/{r.get('total') or m.get('total_steps') or '?'}"
        loss = m.get("last_loss")
        ev = m.get("eval_loss")
        print(f"{r['id']:<22} {r['status']:<10} {r['preset'] or '':<10} {steps:>9} "
              f"{(f'{loss:.3f}' if loss is not None else '-'):>7} {(f'{ev:.3f}' if ev is not None else '-'):>8}  "
              f"{r['base_model']}")
    return 0


def cmd_merge(args) -> int:
    from engine.train import launch
    from engine.train.merge import merge_run

    ws = open_ws(args.workspace)
    try:
        run_dir = launch.run_dir_of(ws, args.run)
    finally:
        ws.close()
    out = merge_run(run_dir, args.out, args.dtype)
    emit({"run": args.run, "merged": str(out)}, args.json, f"Merged model written to {out}")
    return 0


def cmd_bundle(args) -> int:
    from engine.train.bundle import bundle_run

    ws = open_ws(args.workspace)
    try:
        out = bundle_run(ws, args.run, args.out)
    finally:
        ws.close()
    emit({"run": args.run, "bundle": str(out)}, args.json,
         f"Bundle written to {out}. On the GPU box: bash run.sh; then: pairsmith import-run {args.workspace} FOLDER")
    return 0


def cmd_import_run(args) -> int:
    from engine.train.bundle import import_run

    ws = open_ws(args.workspace)
    try:
        run_id = import_run(ws, args.folder)
    finally:
        ws.close()
    emit({"run": run_id}, args.json, f"Imported run {run_id}.")
    return 0
