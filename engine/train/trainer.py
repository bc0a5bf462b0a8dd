"""The training process: `python -m engine.train RUN_DIR [--resume]`.

A chain of small named steps (read spec -> preflight -> load model -> LoRA -> trainer -> train ->
save adapter -> final eval), each reporting through events (engine/train/events.py). It never
opens the workspace database: everything it needs is in the run folder, and the parent records
the result.

Exit codes: 0 done or cancelled on request (see status.json), 1 error, 3 the run cannot fit
(preflight).

Multi-GPU: the same entry point runs under `torchrun --nproc_per_node N -m engine.train RUN_DIR`
(or `accelerate launch --multi_gpu`); each process loads the (4-bit) model on its own device
(`device_map={"": local_rank}`), the HF Trainer wraps it in DDP, and only rank 0 writes events,
status and the adapter.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
import os
import signal
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from engine.workspace.errors import BadInput, PairsmithError
from engine.train import guards
from engine.train.data import build_dataset, prepare_tokenizer, read_jsonl
from engine.train.events import EventWriter, read_events
from engine.train.spec import ADAPTER, CHECKPOINTS, load_spec, write_spec, write_status

EXIT_OK, EXIT_ERROR, EXIT_NO_FIT = 0, 1, 3


def _complete(checkpoint: Path) -> bool:
    """The Trainer writes trainer_state.json last: a checkpoint without a readable one (killed or
    out of disk while saving) is half-written and must not be resumed from."""
    try:
        json.loads((checkpoint / "trainer_state.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    weights = ("adapter_model.safetensors", "model.safetensors", "adapter_model.bin", "pytorch_model.bin")
    return any((checkpoint / w).is_file() and (checkpoint / w).stat().st_size > 0 for w in weights)


def last_checkpoint(run_dir: Path) -> str | None:
    """The newest complete checkpoint folder (half-written ones are skipped)."""
    folder = Path(run_dir) / CHECKPOINTS
    if not folder.is_dir():
        return None
    found = []
    for child in folder.iterdir():
        m = re.fullmatch(r"checkpoint-(\d+)", child.name)
        if m and child.is_dir():
            found.append((int(m.group(1)), child))
    for _, child in sorted(found, reverse=True):
        if _complete(child):
            return str(child)
    return None


class _Cancel:
    """SIGINT/SIGTERM -> save a checkpoint at the end of the current step and stop.
    A second signal stops at once."""

    def __init__(self):
        self.requested = False

    def install(self) -> None:
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, self._handle)

    def _handle(self, signum, frame):  # noqa: ARG002
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True


def _dist_any(flag: bool, device: str) -> bool:
    """True when any process has the flag (processes must stop at the same step under DDP)."""
    import torch
    import torch.distributed as dist

    if not (dist.is_available() and dist.is_initialized()):
        return flag
    t = torch.tensor([1 if flag else 0], device=device)
    dist.all_reduce(t, op=dist.ReduceOp.MAX)
    return bool(t.item())


def _resolve_device(config: dict[str, Any]) -> str:
    import torch

    want = config["device"]
    if want == "cuda" and not torch.cuda.is_available():
        raise BadInput("This run asks for a CUDA GPU (device=cuda) but none is available.")
    if want == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return want


def _compute_dtype(config: dict[str, Any], device: str):
    import torch

    name = config["compute_dtype"]
    if name == "auto":
        if device == "cuda":
            from engine.train.models import native_bf16

            name = "bfloat16" if native_bf16() else "float16"
        else:
            name = "float32"
    return getattr(torch, name)


def _flash_attn_available() -> bool:
    try:
        import flash_attn  # noqa: F401
    except Exception:  # noqa: BLE001
        return False
    return True


def choose_batching(config: dict[str, Any], device: str) -> tuple[str, str | None]:
    """(batching, attn_implementation). Packing (padding-free) only where flash-attention keeps
    packed sequences apart; otherwise batches grouped by length (less padding, always safe)."""
    batching, attn = config["batching"], config["attn_implementation"]
    flash_ok = device == "cuda" and _flash_attn_available()
    if batching == "auto":
        batching = "packed" if flash_ok and attn in ("auto", "flash_attention_2") else "grouped"
    if batching == "packed":
        if not flash_ok:
            raise BadInput("batching=packed needs a CUDA GPU with flash-attention installed; use batching=grouped.")
        attn = "flash_attention_2"
    return batching, (None if attn == "auto" else attn)


def _precision(model, config: dict[str, Any], dtype, batching: str) -> dict[str, Any]:
    """What was actually loaded (the `started` event reports it): compute dtype, how many linear
    layers hold 4-bit weights (bitsandbytes Linear4bit), attention implementation, batching."""
    four_bit = sum(1 for m in model.modules() if type(m).__name__ == "Linear4bit")
    quant = None
    if config["load_in_4bit"]:
        quant = config["bnb_4bit_quant_type"] + (" + double quantisation" if config["bnb_4bit_use_double_quant"] else "")
    return {
        "compute_dtype": str(dtype).removeprefix("torch."),
        "quantization": quant,
        "linear_4bit_layers": four_bit,
        "attn_implementation": getattr(model.config, "_attn_implementation", None),
        "batching": batching,
    }


class Run:
    """One training process for one run folder."""

    def __init__(self, run_dir: str | os.PathLike, resume: bool = False, stream=None):
        self.run_dir = Path(run_dir).resolve()
        self.resume = resume
        self.spec = load_spec(self.run_dir)
        self.config = dict(self.spec["config"])
        self.rank = int(os.environ.get("RANK", "0"))
        self.local_rank = int(os.environ.get("LOCAL_RANK", "0"))
        self.world_size = int(os.environ.get("WORLD_SIZE", "1"))
        self.is_main = self.rank == 0
        self.events = EventWriter(self.run_dir, self.spec["run_id"], enabled=self.is_main, stream=stream)
        self.last_eval: tuple[int, float | None] | None = None
        self.cancel = _Cancel()
        self.device = "cpu"
        self.started_sent = False
        self.losses: list[float] = []
        self.warned: set[str] = set()
        self.total_steps = 0

    # --- small helpers --------------------------------------------------------------------
    def status(self, **fields: Any) -> None:
        if self.is_main:
            write_status(self.run_dir, **fields)

    def warn(self, code: str, message: str, what_to_do: str, **details: Any) -> None:
        if code in self.warned:
            return
        self.warned.add(code)
        self.events.emit("warning", code=code, message=message, what_to_do=what_to_do, details=details)

    def _previous_events(self) -> None:
        """A resumed run keeps its loss history and does not repeat warnings."""
        for event in read_events(self.run_dir):
            if event["event"] == "step":
                self.losses.append(float(event["loss"]))
            elif event["event"] == "warning" and event.get("code", "").startswith("loss_"):
                self.warned.add(event["code"])

    # --- steps ----------------------------------------------------------------------------
    def setup(self) -> None:
        import warnings

        import torch

        strict = os.environ.get("PAIRSMITH_WARNINGS_AS_ERRORS")  # tests: e.g. "autograd kernel was not registered"
        if strict:
            warnings.filterwarnings("error", message=f".*{strict}")

        if self.config["threads"]:
            torch.set_num_threads(int(self.config["threads"]))
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        self.device = _resolve_device(self.config)
        cap = os.environ.get("PAIRSMITH_TEST_GPU_MEM_GB")  # tests: a real CUDA out-of-memory on a big GPU
        if cap and self.device == "cuda":
            total = torch.cuda.get_device_properties(self.local_rank).total_memory
            torch.cuda.set_per_process_memory_fraction(min(1.0, float(cap) * 1024**3 / total), self.local_rank)
        self.status(state="running", pid=os.getpid(), pgid=os.getpgid(0), step=None, total=None,
                    started_at=_dt.datetime.now().replace(microsecond=0).isoformat(), resumed=self.resume)
        if self.resume:
            self._previous_events()

    def base_path(self) -> str:
        from engine.train.run_folder import base_model_path

        return base_model_path(self.spec)  # PAIRSMITH_BASE_MODEL overrides (bundles on another box)

    def preflight(self, base: str) -> bool:
        from transformers import AutoConfig

        from engine.train.preflight import preflight

        from engine.workspace.security import spec_tokenizer_kwargs

        model_config = AutoConfig.from_pretrained(base, **spec_tokenizer_kwargs(self.spec, base))
        result = preflight(model_config, self.config, self.run_dir, device=self.device,
                           preset=self.spec.get("preset"), gpu_index=self.local_rank if self.device == "cuda" else 0)
        result.pop("params", None)
        result.pop("disk_needed_gb", None)
        self.events.emit("preflight", **result)
        return bool(result["ok"])

    def load_model(self, base: str):
        from peft import LoraConfig, get_peft_model, prepare_model_for_kbit_training
        from transformers import AutoModelForCausalLM, AutoTokenizer

        cfg = self.config
        dtype = _compute_dtype(cfg, self.device)
        self.batching, attn = choose_batching(cfg, self.device)
        kwargs: dict[str, Any] = {"dtype": dtype}
        if attn:
            kwargs["attn_implementation"] = attn
        if cfg["load_in_4bit"]:
            from transformers import BitsAndBytesConfig

            kwargs["quantization_config"] = BitsAndBytesConfig(
                load_in_4bit=True,
                bnb_4bit_quant_type=cfg["bnb_4bit_quant_type"],
                bnb_4bit_use_double_quant=cfg["bnb_4bit_use_double_quant"],
                bnb_4bit_compute_dtype=dtype,
            )
            if self.device == "cuda":
                kwargs["device_map"] = {"": self.local_rank}
        from engine.workspace.security import spec_model_kwargs, spec_tokenizer_kwargs

        tokenizer = AutoTokenizer.from_pretrained(base, **spec_tokenizer_kwargs(self.spec, base))
        for code, note in prepare_tokenizer(tokenizer):
            self.warn(code, f"Note: {note}.", "Nothing to do.")
        model = AutoModelForCausalLM.from_pretrained(base, **kwargs, **spec_model_kwargs(self.spec, base))
        if cfg["load_in_4bit"]:
            model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=cfg["gradient_checkpointing"])
        present = {name.rsplit(".", 1)[-1] for name, _ in model.named_modules()}
        targets = [t for t in cfg["target_modules"] if t in present]
        if not targets:
            raise BadInput(f"None of the LoRA target modules ({', '.join(cfg['target_modules'])}) exist in this "
                           "model; set target_modules to its projection names.")
        n_layers = int(getattr(model.config, "num_hidden_layers", 0) or 0)
        top = int(cfg.get("lora_layers") or 0)
        # adapters on the top layers only: the frozen layers below need no backward pass at all
        layers = list(range(n_layers - top, n_layers)) if 0 < top < n_layers else None
        lora = LoraConfig(r=cfg["lora_r"], lora_alpha=cfg["lora_alpha"], lora_dropout=cfg["lora_dropout"],
                          target_modules=targets, task_type="CAUSAL_LM", bias="none", layers_to_transform=layers)
        self.precision = _precision(model, cfg, dtype, self.batching)
        model = get_peft_model(model, lora)
        self.dtype = dtype
        self.torch_device = f"cuda:{self.local_rank}" if self.device == "cuda" else "cpu"
        return model, tokenizer

    def sft_args(self, has_eval: bool):
        import torch
        from trl import SFTConfig

        cfg = self.config
        on_cpu = self.device == "cpu"
        bf16 = (not on_cpu) and self.dtype == torch.bfloat16
        fp16 = (not on_cpu) and self.dtype == torch.float16
        # evaluating a 4-bit model on the CPU and then training on corrupts the LoRA gradients
        # (bitsandbytes gemv_4bit has no autograd kernel): evaluate only once training is over.
        eval_during = has_eval and cfg["eval_steps"] > 0 and not (on_cpu and cfg["load_in_4bit"])
        extra: dict[str, Any] = {}
        if self.batching == "packed":
            extra.update(packing=True, packing_strategy="bfd", padding_free=True)
        elif self.batching == "grouped":
            extra.update(train_sampling_strategy="group_by_length")
        return SFTConfig(
            output_dir=str(self.run_dir / CHECKPOINTS),
            num_train_epochs=cfg["num_train_epochs"],
            max_steps=cfg["max_steps"],
            per_device_train_batch_size=cfg["per_device_train_batch_size"],
            per_device_eval_batch_size=cfg["per_device_train_batch_size"],
            gradient_accumulation_steps=cfg["gradient_accumulation_steps"],
            learning_rate=cfg["learning_rate"],
            warmup_steps=cfg["warmup_ratio"],
            lr_scheduler_type=cfg["lr_scheduler_type"],
            weight_decay=cfg["weight_decay"],
            max_grad_norm=cfg["max_grad_norm"],
            optim=cfg["optim"],
            logging_steps=cfg["logging_steps"],
            save_strategy="steps",
            save_steps=cfg["save_steps"],
            save_total_limit=cfg["save_total_limit"],
            eval_strategy="steps" if eval_during else "no",
            eval_steps=cfg["eval_steps"] if eval_during else None,
            bf16=bf16,
            fp16=fp16,
            use_cpu=on_cpu,
            gradient_checkpointing=cfg["gradient_checkpointing"],
            gradient_checkpointing_kwargs={"use_reentrant": False} if cfg["gradient_checkpointing"] else None,
            max_length=cfg["max_length"],
            completion_only_loss=True,
            seed=cfg["seed"],
            report_to="none",
            disable_tqdm=True,
            include_num_input_tokens_seen="non_padding",
            dataloader_num_workers=0,
            ddp_find_unused_parameters=False,
            **extra,
        )

    def build_trainer(self, base: str, train_ds, eval_ds):
        import torch
        from trl import SFTTrainer

        model, tokenizer = self.load_model(base)
        args = self.sft_args(eval_ds is not None)
        callbacks = [_Events(self)]
        if self.config["inject_oom_at_step"]:
            from engine.train.oom import InjectOOM

            callbacks.append(InjectOOM(self.run_dir, self.config["inject_oom_at_step"]))
        trainer = SFTTrainer(model=model, args=args, train_dataset=train_ds, eval_dataset=eval_ds,
                             processing_class=tokenizer, callbacks=callbacks)
        if self.dtype != torch.bfloat16:
            # TRL keeps QLoRA adapters in bf16; with fp16/fp32 compute keep fp32 master weights instead
            for param in trainer.model.parameters():
                if param.requires_grad and param.dtype != torch.float32:
                    param.data = param.data.float()
        trainable, total = trainer.model.get_nb_trainable_parameters()
        self.param_counts = (int(trainable), int(total))
        return trainer, tokenizer

    def train(self) -> int:
        from engine.train.oom import free_memory, is_oom, next_config

        self.setup()
        self.cancel.install()
        base = self.base_path()
        if self.is_main and not self.preflight(base):
            self.events.emit("error", kind="does_not_fit", message="The run cannot fit on this machine.",
                             what_to_do="See the check above: pick the preset it names or a smaller model.")
            self.status(state="error", error="does_not_fit")
            return EXIT_NO_FIT
        ds = self.spec["dataset"]
        train_pairs = read_jsonl(self.run_dir / ds["train"])
        heldout_pairs = read_jsonl(self.run_dir / ds["heldout"])
        if not train_pairs:
            raise BadInput("The dataset version has no training pairs; approve some pairs and freeze a version.")
        train_ds, eval_ds = build_dataset(train_pairs), build_dataset(heldout_pairs)

        resume_from = last_checkpoint(self.run_dir) if self.resume else None
        if self.resume and resume_from is None:
            self.warn("no_checkpoint", "No checkpoint was saved before the run stopped; starting from the beginning.",
                      "Nothing to do.")
        self.resumed_from = resume_from
        retries = 0
        while True:
            if self.cancel.requested:
                return self.finish_cancelled(None)
            trainer, tokenizer = self.build_trainer(base, train_ds, eval_ds)
            try:
                output = trainer.train(resume_from_checkpoint=resume_from)
                break
            except Exception as exc:  # noqa: BLE001 - only out-of-memory is retried
                if not is_oom(exc):
                    raise
                step = trainer.state.global_step
                retries += 1
                nxt = next_config(self.config) if retries <= self.config["max_oom_retries"] else None
                if nxt is None:
                    raise
            # freed here, outside the except block: until it ends, the exception's traceback keeps
            # the failed step's frames (and the activations they hold) alive on the GPU
            del trainer
            free_memory()
            self.config, what = nxt
            self.spec["config"] = self.config
            self.spec["adjustments"].append({"at_step": step, "reason": "out_of_memory", "change": what})
            if self.is_main:
                write_spec(self.run_dir, self.spec)
            resume_from = last_checkpoint(self.run_dir)
            where = f"checkpoint {Path(resume_from).name}" if resume_from else "the beginning"
            self.events.emit(
                "warning", code="out_of_memory_retry",
                message=f"The GPU ran out of memory at step {step}; retrying from {where} with {what}.",
                what_to_do="Nothing to do: the run continues. To avoid the retry next time, use these settings "
                           "or a smaller preset.",
                details={"step": step, "retry": retries},
            )
        state = trainer.state
        if self.cancel.requested and state.global_step < state.max_steps:
            return self.finish_cancelled(trainer)
        return self.finish_done(trainer, tokenizer, output, eval_ds)

    def finish_cancelled(self, trainer) -> int:
        ckpt = last_checkpoint(self.run_dir)
        step = trainer.state.global_step if trainer is not None else 0
        total = trainer.state.max_steps if trainer is not None else 0
        self.events.emit("cancelled", step=step, total=total, checkpoint=ckpt)
        self.status(state="cancelled", step=step, total=total, checkpoint=ckpt)
        return EXIT_OK

    def finish_done(self, trainer, tokenizer, output, eval_ds) -> int:
        adapter = self.run_dir / ADAPTER
        trainer.save_model(str(adapter))
        if self.is_main:
            tokenizer.save_pretrained(str(adapter))
        metrics: dict[str, Any] = {
            "train_loss": output.training_loss if output is not None else None,
            "first_loss": self.losses[0] if self.losses else None,
            "last_loss": self.losses[-1] if self.losses else None,
            "trainable_params": self.param_counts[0],
            "total_params": self.param_counts[1],
            "tokens_seen": int(trainer.state.num_input_tokens_seen or 0),
            "adjustments": self.spec.get("adjustments", []),
            "peak_rss_gb": round(_peak_rss_gb(), 3),
        }
        import torch

        if torch.cuda.is_available():
            metrics["peak_gpu_mem_gb"] = round(torch.cuda.max_memory_allocated() / 1024**3, 3)
        if self.last_eval is not None and self.last_eval[0] == trainer.state.global_step:
            metrics["eval_loss"] = self.last_eval[1]  # just evaluated at this step
        elif eval_ds is not None:
            result = trainer.evaluate()
            metrics["eval_loss"] = result.get("eval_loss")
        state = trainer.state
        self.events.emit("done", adapter_path=str(adapter), metrics=metrics, step=state.global_step,
                         total=state.max_steps)
        self.status(state="done", step=state.global_step, total=state.max_steps, adapter=str(adapter))
        return EXIT_OK


from transformers import TrainerCallback  # noqa: E402


class _Events(TrainerCallback):
    """Trainer hooks -> events, status.json, the loss guards and cancel."""

    def __init__(self, run: Run):
        self.run = run
        self.t0 = None
        self.step0 = 0
        self.last_time = None
        self.last_tokens = 0
        # testing aid: slow each step down so a test can stop the run in the middle
        self.delay = float(os.environ.get("PAIRSMITH_TEST_STEP_DELAY") or 0)

    def on_train_begin(self, args, state, control, **kwargs):
        run = self.run
        run.total_steps = state.max_steps
        self.t0 = self.last_time = time.monotonic()
        self.step0 = state.global_step
        self.last_tokens = state.num_input_tokens_seen or 0
        if not run.started_sent:
            run.started_sent = True
            trainable, total = run.param_counts
            run.events.emit("started", config=run.config, trainable_params=trainable, total_params=total,
                            device=run.device if run.device == "cpu" else f"cuda ({run.world_size} GPU)",
                            total_steps=state.max_steps, resumed_from=run.resumed_from, world_size=run.world_size,
                            precision=run.precision)
        run.status(step=state.global_step, total=state.max_steps)
        return control

    def on_step_end(self, args, state, control, **kwargs):
        if self.delay:
            time.sleep(self.delay)
        if _dist_any(self.run.cancel.requested, self.run.torch_device):
            self.run.cancel.requested = True
            control.should_save = True
            control.should_training_stop = True
        return control

    def on_log(self, args, state, control, logs=None, **kwargs):
        import torch

        run = self.run
        logs = logs or {}
        if "loss" not in logs:
            return control
        now = time.monotonic()
        tokens = state.num_input_tokens_seen or 0
        dt = max(now - (self.last_time or now), 1e-9)
        tps = (tokens - self.last_tokens) / dt if tokens > self.last_tokens else None
        self.last_time, self.last_tokens = now, tokens
        done_here = state.global_step - self.step0
        eta = (now - self.t0) / done_here * (state.max_steps - state.global_step) if done_here > 0 else None
        mem = torch.cuda.max_memory_allocated() / 1024**3 if torch.cuda.is_available() else None
        loss = float(logs["loss"])
        run.losses.append(loss)
        grad = logs.get("grad_norm")
        run.events.emit("step", step=state.global_step, total=state.max_steps, loss=loss,
                        lr=float(logs.get("learning_rate", 0.0)),
                        grad_norm=float(grad) if grad is not None else None,
                        tokens_per_s=round(tps, 1) if tps else None,
                        eta_s=round(eta, 1) if eta is not None else None,
                        gpu_mem_gb=round(mem, 3) if mem is not None else None,
                        epoch=float(logs.get("epoch", state.epoch or 0.0)))
        run.status(step=state.global_step, total=state.max_steps)
        self._guards(state, float(logs.get("learning_rate", 0.0)))
        return control

    def _guards(self, state, lr: float) -> None:
        run = self.run
        at = guards.check_step(run.config["loss_check_step"], state.max_steps)
        if state.global_step < at:
            return
        lr_now = run.config["learning_rate"]
        if "loss_not_falling" not in run.warned and state.global_step >= at:
            if guards.loss_not_falling(run.losses):
                run.warn("loss_not_falling",
                         f"The training loss has not gone down by step {state.global_step}.",
                         guards.advice(lr_now), step=state.global_step, link="flags:conflict")
            else:
                run.warned.add("loss_not_falling")  # checked once, at the check step
        if guards.loss_oscillating(run.losses):
            run.warn("loss_oscillating", "The training loss is swinging up and down instead of settling.",
                     guards.advice(lr_now), step=state.global_step, link="flags:conflict")

    def on_evaluate(self, args, state, control, metrics=None, **kwargs):
        metrics = metrics or {}
        loss = metrics.get("eval_loss")
        self.run.last_eval = (state.global_step, float(loss) if loss is not None else None)
        self.run.events.emit("eval", step=state.global_step, eval_loss=float(loss) if loss is not None else None,
                             metrics={k: v for k, v in metrics.items() if isinstance(v, (int, float))})
        return control

    def on_save(self, args, state, control, **kwargs):
        path = Path(args.output_dir) / f"checkpoint-{state.global_step}"
        self.run.events.emit("checkpoint", step=state.global_step, path=str(path))
        self.run.status(step=state.global_step, total=state.max_steps, checkpoint=str(path))
        return control


def _peak_rss_gb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2  # KiB on Linux


_DISK_FULL_ERRNOS = {28, 27, 122}  # ENOSPC, EFBIG, EDQUOT
# torch's zip writer reports a short write as "unexpected pos N vs M" (inline_container.cc)
_DISK_FULL_TEXT = ("no space left", "file too large", "disk quota", "file write failed", "unexpected pos")


def _is_disk_full(exc: BaseException) -> bool:
    """Out of disk (or over a file-size/quota limit) anywhere in the exception chain; torch and
    safetensors wrap the OSError in their own errors."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, OSError) and exc.errno in _DISK_FULL_ERRNOS:
            return True
        if any(t in str(exc).lower() for t in _DISK_FULL_TEXT):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _error_kind(exc: BaseException) -> tuple[str, str, str]:
    from engine.train.oom import is_oom

    if _is_disk_full(exc):
        return ("disk_full", "The disk is full: a checkpoint could not be written. The checkpoints saved "
                "before it are intact.",
                "Free some disk space, then continue with `pairsmith train WS --resume RUN` "
                "(it resumes from the last complete checkpoint).")

    if is_oom(exc):
        return ("out_of_memory", "The GPU ran out of memory even with the smaller settings.",
                "Use a smaller base model, or the qlora-t4 preset with --set max_length=256.")
    if isinstance(exc, PairsmithError):
        return ("bad_input", str(exc), "Fix the setting above and start the run again.")
    if isinstance(exc, OSError) and ("offline" in str(exc).lower() or "hub" in str(exc).lower()
                                     or "does not appear to have" in str(exc)):
        return ("model_not_found", f"The base model could not be loaded: {str(exc).splitlines()[0]}",
                "Point --base-model at a downloaded model folder, or let this workspace download models: "
                "`pairsmith settings WS offline false` (or use builtin:tiny).")
    return ("internal", f"Training stopped on an unexpected error: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}",
            "The details are in train.log in the run folder; resume with --resume once fixed.")


def main(run_dir: str, resume: bool = False, stream=None) -> int:
    try:
        run = Run(run_dir, resume=resume, stream=stream)
    except PairsmithError as exc:
        print(json.dumps({"event": "error", "run": Path(run_dir).name, "time": time.time(), "kind": "bad_input",
                          "message": str(exc), "what_to_do": "Prepare the run with `pairsmith train`."}), file=stream or sys.stdout, flush=True)
        return EXIT_ERROR
    try:
        return run.train()
    except KeyboardInterrupt:
        run.events.emit("cancelled", step=0, total=run.total_steps, checkpoint=last_checkpoint(run.run_dir))
        run.status(state="cancelled")
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001 - reported as an event, the traceback goes to stderr
        traceback.print_exc(file=sys.stderr)
        kind, message, what = _error_kind(exc)
        run.events.emit("error", kind=kind, message=message, what_to_do=what)
        run.status(state="error", error=kind, message=message)
        return EXIT_ERROR
    finally:
        _close_process_group()


def _close_process_group() -> None:
    """Under torchrun the Trainer opens a torch.distributed process group; close it before the
    interpreter exits, as PyTorch asks. Left open, gloo's threads were torn down at exit and one
    rank of a finished two-process CPU run aborted ("terminate called without an active exception")."""
    import torch.distributed as dist

    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()
