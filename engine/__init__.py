"""Pairsmith's engine: everything but the GUI (workspace store, import, flags, split, train,
evaluate, export and the `pairsmith` CLI). Never imports Qt."""

import logging as _logging

# bitsandbytes logs "Failed to load CPU gemm_4bit_forward from kernels-community" on every import
# on CPUs with AVX512-BF16 (it would fetch a kernel from the hub; we never want that): harmless noise.
_logging.getLogger("bitsandbytes.backends.cpu.ops").setLevel(_logging.ERROR)
