"""What the flag benches share: a workspace filled in bulk, the plain-encode baseline, the flag
pass's stages timed from its progress messages, and the peak RSS."""

from __future__ import annotations

import datetime as dt
import hashlib
import resource
import time


def write_tickets(ws, rows) -> None:
    """(external id, question, answer) rows as tickets and their pairs, in two bulk statements (a
    row at a time takes minutes at 100,000)."""
    now = dt.datetime.now().replace(microsecond=0)
    with ws.transaction():
        ws.con.executemany(
            "INSERT INTO tickets (external_id, subject, question, answer, content_hash) VALUES (?, NULL, ?, ?, ?)",
            [(e, q, a, hashlib.sha256(f"{e}\x00{q}\x00{a}".encode()).hexdigest()) for e, q, a in rows])
        ws.execute("INSERT INTO pairs (ticket_id, instruction, response, status, origin, created_at, updated_at) "
                   "SELECT id, question, answer, 'new', 'import', ?, ? FROM tickets ORDER BY id", [now, now])


def plain_encode_seconds(texts: list[str]) -> float:
    """Seconds a plain SentenceTransformer.encode of `texts` takes with the bundled model (after a
    warm-up batch): the baseline the flag pass is measured against."""
    from sentence_transformers import SentenceTransformer

    from engine.flags import embeddings as emb

    plain = SentenceTransformer(str(emb.default_model_path()), device="cpu")
    plain.encode(texts[:64], batch_size=64)  # warm-up
    t = time.perf_counter()
    plain.encode(texts, batch_size=64, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
    return time.perf_counter() - t


class Stages:
    """A `progress(done, total, message)` callback that times each stage (a run of one message)."""

    def __init__(self) -> None:
        self.times: list[tuple[str, float]] = []
        self.start()

    def start(self) -> None:
        self._t, self._msg = time.perf_counter(), ""

    def __call__(self, done: int, total: int, message: str) -> None:
        if message != self._msg:
            now = time.perf_counter()
            if self._msg:
                self.times.append((self._msg, now - self._t))
            self._t, self._msg = now, message

    def finish(self) -> None:
        if self._msg:
            self.times.append((self._msg, time.perf_counter() - self._t))
            self._msg = ""

    def slowest(self, n: int, over: float = 0.5) -> str:
        slow = sorted(((m, s) for m, s in self.times if s > over), key=lambda x: -x[1])[:n]
        return "; ".join(f"{m}: {s:.1f} s" for m, s in slow)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
