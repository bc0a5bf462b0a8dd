"""bench/cuda_check.py is the one prepared script a lent GPU machine runs; this keeps it working
between GPU sessions by running it on the CPU (its GPU-only checks skip, its sizes shrink)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_in_own_group(argv: list[str], timeout: float) -> subprocess.CompletedProcess:
    """Run `argv` in its own process group; past `timeout`, the script and every training run it
    started are killed (a plain timeout kills the script and leaves its runs working)."""
    proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        pytest.fail(f"bench/cuda_check.py --cpu ran past {timeout} s:\n{out[-3000:]}\n{err[-3000:]}")
    return subprocess.CompletedProcess(argv, proc.returncode, out, err)


@pytest.mark.timeout(1600)  # the whole script on the CPU: about 2 minutes alone, 5 beside the rest of the suite
def test_cuda_check_script_runs_on_the_cpu(tmp_path):
    proc = run_in_own_group([sys.executable, str(ROOT / "bench" / "cuda_check.py"), "--cpu", "--out", str(tmp_path)],
                            timeout=1500)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    summary = json.loads((tmp_path / "cuda_check.json").read_text())
    outcome = {r["check"]: r["ok"] for r in summary["results"]}
    assert outcome == {"environment": True, "bnb_kernels": None, "qlora_t4": True, "kill_and_resume": True,
                       "real_oom": None, "merge": True, "small_model": True, "bench": True}
    qlora = next(r for r in summary["results"] if r["check"] == "qlora_t4")
    assert qlora["linear_4bit_layers"] > 0 and qlora["loss_last5"] < qlora["loss_first5"]
    assert summary["failed"] == []


def test_an_unknown_check_name_is_refused_before_anything_runs():
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "cuda_check.py"), "--cpu", "--only", "qlora,merge"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "--only takes names from: environment" in proc.stderr
    assert "PASS" not in proc.stdout
