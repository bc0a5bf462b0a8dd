"""Pairsmith's engine: everything but the GUI (workspace store, import, flags, split, train,
evaluate, export and the `pairsmith` CLI). Never imports Qt."""

import logging as _logging

# bitsandbytes logs "Failed to load CPU gemm_4bit_forward from kernels-community" on every import
# on CPUs with AVX512-BF16 (it would fetch a kernel from the hub; we never want that): harmless noise.
_logging.getLogger("bitsandbytes.backends.cpu.ops").setLevel(_logging.ERROR)

import warnings as _warnings

# transformers 5 warns about its own deprecated name when peft saves or merges a model: not ours to fix
_warnings.filterwarnings("ignore", message=r".*is_gradient_checkpointing.*", category=FutureWarning)
