"""End-to-end training on the CPU with the built-in tiny model: the CLI, the run folder contract,
events, loss, recording, merge, bundle/import, cancel, kill -9 + resume, 4-bit and OOM fallback."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from engine.train import launch
from engine.train.events import describe, parse_line, read_events, validate_event
from engine.workspace.security import child_env
from train_helpers import cli, environ, make_workspace

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", autouse=True)
def _env(tmp_path_factory):
    with environ(PAIRSMITH_CACHE=str(tmp_path_factory.mktemp("cache")), HF_HUB_OFFLINE="1", OMP_NUM_THREADS="1"):
        yield


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """One real run through the CLI: 40 pairs, 40 steps."""
    ws = make_workspace(tmp_path_factory.mktemp("trained") / "ws")
    code, out, err = cli("train", ws, "--base-model", "builtin:tiny", "--set", "max_steps=40", "--json")
    runs = [p for p in (ws / "runs").iterdir() if p.is_dir()]
    assert len(runs) == 1, err
    return {"ws": ws, "code": code, "out": out, "err": err, "run_dir": runs[0]}


def _open(ws):
    from engine.workspace.store import Workspace

    return Workspace.open(ws)


def test_run_trains_loss_falls_and_every_event_validates(trained):
    assert trained["code"] == 0, trained["err"]
    run_dir = trained["run_dir"]
    printed = [json.loads(line) for line in trained["out"].splitlines() if line.strip()]
    stored = read_events(run_dir)
    assert printed == stored and len(stored) > 40
    for event in stored:
        assert validate_event(event) == [], event
        assert event["run"] == run_dir.name
    kinds = [e["event"] for e in stored]
    assert kinds[0] == "preflight" and kinds[1] == "started" and kinds[-1] == "done"
    assert {"step", "eval", "checkpoint"} <= set(kinds)
    started = stored[1]
    assert 0 < started["trainable_params"] < started["total_params"] and started["device"] == "cpu"
    assert started["precision"]["linear_4bit_layers"] == 0 and started["precision"]["quantization"] is None
    assert started["precision"]["compute_dtype"] == "float32" and started["precision"]["batching"] == "grouped"
    steps = [e for e in stored if e["event"] == "step"]
    assert [e["step"] for e in steps] == list(range(1, 41)) and all(e["total"] == 40 for e in steps)
    losses = [e["loss"] for e in steps]
    first, last = sum(losses[:5]) / 5, sum(losses[-5:]) / 5
    assert last < first * 0.95, (first, last)
    evals = [e["eval_loss"] for e in stored if e["event"] == "eval"]
    assert evals[-1] < evals[0]
    done = stored[-1]
    assert done["step"] == 40 and done["metrics"]["eval_loss"] == pytest.approx(evals[-1])

    # the run folder contract
    spec = json.loads((run_dir / "spec.json").read_text())
    assert spec["run_id"] == run_dir.name and spec["base_model"] == "builtin:tiny"
    assert Path(spec["base_model_resolved"]).is_dir() and spec["preset"] == "cpu-smoke"
    assert spec["config"]["max_steps"] == 40 and spec["dataset"]["train"] == "dataset/train.jsonl"
    assert spec["dataset"]["version_id"] == 1 and spec["created_at"]
    train_rows = [json.loads(x) for x in (run_dir / "dataset/train.jsonl").read_text().splitlines()]
    held_rows = [json.loads(x) for x in (run_dir / "dataset/heldout.jsonl").read_text().splitlines()]
    assert len(train_rows) + len(held_rows) == 40 and set(train_rows[0]) == {"pair_id", "instruction", "response"}
    assert (run_dir / "checkpoints" / "checkpoint-40" / "trainer_state.json").is_file()
    assert (run_dir / "adapter" / "adapter_config.json").is_file()
    assert (run_dir / "adapter" / "tokenizer.json").is_file()
    status = json.loads((run_dir / "status.json").read_text())
    assert status["state"] == "done" and status["step"] == 40

    # recorded by the parent
    ws = _open(trained["ws"])
    try:
        rows = launch.list_runs(ws)
    finally:
        ws.close()
    assert len(rows) == 1 and rows[0]["status"] == "done" and rows[0]["finished_at"] is not None
    assert rows[0]["adapter_path"] == str(run_dir / "adapter") and rows[0]["version_id"] == 1
    assert rows[0]["metrics"]["eval_loss"] == pytest.approx(evals[-1])
    code, out, _ = cli("runs", trained["ws"], "--json")
    assert code == 0 and json.loads(out)[0]["id"] == run_dir.name
    code, out, _ = cli("runs", trained["ws"])
    assert code == 0 and run_dir.name in out and "done" in out


def test_answer_only_loss_masks_the_question(trained):
    """The rendered training examples train on the answer tokens only."""
    from transformers import AutoTokenizer
    from trl import SFTConfig, SFTTrainer
    from transformers import AutoModelForCausalLM

    from engine.train.data import build_dataset, read_jsonl

    spec = json.loads((trained["run_dir"] / "spec.json").read_text())
    path = spec["base_model_resolved"]
    tok = AutoTokenizer.from_pretrained(path)
    rows = read_jsonl(trained["run_dir"] / "dataset/train.jsonl")[:2]
    args = SFTConfig(output_dir=str(trained["run_dir"] / "tmp"), completion_only_loss=True, max_length=128,
                     use_cpu=True, bf16=False, report_to="none")
    trainer = SFTTrainer(model=AutoModelForCausalLM.from_pretrained(path), args=args,
                         train_dataset=build_dataset(rows), processing_class=tok)
    batch = trainer.data_collator([trainer.train_dataset[0]])
    labels = batch["labels"][0].tolist()
    trained_text = tok.decode([t for t in labels if t != -100])
    assert trained_text.startswith(rows[0]["response"]) and rows[0]["instruction"] not in trained_text
    assert tok.eos_token in trained_text  # the model learns to stop


def test_merge_loads_and_generates(trained, tmp_path):
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    out = tmp_path / "merged"
    code, stdout, err = cli("merge", trained["ws"], trained["run_dir"].name, "--out", out, "--json")
    assert code == 0, err
    assert json.loads(stdout)["merged"] == str(out)
    merged = AutoModelForCausalLM.from_pretrained(out)
    tok = AutoTokenizer.from_pretrained(out)
    assert merged.dtype == torch.bfloat16 and not any("lora" in n for n, _ in merged.named_parameters())
    prompt = tok.apply_chat_template([{"role": "user", "content": "How do I sort out payroll?"}],
                                     tokenize=False, add_generation_prompt=True)
    ids = tok(prompt, return_tensors="pt", add_special_tokens=False)
    gen = merged.generate(**ids, max_new_tokens=8, do_sample=False)
    assert gen.shape[1] > ids["input_ids"].shape[1]
    # the merged weights behave like base + adapter, and unlike the bare base
    spec = json.loads((trained["run_dir"] / "spec.json").read_text())
    base = AutoModelForCausalLM.from_pretrained(spec["base_model_resolved"], dtype=torch.float32)
    with torch.no_grad():
        bare = base(**ids).logits.float()
        peft = PeftModel.from_pretrained(base, str(trained["run_dir"] / "adapter"))(**ids).logits.float()
        mine = merged(**ids).logits.float()
    assert (mine - peft).abs().max() < 0.1 * (peft - bare).abs().max() + 0.05
    assert (peft - bare).abs().max() > 0.1


# `python -m engine.train .` with the editable-install finders removed from sys.meta_path, and a
# check that every engine module came from the bundle folder
_BUNDLE_ONLY = """
import os, runpy, sys
sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in getattr(f, "__module__", "")
                    and "editable" not in type(f).__module__]
sys.argv = ["engine.train", "."]
try:
    runpy.run_module("engine.train", run_name="__main__", alter_sys=True)
finally:
    here = os.path.realpath(".")
    strays = sorted(n for n, m in sys.modules.items() if n.split(".")[0] == "engine"
                    and not os.path.realpath(getattr(m, "__file__", None) or here).startswith(here))
    assert not strays, f"engine modules from outside the bundle: {strays}"
"""


def test_bundle_runs_standalone_and_imports_back(trained, tmp_path):
    bundle = tmp_path / "bundle"
    code, _, err = cli("bundle", trained["ws"], trained["run_dir"].name, bundle)
    assert code == 0, err
    for name in ("spec.json", "dataset/train.jsonl", "dataset/heldout.jsonl", "requirements.txt", "run.sh",
                 "engine/train/__main__.py", "engine/workspace/errors.py"):
        assert (bundle / name).is_file(), name
    assert "transformers==" in (bundle / "requirements.txt").read_text()
    assert subprocess.run(["bash", "-n", str(bundle / "run.sh")]).returncode == 0
    # train it as the GPU box would (same command run.sh uses), with only the bundled code importable
    # (the project's editable install would otherwise supply any module the bundle forgot)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.run([sys.executable, "-c", _BUNDLE_ONLY], cwd=bundle, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    events = [parse_line(x) for x in proc.stdout.splitlines()]
    assert all(events) and events[-1]["event"] == "done"
    # and bring it back into another workspace
    other = make_workspace(tmp_path / "other")
    code, out, err = cli("import-run", other, bundle, "--json")
    assert code == 0, err
    run_id = json.loads(out)["run"]
    ws = _open(other)
    try:
        row = launch.list_runs(ws)[0]
    finally:
        ws.close()
    assert row["id"] == run_id == trained["run_dir"].name and row["status"] == "done"
    assert Path(row["adapter_path"], "adapter_config.json").is_file()


def _read_until(proc, predicate):
    seen = []
    for raw in proc.stdout:
        event = parse_line(raw)
        if event is None:
            continue
        seen.append(event)
        if predicate(event):
            return seen
    raise AssertionError(f"the run ended before the expected event: {seen[-3:]}")


def test_cancel_saves_and_kill_9_resumes_to_the_same_step_count(tmp_path):
    ws_path = make_workspace(tmp_path / "ws")
    ws = _open(ws_path)
    try:
        run_id, argv, run_dir = launch.start_run(ws, "builtin:tiny", "cpu-smoke",
                                                 ["max_steps=24", "save_steps=5", "eval_steps=0"])
    finally:
        ws.close()
    env = dict(child_env(), PAIRSMITH_TEST_STEP_DELAY="0.15")

    # 1. cancel (SIGTERM) after the first checkpoint: a checkpoint is saved at the current step
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True)
    _read_until(proc, lambda e: e["event"] == "checkpoint")
    assert launch.cancel(run_dir)
    rest = [parse_line(x) for x in proc.stdout]
    assert proc.wait(timeout=120) == 0
    cancelled = [e for e in rest if e and e["event"] == "cancelled"][-1]
    assert 5 <= cancelled["step"] < 24 and cancelled["total"] == 24
    assert cancelled["checkpoint"].endswith(f"checkpoint-{cancelled['step']}")
    assert Path(cancelled["checkpoint"], "trainer_state.json").is_file()
    assert launch.read_status(run_dir)["state"] == "cancelled"

    # 2. resume, then kill -9 after the next checkpoint: nothing is said, the state reads "stopped"
    proc = subprocess.Popen(launch.resume_argv(run_dir), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            env=env, text=True)
    seen = _read_until(proc, lambda e: e["event"] == "checkpoint" and e["step"] > cancelled["step"])
    started = [e for e in seen if e["event"] == "started"][0]
    assert started["resumed_from"] == cancelled["checkpoint"]
    first_step = [e for e in seen if e["event"] == "step"][0]["step"]
    assert first_step == cancelled["step"] + 1
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    assert launch.read_status(run_dir)["state"] == "stopped"

    # 3. `pairsmith train WS --resume RUN` finishes at the same total step count
    code, out, err = cli("train", ws_path, "--resume", run_id, "--json")
    assert code == 0, err
    events = [json.loads(x) for x in out.splitlines()]
    assert events[-1]["event"] == "done" and events[-1]["step"] == 24 and events[-1]["total"] == 24
    assert [e["total_steps"] for e in read_events(run_dir) if e["event"] == "started"] == [24, 24, 24]
    steps = [e["step"] for e in read_events(run_dir) if e["event"] == "step"]
    assert max(steps) == 24 and set(range(1, 25)) <= set(steps)
    ws = _open(ws_path)
    try:
        assert launch.list_runs(ws)[0]["status"] == "done"
    finally:
        ws.close()


def test_4bit_on_cpu_with_an_injected_out_of_memory(tmp_path):
    """QLoRA (NF4) on the CPU, with the bitsandbytes autograd warning turned into an error, and an
    injected CUDA OOM at step 5: retried from checkpoint 3 with batch 1 x accumulation 2."""
    ws_path = make_workspace(tmp_path / "ws")
    ws = _open(ws_path)
    events = []
    try:
        with environ(PAIRSMITH_WARNINGS_AS_ERRORS="an autograd kernel was not registered"):
            run_id, code, row = launch.train(
                ws, "builtin:tiny", "cpu-smoke",
                ["load_in_4bit=true", "max_steps=8", "save_steps=3", "eval_steps=3", "inject_oom_at_step=5",
                 "per_device_train_batch_size=2"], on_event=events.append)
    finally:
        ws.close()
    run_dir = Path(row["adapter_path"]).parent if row["adapter_path"] else None
    assert code == 0 and row["status"] == "done", events[-1]
    for event in events:
        assert validate_event(event) == []
    assert events[1]["config"]["load_in_4bit"] is True
    precision = events[1]["precision"]  # the weights really are 4-bit, not just asked to be
    assert precision["linear_4bit_layers"] > 0 and precision["quantization"] == "nf4 + double quantisation"
    assert "nf4 + double quantisation 4-bit weights" in describe(events[1])
    assert not [e for e in events if e["event"] == "eval" and e["step"] < 8]  # no eval while training 4-bit on CPU
    oom = [e for e in events if e["event"] == "warning" and e["code"] == "out_of_memory_retry"]
    assert len(oom) == 1 and "checkpoint-3" in oom[0]["message"] and "batch size 2 -> 1" in oom[0]["message"]
    spec = json.loads((run_dir / "spec.json").read_text())
    assert spec["config"]["per_device_train_batch_size"] == 1 and spec["config"]["gradient_accumulation_steps"] == 2
    assert spec["adjustments"][0]["reason"] == "out_of_memory"
    done = events[-1]
    assert done["event"] == "done" and done["step"] == 8 and done["total"] == 8
    assert all(math.isfinite(e["loss"]) for e in events if e["event"] == "step")
    assert "autograd kernel was not registered" not in (run_dir / "train.log").read_text()
    from safetensors.torch import load_file

    weights = load_file(str(run_dir / "adapter" / "adapter_model.safetensors"))
    assert any("lora_B" in k and v.abs().sum() > 0 for k, v in weights.items())  # the adapter learned


def test_cli_rejects_bad_settings_before_anything_runs(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    code, _, err = cli("train", ws, "--base-model", "builtin:tiny", "--set", "lora_rr=3")
    assert code == 2 and "Unknown setting 'lora_rr'" in err and len(err.strip().splitlines()) == 1
    code, _, err = cli("train", ws, "--base-model", "builtin:tiny", "--set", "learning_rate=fast")
    assert code == 2 and "learning_rate must be a number" in err
    code, _, err = cli("train", ws)
    assert code == 2 and "base model" in err
    code, _, err = cli("train", ws, "--resume", "nope")
    assert code == 2 and "No training run" in err
    assert not [p for p in (ws / "runs").iterdir() if p.is_dir()]
    code, out, _ = cli("train", "--list-settings")
    assert code == 0 and "load_in_4bit" in out and "qlora-t4" in out


@pytest.mark.filterwarnings("error:.*an autograd kernel was not registered")
def test_the_bitsandbytes_cpu_trap_is_caught_as_an_error(tmp_path):
    """STACK.md's trap: an eval-mode forward of a 4-bit model, then backprop, goes through
    gemv_4bit without an autograd kernel. With the warning made an error (as the 4-bit training
    test does in the subprocess) it cannot pass silently. The trainer never evaluates before or
    during 4-bit CPU training (test_4bit_on_cpu_with_an_injected_out_of_memory)."""
    import torch
    from peft import LoraConfig, get_peft_model, prepare_model_for_kbit_training
    from transformers import AutoModelForCausalLM, BitsAndBytesConfig

    from engine.train.models import build_tiny_model

    if "avx512_bf16" not in Path("/proc/cpuinfo").read_text():
        pytest.skip("the repacking trap needs a CPU with AVX512-BF16")
    path = build_tiny_model(tmp_path / "tiny")
    quant = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True,
                               bnb_4bit_compute_dtype=torch.float32)
    model = AutoModelForCausalLM.from_pretrained(path, quantization_config=quant, dtype=torch.float32)
    model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=False)
    model = get_peft_model(model, LoraConfig(r=8, target_modules=["q_proj", "gate_proj"], task_type="CAUSAL_LM"))
    ids = torch.tensor([[1, 5, 200, 30, 2]])
    model.train()
    model(input_ids=ids, labels=ids).loss.backward()  # training first: fine
    model.eval()
    with torch.no_grad():
        model(input_ids=ids)
    model.train()
    with pytest.raises(Exception, match="autograd kernel was not registered"):
        model(input_ids=ids, labels=ids).loss.backward()
