"""Training: a frozen dataset version -> a LoRA/QLoRA adapter, in a subprocess that speaks JSON lines.

The run folder (`WS/runs/<run_id>/`, the contract other parts read):
    spec.json           run_id, base_model (as given) and base_model_resolved, preset, overrides,
                        config (every setting, resolved), dataset {version_id, train, heldout,
                        train_count, heldout_count}, created_at, adjustments (e.g. OOM fallbacks)
    dataset/train.jsonl, dataset/heldout.jsonl    {"pair_id", "instruction", "response"} per line
    events.jsonl        every event (engine/train/events.py), appended, also printed on stdout
    status.json         state (prepared/running/done/error/cancelled; read_status() says
                        "stopped" for a dead process), pid, step, total, checkpoint
    checkpoints/checkpoint-N/    HF Trainer checkpoints (resume from the last one)
    adapter/            peft adapter + tokenizer, when done
    train.log           the subprocess's stderr (library logs, tracebacks)
    merged/             `pairsmith merge` output (base in 16 bits + adapter)

The training process (`python -m engine.train RUN_DIR [--resume]`, trainer.py) never opens the
workspace database; the parent records the run in the `runs` table when it ends.

API for the desktop Train page (Qt, through ops.py: one call per action) and the CLI:
    launch.start_run(ws, base_model, preset=None, overrides=None, version_id=None)
        -> (run_id, argv, run_dir). Prepares only (freezes a version when the workspace has none,
        writes the run folder, inserts a 'prepared' row). Spawn argv with env
        engine.workspace.security.child_env(ws) and cwd launch.PROJECT_ROOT; overrides:
        ["key=value", ...] or {key: value}.
    launch.resume_argv(run_dir) -> argv that continues from the last checkpoint
    launch.eval_argv(run_dir, ...) / launch.parse_eval_line(line): the evaluation subprocess
    launch.run_process(argv, log_path, on_event, env=, parse=, cancel=) -> exit code: the one
        runner of the training and evaluation subprocesses (the CLI; the desktop uses QProcess)
    launch.cancel(run_dir) -> bool: SIGTERM to the pid in status.json: the run saves a checkpoint
        at the end of its current step and ends with a `cancelled` event (resume later)
    launch.record_run(ws, run_dir) -> row: store the outcome in `runs` (call when the process ends)
    launch.list_runs(ws) -> [row + step/total/run_dir], newest first
    launch.read_status(run_dir) -> dict
    launch.train(ws, base_model, preset, overrides, version_id, resume_run=, on_event=)
        -> (run_id, exit_code, row): all of the above in one blocking call (the CLI uses it)
    events.parse_line(line) -> dict | None; events.describe(event) -> one human line;
    events.validate_event(obj) -> [problems]; events.SCHEMA; events.read_events(run_dir)
    presets.PRESETS / DESCRIPTIONS / KEYS / default_preset(); spec.parse_overrides(["k=v"])
    run_folder.base_model_path(spec) / adapter_dir(run_dir) / find_adapter(run_dir): what every
        process that loads a run's model uses to find it
    merge.merge_run(run_dir, out=None, dtype=None) -> folder
    bundle.bundle_run(ws, run_id, out) / bundle.import_run(ws, folder) -> run_id
    models.resolve_base_model(name_or_path, cache_dir) / build_tiny_model(folder)  (builtin:tiny)
    gguf_base.resolve_gguf_base(name, cache_dir): PATH.gguf, ollama:NAME[:TAG], builtin:smollm2 ->
        a safetensors folder converted once into CACHE/gguf/<sha256>; list_ollama_models()

Speed: `batching=auto` packs pairs padding-free (TRL packing "bfd") when flash-attention is
installed on a CUDA GPU, where attention keeps packed pairs apart; otherwise (CPU, sdpa) batches
are grouped by length, which cuts padding without concatenating anything. bench/bench_train.py
measures it against padded batches (CPU, tiny model: ~1.5x real tokens/s, same peak memory).

Test aids (environment, read by the subprocess): PAIRSMITH_TEST_STEP_DELAY (seconds per step),
PAIRSMITH_WARNINGS_AS_ERRORS (a warning message regex made an error), PAIRSMITH_TEST_GPU_MEM_GB
(caps the CUDA allocator, for a real out-of-memory on a large GPU: bench/cuda_check.py), and the
setting `inject_oom_at_step`. PAIRSMITH_BASE_MODEL overrides the base model (bundles on another box);
PAIRSMITH_CACHE is where builtin:tiny is built and GGUF models are converted (default
~/.cache/pairsmith); OLLAMA_MODELS is the Ollama models folder (default ~/.ollama/models).
"""
