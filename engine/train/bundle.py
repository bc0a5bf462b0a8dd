"""Train elsewhere: a self-contained folder for a rented or Kaggle GPU box, and bringing the
result back.

`bundle_run(ws, run_id, out)` writes
    spec.json, dataset/{train,heldout}.jsonl        the run, as prepared here
    engine/ (workspace/errors.py, workspace/security.py, train/)   the training code, nothing else
    requirements.txt                                the training libraries (torch as the box has it)
    run.sh                                          installs and trains with one command (all GPUs)
    README.txt
`import_run(ws, folder)` copies the adapter, events and status back into runs/<id>/ and records
the run.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from engine.workspace.errors import BadInput
from engine.train.events import read_events
from engine.train.spec import ADAPTER, load_spec, write_status

RUN_SH = """#!/usr/bin/env bash
# Train this Pairsmith run on a GPU box with one command:  bash run.sh
# (set BASE_MODEL=/path/or/hub-id to use a different copy of the base model; RESUME=1 to continue)
set -euo pipefail
cd "$(dirname "$0")"
python -m pip install -q -r requirements.txt
export TOKENIZERS_PARALLELISM=false PYTHONUNBUFFERED=1
[ -n "${BASE_MODEL:-}" ] && export PAIRSMITH_BASE_MODEL="$BASE_MODEL"
NGPU=$(python -c "import torch; print(torch.cuda.device_count())")
ARGS=(. ${RESUME:+--resume})
if [ "$NGPU" -gt 1 ]; then
  torchrun --nproc_per_node "$NGPU" -m engine.train "${ARGS[@]}"
else
  python -m engine.train "${ARGS[@]}"
fi
echo "Done. Copy this folder back and run: pairsmith import-run WORKSPACE $(basename "$PWD")"
"""

README = """Pairsmith training run {run_id}

Base model: {base_model}   Preset: {preset}   Dataset version: {version_id}
Train pairs: {train_count}   Held-out pairs: {heldout_count}

On a machine with an NVIDIA GPU and Python 3.10+:   bash run.sh
Progress is printed as JSON lines and kept in events.jsonl; the adapter lands in adapter/.
Then copy the folder back and run:   pairsmith import-run WORKSPACE FOLDER
{note}"""

# the engine modules engine/train imports from outside itself (tests check the bundle runs with
# nothing but these importable)
BUNDLED_MODULES = ("__init__.py", "workspace/__init__.py", "workspace/errors.py", "workspace/security.py")
# (engine/__init__.py quiets library log noise; workspace/__init__.py imports nothing)

_LIBS = ("transformers", "peft", "trl", "bitsandbytes", "accelerate", "datasets", "tokenizers", "safetensors")


def requirements() -> str:
    from importlib.metadata import PackageNotFoundError, version

    lines = ["# torch: use the CUDA build the box has (or `pip install torch`)", "torch"]
    for name in _LIBS:
        try:
            lines.append(f"{name}=={version(name)}")
        except PackageNotFoundError:
            lines.append(name)
    return "\n".join(lines) + "\n"


def bundle_run(ws, run_id: str, out: str | Path) -> Path:
    from engine.train.launch import run_dir_of

    run_dir = run_dir_of(ws, run_id)
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise BadInput(f"{out} is not empty; choose a new folder for the bundle.")
    spec = load_spec(run_dir)
    out.mkdir(parents=True, exist_ok=True)
    shutil.copytree(run_dir / "dataset", out / "dataset")
    spec.pop("base_model_resolved", None)  # a path on this machine; the box resolves base_model itself
    (out / "spec.json").write_text(json.dumps(spec, indent=2, ensure_ascii=False))
    pkg = Path(__file__).resolve().parent
    for name in BUNDLED_MODULES:
        (out / "engine" / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(pkg.parent / name, out / "engine" / name)
    shutil.copytree(pkg, out / "engine" / "train", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    (out / "requirements.txt").write_text(requirements())
    (out / "run.sh").write_text(RUN_SH)
    (out / "run.sh").chmod(0o755)
    base = spec["base_model"]
    note = ""
    if Path(base).expanduser().exists():
        note = (f"\nThe base model is a folder on the original machine ({base}): copy it to the box and run\n"
                "    BASE_MODEL=/path/to/it bash run.sh\n")
    ds = spec["dataset"]
    (out / "README.txt").write_text(README.format(
        run_id=spec["run_id"], base_model=base, preset=spec.get("preset"), version_id=ds.get("version_id"),
        train_count=ds.get("train_count"), heldout_count=ds.get("heldout_count"), note=note))
    return out


def import_run(ws, folder: str | Path) -> str:
    """Bring a run trained elsewhere back into runs/<id>/ and record it. Returns the run id."""
    from engine.train.launch import record_run

    folder = Path(folder)
    spec = load_spec(folder)
    if not (folder / ADAPTER / "adapter_config.json").is_file():
        raise BadInput(f"{folder} has no adapter/: the run has not finished there (see its events.jsonl).")
    target = Path(ws.runs_dir) / spec["run_id"]
    target.mkdir(parents=True, exist_ok=True)
    if (target / ADAPTER).exists():
        shutil.rmtree(target / ADAPTER)
    shutil.copytree(folder / ADAPTER, target / ADAPTER)
    for name in ("events.jsonl", "train.log"):
        if (folder / name).is_file():
            shutil.copy2(folder / name, target / name)
    if not (target / "dataset").exists() and (folder / "dataset").is_dir():
        shutil.copytree(folder / "dataset", target / "dataset")
    old = {}
    if (target / "spec.json").is_file():
        old = json.loads((target / "spec.json").read_text())
    merged = dict(spec, base_model_resolved=old.get("base_model_resolved", spec.get("base_model_resolved")))
    merged["trained_elsewhere"] = True
    (target / "spec.json").write_text(json.dumps(merged, indent=2, ensure_ascii=False))
    events = read_events(target)
    last = next((e for e in reversed(events) if e["event"] in ("done", "error", "cancelled")), None)
    state = {"done": "done", "error": "error", "cancelled": "cancelled"}.get(last["event"] if last else "", "done")
    step = next((e["step"] for e in reversed(events) if "step" in e), None)
    write_status(target, state=state, pid=None, step=step, imported_from=str(folder.resolve()),
                 adapter=str(target / ADAPTER))
    record_run(ws, target)
    return spec["run_id"]
