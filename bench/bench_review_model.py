"""How fast the Review table is on a big workspace.

Builds a workspace of N pairs with one SQL `INSERT ... SELECT FROM range(N)` (seconds), then
times, through the same engine worker and table model the app uses:

  * the baseline: `engine.review.pairs.count_pairs` and `list_pairs(limit=200, offset=...)` (OFFSET
    paging, what a naive table would do),
  * the model: the filter (ordered matching ids), the first page, a random deep page, a search
    filter, a status filter and "flagged only", each from the call to the row being painted.

Figures are printed as milliseconds and as ratios to the baseline measured in the same run (no
thresholds: the machine may be busy).

    python bench/bench_review_model.py            # 200,000 pairs (~1 minute)
    python bench/bench_review_model.py --pairs 1000000
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def build(root: Path, n: int) -> float:
    from engine.workspace.store import Workspace

    t = time.perf_counter()
    ws = Workspace.create(root)
    with ws.transaction():
        ws.execute(
            f"""INSERT INTO tickets (id, source_id, line, external_id, subject, question, answer, content_hash)
                SELECT i + 1, 1, i + 2, 'T-' || (100000 + i), 'Subject ' || (i % 977),
                       'Hello, my VPN says error ' || (i % 313) || ' since this morning, item ' || i || '. Thanks',
                       'Please reset the VPN profile for item ' || i || ' in the portal. Regards', md5(i::VARCHAR)
                FROM range({n}) r(i)"""
        )
        ws.execute(
            f"""INSERT INTO pairs (id, ticket_id, instruction, response, status, origin, created_at)
                SELECT i + 1, i + 1, 'My VPN says error ' || (i % 313) || ' for item ' || i || '. What do I do?',
                       'Reset the VPN profile for item ' || i || ' in the portal, then reconnect.',
                       CASE WHEN i % 5 = 0 THEN 'approved' WHEN i % 11 = 0 THEN 'rejected' ELSE 'new' END,
                       'import', now()
                FROM range({n}) r(i)"""
        )
        ws.execute(
            f"""INSERT INTO flags (kind, severity, pair_ids, explanation)
                SELECT 'tone', 'low', [(i * 37) % {n} + 1], 'curt' FROM range({max(1, n // 100)}) r(i)"""
        )
    ws.close()
    return time.perf_counter() - t


def timed(fn, reps: int = 3) -> float:
    """Best of `reps`, in ms."""
    best = float("inf")
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=200_000)
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    n = args.pairs

    from PySide6.QtWidgets import QApplication

    from desktop.context import AppContext
    from engine.review.pairs import PairFilter
    from desktop.models.pairs_model import LOADING, PairsTableModel
    from desktop.settings import Settings
    from engine.review import pairs as engine_pairs

    app = QApplication.instance() or QApplication([])
    tmp = Path(tempfile.mkdtemp(prefix="pairsmith-bench-"))
    print(f"building a workspace of {n:,} pairs ...", flush=True)
    print(f"  built in {build(tmp / 'ws', n):.1f} s")

    ctx = AppContext(Settings(tmp / "settings.ini"), show_dialogs=False)
    ctx.open_workspace(str(tmp / "ws"))
    assert ctx.worker.wait_idle(120)
    run = ctx.worker.run_sync
    rng = random.Random(7)
    deep = [rng.randrange(n - 200) for _ in range(args.reps)]

    # --- baseline: the engine's own count and OFFSET paging, straight on the worker thread
    base_count = timed(lambda: run(engine_pairs.count_pairs), args.reps)
    base_first = timed(lambda: run(engine_pairs.list_pairs, limit=200, offset=0), args.reps)
    offsets = iter(deep * 2)
    base_deep = timed(lambda: run(engine_pairs.list_pairs, limit=200, offset=next(offsets)), args.reps)
    base_search = timed(lambda: run(engine_pairs.count_pairs, search="error 42 "), args.reps)

    # --- the model, end to end (submit -> worker -> signal -> row painted)
    model = PairsTableModel(ctx.worker, page_size=200)

    def wait(cond, timeout=120.0):
        deadline = time.perf_counter() + timeout
        while not cond():
            app.processEvents()
            if time.perf_counter() > deadline:
                raise TimeoutError("the model did not answer")
            time.sleep(0.0005)

    def run_filter(f: PairFilter) -> None:
        done = []
        model.set_filter(f, on_done=done.append)
        wait(lambda: done)

    def show_row(row: int) -> None:
        index = model.index(row, 1)
        if model.data(index) == LOADING:
            wait(lambda: model.is_cached(row))
        assert model.data(index) != LOADING

    m_filter = timed(lambda: run_filter(PairFilter()), args.reps)
    rows = model.rowCount()
    m_first = timed(lambda: (model._pages.clear(), show_row(0)), args.reps)
    rows_iter = iter(deep * 2)
    m_deep = timed(lambda: (model._pages.clear(), show_row(next(rows_iter))), args.reps)
    m_search = timed(lambda: (run_filter(PairFilter(search="error 42 ")), show_row(0)), args.reps)
    found = model.rowCount()
    m_status = timed(lambda: (run_filter(PairFilter(status="approved")), show_row(0)), args.reps)
    m_flagged = timed(lambda: (run_filter(PairFilter(flags="any")), show_row(0)), args.reps)

    # scrolling: 50 random jumps, each until the row is painted (what dragging the scrollbar does)
    run_filter(PairFilter())
    jumps = [rng.randrange(n) for _ in range(50)]
    times = []
    for r in jumps:
        t = time.perf_counter()
        show_row(r)
        times.append((time.perf_counter() - t) * 1000)

    print(f"\n{n:,} pairs (model rows: {rows:,}; search matched {found:,}); best of {args.reps}, ms")
    print(f"{'':44s}{'ms':>9s}{'x baseline':>12s}")
    rows_out = [
        ("baseline count_pairs", base_count, base_count),
        ("baseline list_pairs first page", base_first, base_first),
        ("baseline list_pairs OFFSET deep page", base_deep, base_deep),
        ("baseline count_pairs search", base_search, base_search),
        ("model: filter (all ids) vs count_pairs", m_filter, base_count),
        ("model: first page painted vs list_pairs", m_first, base_first),
        ("model: random deep page vs OFFSET page", m_deep, base_deep),
        ("model: search filter + first row vs count", m_search, base_search),
        ("model: status filter + first row", m_status, base_count),
        ("model: flagged only + first row", m_flagged, base_count),
    ]
    for label, ms, base in rows_out:
        print(f"{label:44s}{ms:9.1f}{ms / base:12.2f}")
    print(f"{'scroll jump to a random row (median)':44s}{statistics.median(times):9.1f}"
          f"{statistics.median(times) / base_deep:12.2f}")
    print(f"{'scroll jump to a random row (max)':44s}{max(times):9.1f}{max(times) / base_deep:12.2f}")
    print(f"pages fetched: {model.fetch_count}, pages kept: {len(model._pages)}")
    ctx.worker.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
