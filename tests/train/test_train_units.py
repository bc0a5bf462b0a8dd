"""Training units without training: settings, events schema, loss guards, OOM ladder, memory estimator."""

import json

import pytest

from engine.workspace.errors import BadInput
from engine.train import guards
from engine.train.events import SCHEMA, describe, parse_line, validate_event
from engine.train.oom import next_config
from engine.train.preflight import estimate_memory, lora_params, model_dims, suggest_preset
from engine.train.presets import KEYS, PRESETS
from engine.train.spec import parse_overrides, resolve_config

MISTRAL_7B = dict(hidden_size=4096, num_hidden_layers=32, num_attention_heads=32, num_key_value_heads=8,
                  intermediate_size=14336, vocab_size=32000)
N_7B = 7_241_732_096


def test_presets_are_complete_and_the_reference_recipe_is_exact():
    for name in PRESETS:
        cfg = resolve_config(name)
        assert set(cfg) == set(KEYS)
    t4 = resolve_config("qlora-t4")
    assert t4["load_in_4bit"] and t4["bnb_4bit_quant_type"] == "nf4" and t4["bnb_4bit_use_double_quant"]
    assert (t4["lora_r"], t4["lora_alpha"], t4["lora_dropout"]) == (16, 32, 0.05)
    assert t4["target_modules"] == ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj"]
    assert (t4["num_train_epochs"], t4["per_device_train_batch_size"], t4["gradient_accumulation_steps"]) == (3, 2, 8)
    assert (t4["learning_rate"], t4["warmup_ratio"], t4["max_length"]) == (2e-4, 0.03, 512)
    assert (t4["logging_steps"], t4["save_steps"]) == (10, 50)
    assert t4["compute_dtype"] == "auto"
    smoke = resolve_config("cpu-smoke")
    assert not smoke["load_in_4bit"] and smoke["compute_dtype"] == "float32" and smoke["logging_steps"] == 1
    assert not resolve_config("lora-bf16")["load_in_4bit"]


def test_overrides_are_typed_and_validated():
    cfg = resolve_config("cpu-smoke", parse_overrides(
        ["load_in_4bit=true", "lora_r=4", "learning_rate=1e-3", "target_modules=q_proj,v_proj", "batching=padded"]))
    assert cfg["load_in_4bit"] is True and cfg["lora_r"] == 4 and cfg["learning_rate"] == 1e-3
    assert cfg["target_modules"] == ["q_proj", "v_proj"] and cfg["batching"] == "padded"
    for bad in (["lora_rr=3"], ["lora_r=x"], ["load_in_4bit=maybe"], ["batching=fast"], ["lora_r"],
                ["lora_dropout=1.5"], ["per_device_train_batch_size=0"], ["max_steps=0"],
                ["target_modules=q_proj,lm_head"], ["target_modules="]):
        with pytest.raises(BadInput) as err:
            parse_overrides(bad)
        assert err.value.exit_code == 2 and "\n" not in str(err.value)
    with pytest.raises(BadInput, match="did you mean lora_r"):
        parse_overrides(["lora_rr=3"])
    with pytest.raises(BadInput):
        resolve_config("gpu-turbo")


def _event(event_kind, **fields):
    return {"event": event_kind, "run": "r", "time": 1.0, **fields}


def test_event_schema_accepts_good_and_rejects_bad_events():
    good = [
        _event("step", step=3, total=10, loss=1.5, lr=1e-4, grad_norm=None, tokens_per_s=100.0, eta_s=5, gpu_mem_gb=None),
        _event("checkpoint", step=5, path="/x/checkpoint-5"),
        _event("warning", code="loss_not_falling", message="m", what_to_do="w"),
        _event("done", adapter_path="/x/adapter", metrics={}, step=10, total=10),
        _event("cancelled", step=4, total=10, checkpoint=None),
        _event("error", kind="internal", message="m", what_to_do="w"),
    ]
    for e in good:
        assert validate_event(e) == [], e
        assert parse_line(json.dumps(e)) == e
        assert describe(e)
    assert validate_event(_event("step", step=3, total=10, loss="low", lr=1e-4, grad_norm=None,
                                 tokens_per_s=None, eta_s=None, gpu_mem_gb=None))
    assert validate_event(_event("step", step=-1, total=10, loss=1.0, lr=1e-4, grad_norm=None,
                                 tokens_per_s=None, eta_s=None, gpu_mem_gb=None))
    assert validate_event(_event("checkpoint", step=5))  # path missing
    assert validate_event({"event": "nonsense", "run": "r", "time": 1})
    assert validate_event(_event("done", adapter_path="a", metrics={}, step=True, total=1))  # bool is not int
    assert parse_line("{'loss': 1.0}") is None and parse_line("Loading weights") is None
    assert len(SCHEMA["oneOf"]) == 9


def test_loss_guards():
    falling = [6.0 - 0.1 * i for i in range(20)]
    flat = [6.0, 6.02, 5.99, 6.01, 6.0, 6.03, 5.98, 6.0]
    rising = [5.0 + 0.05 * i for i in range(12)]
    assert not guards.loss_not_falling(falling)
    assert guards.loss_not_falling(flat) and guards.loss_not_falling(rising)
    swinging = [6.0, 3.0] * 8
    assert guards.loss_oscillating(swinging)
    assert not guards.loss_oscillating(falling) and not guards.loss_oscillating(flat)
    assert guards.check_step(150, 1000) == 150
    assert guards.check_step(150, 40) == 20 and guards.check_step(0, 1000) == 500 and guards.check_step(0, 3) == 4
    assert "5e-05" in guards.advice(2e-4) and "Conflicting answers" in guards.advice(2e-4)


# cpu-smoke on the bundled sample, the step losses as logged: with the random-init tiny base (flat,
# a genuine "not learning") and with the pre-trained one. The guard checks at step 15 of 30.
RANDOM_BASE_RUN = [6.23, 6.18, 6.14, 6.09, 6.11, 6.09, 6.09, 6.09, 6.1, 6.09, 6.09, 6.1, 6.08, 6.08, 6.09,
                   6.1, 6.13, 6.09, 6.08, 6.09, 6.09, 6.08, 6.1, 6.1, 6.06, 6.08, 6.1, 6.06, 6.1, 6.07]
PRETRAINED_BASE_RUN = [6.32, 6.19, 5.6, 5.58, 5.35, 5.44, 5.32, 5.18, 5.0, 5.07, 5.13, 5.1, 5.11, 5.1, 5.05,
                       4.91, 4.86, 4.99, 4.88, 4.68, 4.98, 4.7, 4.72, 4.92, 4.81, 4.58, 4.66, 4.73, 4.7, 4.68]


def test_loss_guard_on_recorded_cpu_smoke_runs():
    at = guards.check_step(PRESETS["cpu-smoke"]["loss_check_step"], PRESETS["cpu-smoke"]["max_steps"])
    assert at == 15
    assert guards.loss_not_falling(RANDOM_BASE_RUN[:at]) and guards.loss_not_falling(RANDOM_BASE_RUN)
    assert not guards.loss_not_falling(PRETRAINED_BASE_RUN[:at]) and not guards.loss_not_falling(PRETRAINED_BASE_RUN)
    assert not guards.loss_oscillating(PRETRAINED_BASE_RUN) and not guards.loss_oscillating(RANDOM_BASE_RUN)


def test_oom_ladder_keeps_the_effective_batch():
    cfg = resolve_config("qlora-t4")
    first, what = next_config(cfg)
    assert first["per_device_train_batch_size"] == 1 and first["gradient_accumulation_steps"] == 16
    assert "batch size 2 -> 1" in what
    second, what = next_config(first)
    assert second["max_length"] == 256 and second["gradient_accumulation_steps"] == 16
    third, _ = next_config(second)
    assert third["max_length"] == 128
    assert next_config(third) is None


def test_memory_estimator_on_a_7b_model():
    dims = model_dims(MISTRAL_7B)
    t4 = resolve_config("qlora-t4")
    est = estimate_memory(N_7B, dims, t4)
    # NF4 weights of a 7B model: ~3.5-4.5 GB; the whole reference run fits a 16 GB T4 (15 GB usable)
    assert 3.4 < est["weights_gb"] < 4.5
    assert 4.5 < est["total_gb"] < 14.5
    # LoRA r=16 on q/k/v/o/gate of Mistral-7B: r * (in + out) per module x 32 layers (exact)
    per_layer = 16 * ((4096 + 4096) + (4096 + 1024) * 2 + (4096 + 4096) + (4096 + 14336))
    assert lora_params(dims, t4["target_modules"], 16) == est["lora_params"] == per_layer * 32
    bf16 = estimate_memory(N_7B, dims, resolve_config("lora-bf16"))
    assert bf16["weights_gb"] > 13 and bf16["total_gb"] > 16  # does not fit a T4...
    assert bf16["total_gb"] < 38  # ...but fits a 40 GB card
    # more batch / longer sequences / no checkpointing cost more activation memory
    assert estimate_memory(N_7B, dims, dict(t4, max_length=1024))["activations_gb"] > est["activations_gb"]
    assert estimate_memory(N_7B, dims, dict(t4, gradient_checkpointing=False))["activations_gb"] > est["activations_gb"] * 3
    # the suggestion names a preset that fits
    assert suggest_preset(N_7B, dims, resolve_config("lora-bf16"), 15.0, current="lora-bf16") == "qlora-t4"
    assert suggest_preset(N_7B, dims, t4, 80.0, current="qlora-t4") == "lora-bf16"
    assert suggest_preset(N_7B, dims, t4, 2.0, current="qlora-t4") is None


def test_record_run_links_loss_warnings_to_open_conflict_flags(tmp_path, monkeypatch):
    """The parent records a finished run; a loss warning carries the number of open conflict flags."""
    import datetime as dt

    from engine.workspace.store import Workspace
    from engine.train import launch
    from engine.train.events import EventWriter
    from engine.train.spec import write_status

    monkeypatch.setenv("PAIRSMITH_CACHE", str(tmp_path / "cache"))
    ws = Workspace.create(tmp_path / "ws")
    try:
        ws.execute("INSERT INTO flags (kind, severity, pair_ids, explanation, status, created_at) "
                   "VALUES ('conflict', 'high', [1, 2], 'x', 'open', ?)", [dt.datetime.now()])
        run_dir = ws.runs_dir / "r1"
        items = [{"pair_id": 1, "instruction": "q", "response": "a", "split": "train"},
                 {"pair_id": 2, "instruction": "q2", "response": "a2", "split": "heldout"}]
        launch.prepare_run_dir(run_dir, run_id="r1", base_model="builtin:tiny", preset="cpu-smoke",
                               overrides={"lora_r": 4}, version_id=7, items=items)
        w = EventWriter(run_dir, "r1", stream=open(tmp_path / "out.txt", "w"))
        w.emit("step", step=1, total=2, loss=2.0, lr=1e-3, grad_norm=1.0, tokens_per_s=None, eta_s=None, gpu_mem_gb=None)
        w.emit("warning", code="loss_oscillating", message="swinging", what_to_do="lower lr")
        w.emit("done", adapter_path=str(run_dir / "adapter"), metrics={"eval_loss": 1.5}, step=2, total=2)
        write_status(run_dir, state="done", step=2, total=2)
        row = launch.record_run(ws, run_dir)
        assert row["status"] == "done" and row["version_id"] == 7 and row["config"]["lora_r"] == 4
        rows = launch.list_runs(ws)
        assert len(rows) == 1
        m = rows[0]["metrics"]
        assert m["open_conflict_flags"] == 1 and m["warnings"][0]["code"] == "loss_oscillating"
        assert m["eval_loss"] == 1.5 and m["last_loss"] == 2.0
        # a run whose process vanished reads "stopped"
        write_status(run_dir, state="running", pid=2**22 + 12345)
        assert launch.read_status(run_dir)["state"] == "stopped"
        assert launch.cancel(run_dir) is False
    finally:
        ws.close()


def test_a_bad_base_model_fails_before_a_version_is_frozen(tmp_path):
    from engine.workspace.errors import PairsmithError
    from engine.review.pairs import add_pair
    from engine.workspace.store import Workspace
    from engine.train import launch

    with Workspace.create(tmp_path / "ws") as ws:
        for i in range(10):
            add_pair(ws, f"Question {i} about topic {i * 7}?", f"Answer {i}.", status="approved")
        with pytest.raises(PairsmithError, match="neither a folder nor a hub id"):
            launch.start_run(ws, str(tmp_path / "no-such-model"), "cpu-smoke")
        assert ws.scalar("SELECT count(*) FROM dataset_versions") == 0
        assert ws.scalar("SELECT count(*) FROM runs") == 0


@pytest.mark.parametrize("major, want", [(7, "float16"), (8, "bfloat16"), (9, "bfloat16")])
def test_auto_compute_dtype_follows_native_bf16_not_emulation(monkeypatch, major, want):
    """A T4 (compute capability 7.5) emulates bf16, and torch.cuda.is_bf16_supported() says True
    there by default; the reference recipe must still pick fp16 on it (and bf16 on Ampere+)."""
    import torch

    from engine.train.merge import _dtype
    from engine.train.trainer import _compute_dtype

    def is_bf16_supported(including_emulation: bool = True):
        return major >= 8 or including_emulation  # what torch answers on such a GPU

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", is_bf16_supported)
    monkeypatch.setattr(torch.version, "hip", None)
    assert _compute_dtype({"compute_dtype": "auto"}, "cuda") == getattr(torch, want)
    assert _dtype(None) == getattr(torch, want)  # merge writes the same 16-bit type
    assert _compute_dtype({"compute_dtype": "auto"}, "cpu") == torch.float32
    assert _compute_dtype({"compute_dtype": "bfloat16"}, "cuda") == torch.bfloat16  # asked for: kept


def test_preflight_on_a_gpu_that_cannot_fit_names_the_preset_that_would(tmp_path, monkeypatch):
    """The GPU branch of the preflight, with torch.cuda answering as a 16 GB T4 would."""
    import shutil
    import types

    import torch

    from engine.train.preflight import GB, preflight

    free = {"bytes": 14.5 * GB}
    monkeypatch.setattr(torch.cuda, "get_device_properties",
                        lambda i: types.SimpleNamespace(name="Tesla T4", total_memory=int(15.6 * GB)))
    monkeypatch.setattr(torch.cuda, "mem_get_info", lambda i: (int(free["bytes"]), int(15.6 * GB)))

    bf16 = preflight(MISTRAL_7B, resolve_config("lora-bf16"), tmp_path, device="cuda", preset="lora-bf16",
                     n_params=N_7B)
    assert bf16["ok"] is False and bf16["gpu_name"] == "Tesla T4" and bf16["gpu_free_gb"] == 14.5
    assert "needs about" in bf16["message"] and "Tesla T4 has 14.5 GB free" in bf16["message"]
    assert "Try the preset qlora-t4." in bf16["message"]

    t4 = preflight(MISTRAL_7B, resolve_config("qlora-t4"), tmp_path, device="cuda", preset="qlora-t4", n_params=N_7B)
    assert t4["ok"] is True and "on Tesla T4 (14.5 GB free)" in t4["message"]

    free["bytes"] = 5.5 * GB  # another process holds most of the card: only batch 1 / short sequences fit
    busy = preflight(MISTRAL_7B, resolve_config("qlora-t4"), tmp_path, device="cuda", preset="qlora-t4", n_params=N_7B)
    assert busy["ok"] is False and "per_device_train_batch_size=1" in busy["message"]
    free["bytes"] = 2.0 * GB
    full = preflight(MISTRAL_7B, resolve_config("qlora-t4"), tmp_path, device="cuda", preset="qlora-t4", n_params=N_7B)
    assert full["ok"] is False and "Choose a smaller base model." in full["message"]

    free["bytes"] = 14.5 * GB  # and a full disk is reported too
    monkeypatch.setattr(shutil, "disk_usage", lambda p: types.SimpleNamespace(total=GB, used=GB, free=10 * 1024**2))
    disk = preflight(MISTRAL_7B, resolve_config("qlora-t4"), tmp_path, device="cuda", preset="qlora-t4", n_params=N_7B)
    assert disk["ok"] is False and "of disk but only 0.01 GB is free" in disk["message"]


def test_training_refuses_personal_data_unless_allowed(tmp_path):
    """A model memorises what it is trained on: open personal-data flags, or a version frozen
    before a redaction (its copy keeps the data), stop a run before anything is prepared."""
    from engine.workspace.errors import BadInput
    from engine.flags.runner import run_flags
    from engine.review.pairs import add_pair
    from engine.privacy.redact import redact_all
    from engine.dataset.split import freeze
    from engine.workspace.store import Workspace
    from engine.train import launch

    with Workspace.create(tmp_path / "ws") as ws:
        for i in range(12):
            add_pair(ws, f"Question {i} about topic {i * 7}?", f"Answer {i}: see the portal.", status="approved")
        add_pair(ws, "My payslip is wrong, can you check?",
                 "Sure, I emailed jane.doe@example.com and called +44 7700 900123 about it.", status="approved")
        run_flags(ws, ["pii"])
        assert ws.scalar("SELECT count(*) FROM flags WHERE kind = 'pii' AND status = 'open'") >= 1
        # no version yet: refused before one is frozen (it would keep the data)
        with pytest.raises(BadInput, match="open personal-data flags"):
            launch.start_run(ws, "builtin:tiny", "cpu-smoke")
        assert ws.scalar("SELECT count(*) FROM dataset_versions") == 0
        version = int(freeze(ws, holdout=0.2)["version_id"])
        with pytest.raises(BadInput, match="open personal-data flags"):
            launch.dataset_for_run(ws, version)
        assert launch.dataset_for_run(ws, version, allow_pii=True)[0] == version

        redact_all(ws)  # the live pairs are clean now; the frozen version still holds the email
        run_flags(ws, ["pii"])  # as `pairsmith redact` and the Flags page do afterwards
        assert ws.scalar("SELECT count(*) FROM flags WHERE kind = 'pii' AND status = 'open'") == 0
        with pytest.raises(BadInput, match="redacted after the version was frozen"):
            launch.dataset_for_run(ws, version)
        fresh = int(freeze(ws, holdout=0.2)["version_id"])
        got, items, _ = launch.dataset_for_run(ws)  # the newest version, clean
        assert got == fresh and not any("jane.doe" in i["response"] for i in items)


def test_a_moved_base_model_folder_is_named_not_called_a_bad_hub_id(tmp_path, monkeypatch):
    """merge, resume and bundles find the base model through base_model_path."""
    from engine.train.run_folder import base_model_path

    monkeypatch.delenv("PAIRSMITH_BASE_MODEL", raising=False)
    gone = str(tmp_path / "models" / "mistral-7b")
    with pytest.raises(BadInput, match="mistral-7b is gone .moved or deleted.: put it back"):
        base_model_path({"base_model": gone, "base_model_resolved": gone})
    with pytest.raises(BadInput, match="is gone"):  # a bundle: the resolved path was dropped
        base_model_path({"base_model": gone})
    with pytest.raises(BadInput, match="is gone"):  # typed as a relative folder
        base_model_path({"base_model": "./mistral-7b", "base_model_resolved": gone})
    assert base_model_path({"base_model": "org/model", "base_model_resolved": "org/model"}) == "org/model"
    here = tmp_path / "moved-here"
    here.mkdir()
    (here / "config.json").write_text("{}")
    monkeypatch.setenv("PAIRSMITH_BASE_MODEL", str(here))  # the way out the message names
    assert base_model_path({"base_model": gone, "base_model_resolved": gone}) == str(here.resolve())
