"""The training entry point under torchrun: two CPU processes (gloo DDP), the tiny model."""

import json
import socket
import subprocess
import sys

import pytest

from engine.train import launch
from engine.train.events import parse_line, validate_event
from engine.workspace.security import child_env
from train_helpers import environ, pairs

pytestmark = pytest.mark.slow


def test_two_process_ddp_on_cpu(tmp_path):
    run_dir = tmp_path / "run"
    items = [dict(p, pair_id=i) for i, p in enumerate(pairs(24))]
    with environ(PAIRSMITH_CACHE=str(tmp_path / "cache"), HF_HUB_OFFLINE="1"):
        launch.prepare_run_dir(run_dir, run_id="ddp", base_model="builtin:tiny", preset="cpu-smoke",
                               overrides=["max_steps=4", "save_steps=2", "eval_steps=0", "per_device_train_batch_size=2"],
                               version_id=None, items=items)
        env = dict(child_env(), OMP_NUM_THREADS="1")
        for _attempt in range(2):  # the free port can be taken by another process in between: retry once
            with socket.socket() as sock:  # torchrun's --master_port 0 hangs the workers: pick a free port
                sock.bind(("127.0.0.1", 0))
                port = sock.getsockname()[1]
            argv = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2",
                    "--master_port", str(port), "-m", "engine.train", str(run_dir)]
            proc = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300,
                                  cwd=launch.PROJECT_ROOT)
            if proc.returncode == 0 or "in use" not in proc.stderr.lower():
                break
    assert proc.returncode == 0, proc.stderr[-3000:]
    events = [parse_line(x) for x in proc.stdout.splitlines() if parse_line(x)]
    assert events and all(validate_event(e) == [] for e in events)
    started = [e for e in events if e["event"] == "started"]
    assert len(started) == 1 and started[0]["world_size"] == 2, proc.stdout  # only rank 0 speaks
    done = events[-1]
    assert done["event"] == "done" and done["step"] == 4, (events[-1], proc.stderr[-2000:])
    # two processes x batch 2 = 4 of the 20 training pairs per step: step 4 is 0.8 epochs
    assert [e for e in events if e["event"] == "step"][-1]["epoch"] == pytest.approx(0.8)
    assert json.loads((run_dir / "status.json").read_text())["state"] == "done"
    assert (run_dir / "adapter" / "adapter_model.safetensors").is_file()
    assert (run_dir / "checkpoints" / "checkpoint-4").is_dir()
