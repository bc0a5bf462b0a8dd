#!/usr/bin/env bash
# Wheels for the lent GPU machine (the device tool), which has torch, transformers, peft and
# accelerate but no trl, bitsandbytes or datasets, and no network. Run here, from the repo root;
# they land in .whl/ (git-ignored), carried by bench/cuda_check.py's device command (see its
# docstring). The versions are the ones installed here, so the GPU runs what the tests ran.
# About 57 MiB: the device tool carries 64 MiB in all, so keep the list short.
set -euo pipefail
cd "$(dirname "$0")/.."
py=${PYTHON:-python}
pins=()
for name in trl bitsandbytes datasets peft transformers dill multiprocess; do
  pins+=("$name==$("$py" -c "from importlib.metadata import version; print(version('$name'))")")
done
rm -rf .whl && mkdir -p .whl
"$py" -m pip download --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
  --platform manylinux_2_28_x86_64 --platform manylinux_2_24_x86_64 --platform manylinux_2_17_x86_64 \
  --platform manylinux2014_x86_64 -d .whl "${pins[@]}"
du -sh .whl
