"""Embeddings: the fast encode agrees with plain SentenceTransformer.encode, vectors are cached
by (model, normalised-text hash), edits re-embed only what changed, bad input is handled."""

from __future__ import annotations

import numpy as np
import pytest

from engine.flags import embeddings as emb
from engine.workspace.errors import BadInput
from engine.workspace.store import Workspace


@pytest.fixture(scope="session")
def model():
    return emb.load_model()  # process-cached: the suite pays the load once


@pytest.fixture
def ws(tmp_path):
    w = Workspace.create(tmp_path / "ws")
    yield w
    w.close()


TEXTS = [
    "How many days of earned leave do I get per year?",
    "How do I connect to the VPN on my Mac?",
    "My laptop screen flickers after the latest Windows update, and restarting does not help at all.",
    "Can I expense a taxi home after working late?",
]


def test_model_is_cached_per_process(model):
    assert emb.load_model() is model
    assert model.dim == 384
    assert model.key.startswith(emb.DEFAULT_MODEL_NAME + "|")


def test_fast_encode_agrees_with_plain_encode(model):
    fast = model.encode(TEXTS)
    from sentence_transformers import SentenceTransformer

    plain = SentenceTransformer(model.path, device="cpu").encode(TEXTS, normalize_embeddings=True)
    assert fast.shape == (len(TEXTS), 384)
    assert np.allclose(np.linalg.norm(fast, axis=1), 1.0, atol=1e-4)
    agreement = (fast * plain).sum(1)
    assert agreement.min() >= 0.99
    # length-sorted batching must put every vector back in its own row
    assert np.argmax(fast @ plain.T, axis=1).tolist() == list(range(len(TEXTS)))


def test_normalised_text_shares_a_hash():
    assert emb.text_hash("  Reset   my\tpassword ") == emb.text_hash("Reset my password")
    assert emb.text_hash("Reset my password") != emb.text_hash("Reset my passwords")
    assert emb.normalize_text(None) == ""


def test_bad_input_gives_vectors_not_errors(model):
    vec = model.encode(["", "   ", "x" * 200_000, "Wie beantrage ich Urlaub?", "请问如何重置密码", "🙂🙂"])
    assert vec.shape == (6, 384)
    assert np.isfinite(vec).all()
    assert model.encode([]).shape == (0, 384)


def test_cache_fills_and_is_reused(ws, model, monkeypatch):
    seen = []
    v1 = emb.embed_texts(ws, TEXTS, model=model, progress=lambda d, t, m: seen.append((d, t)))
    assert seen and seen[-1][0] == seen[-1][1] == len(TEXTS)
    assert ws.scalar("SELECT count(*) FROM embeddings WHERE model = ?", [model.key]) == len(TEXTS)
    # second pass: nothing is run through the model
    calls = []
    real = model.encode
    monkeypatch.setattr(model, "encode", lambda texts, **kw: calls.append(list(texts)) or real(texts, **kw))
    v2 = emb.embed_texts(ws, TEXTS, model=model)
    assert calls == []
    assert np.allclose(v1, v2, atol=1e-6)
    # edit one text: only that one is embedded
    edited = list(TEXTS)
    edited[1] = "How do I connect to the VPN on my Windows laptop?"
    v3 = emb.embed_texts(ws, edited, model=model)
    assert calls == [[edited[1]]]
    assert np.allclose(v3[0], v1[0], atol=1e-6) and not np.allclose(v3[1], v1[1], atol=1e-3)
    # whitespace-only differences hit the cache
    calls.clear()
    emb.embed_texts(ws, ["  " + TEXTS[0].replace(" ", "  ")], model=model)
    assert calls == []


def test_cache_survives_reopen(tmp_path, model):
    w = Workspace.create(tmp_path / "w2")
    v = emb.embed_texts(w, TEXTS[:2], model=model)
    w.close()
    w = Workspace.open(tmp_path / "w2")
    try:
        got = emb._read_cached(w, model.key, [emb.text_hash(t) for t in TEXTS[:2]], model.dim)
        assert len(got) == 2
        assert np.allclose(got[emb.text_hash(TEXTS[0])], v[0], atol=1e-6)
    finally:
        w.close()


def test_duplicate_texts_embedded_once(ws, model, monkeypatch):
    calls = []
    real = model.encode
    monkeypatch.setattr(model, "encode", lambda texts, **kw: calls.append(len(texts)) or real(texts, **kw))
    out = emb.embed_texts(ws, ["same question", "same question", "other"], model=model)
    assert calls == [2]
    assert np.allclose(out[0], out[1])


def test_model_setting_names_a_local_folder(ws, tmp_path):
    ws.set_setting("embedding_model", str(tmp_path / "nowhere"))
    with pytest.raises(BadInput, match="embedding model folder"):
        emb.model_for(ws)
    ws.set_setting("embedding_model", str(emb.default_model_path()))
    assert emb.model_for(ws).dim == 384


def test_unknown_precision_is_a_clear_error():
    with pytest.raises(BadInput, match="precision"):
        emb.load_model(precision="int3")


def test_cancel_stops_embedding(ws, model):
    from engine.workspace.errors import PairsmithError

    with pytest.raises(PairsmithError, match="cancelled"):
        emb.embed_texts(ws, [f"question number {i}" for i in range(200)], model=model, cancel=lambda: True)
