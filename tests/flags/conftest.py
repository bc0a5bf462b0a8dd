"""Fixtures shared by the flag tests."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def sample_flags(tmp_path_factory) -> dict[str, list[dict]]:
    """The duplicate and conflict flags of one pass over the bundled sample ({kind: flags}),
    computed once for the duplicate and the conflict tests that measure them (the pass embeds
    and reads the claims of 1,000 tickets: about 20 s on two cores)."""
    from engine.flags.runner import list_flags, run_flags
    from engine.workspace.store import Workspace
    from flag_helpers import import_sample

    with Workspace.create(tmp_path_factory.mktemp("sample") / "ws") as ws:
        ids = import_sample(ws)
        run_flags(ws, kinds=["duplicate", "conflict"])
        out = {kind: list_flags(ws, kind=kind) for kind in ("duplicate", "conflict")}
    assert ids
    return out
