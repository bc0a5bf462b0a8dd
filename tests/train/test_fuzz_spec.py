"""The run spec never gives a traceback: random dicts, `--set` strings and spec files give a clean
BadInput (one line, exit code 2) or a valid, typed config."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, HealthCheck, settings, strategies as st

spec = pytest.importorskip("engine.train.spec", reason="engine/train/spec.py is not written yet")
presets = pytest.importorskip("engine.train.presets")

from engine.workspace.errors import BadInput, PairsmithError  # noqa: E402

FUZZ = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
KEYS = sorted(presets.KEYS)

any_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=5), c, max_size=3),
    max_leaves=6,
)
key_st = st.sampled_from(KEYS) | st.text(max_size=20)
value_text = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["true", "False", "yes", "0", "-1", "1e309", "nan", "inf", "-inf", "1.5", "  8 ", "",
                     "q_proj,,v_proj", ",", "cuda", "cpu", "2e-4", "0x10", "1_000", "١٢", "None"]),
    st.integers().map(str), st.floats().map(repr),
)


def _check_config(config: dict) -> None:
    assert set(config) >= set(presets.KEYS)
    for key, (default, _) in presets.KEYS.items():
        value = config[key]
        if isinstance(default, bool):
            assert isinstance(value, bool), key
        elif isinstance(default, int):
            assert isinstance(value, int) and not isinstance(value, bool), key
        elif isinstance(default, float):
            assert isinstance(value, float) and math.isfinite(value), key
        elif isinstance(default, list):
            assert isinstance(value, list) and value and all(isinstance(v, str) for v in value), key
        else:
            assert isinstance(value, str), key


@FUZZ
@given(items=st.lists(st.tuples(key_st, value_text).map(lambda kv: f"{kv[0]}={kv[1]}") | st.text(max_size=30),
                      max_size=6))
def test_set_strings(items):
    try:
        overrides = spec.parse_overrides(items)
    except BadInput as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    for preset in presets.PRESETS:
        _check_config(spec.resolve_config(preset, overrides))


@FUZZ
@given(overrides=st.dictionaries(key_st, any_value, max_size=6), preset=st.sampled_from(list(presets.PRESETS)) | st.text(max_size=10))
def test_random_dicts(overrides, preset):
    try:
        config = spec.resolve_config(preset, overrides)
    except BadInput as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    _check_config(config)


@FUZZ
@given(doc=st.one_of(
    any_value,
    st.fixed_dictionaries({"run_id": st.text(max_size=5), "base_model": any_value, "config": any_value,
                           "dataset": any_value}),
    st.fixed_dictionaries({"run_id": st.just("r"), "base_model": st.just("builtin:tiny"),
                           "config": st.dictionaries(st.sampled_from(KEYS), any_value, max_size=5),
                           "dataset": st.just({})}),
), raw=st.none() | st.binary(max_size=200))
def test_spec_files(tmp_path_factory, doc, raw):
    run_dir = tmp_path_factory.mktemp("run")
    path = run_dir / spec.SPEC_FILE
    if raw is not None:
        path.write_bytes(raw)
    else:
        path.write_text(json.dumps(doc))
    try:
        loaded = spec.load_spec(run_dir)
    except BadInput as exc:
        assert str(exc)
        return
    except PairsmithError as exc:  # pragma: no cover - any other clean error is acceptable too
        assert str(exc)
        return
    _check_config(loaded["config"])


def test_cli_set_gives_one_line_and_exit_code_2(tmp_path, capsys):
    from engine.cli.main import main

    for bad in ("lora_r=many", "nosuchkey=1", "learning_rate=nan", "max_steps=0", "lora_r", "target_modules=,"):
        code = main(["train", str(tmp_path / "nowhere"), "--base-model", "builtin:tiny", "--set", bad])
        err = capsys.readouterr().err
        assert code == 2, (bad, err)
        assert err.startswith("pairsmith: ") and err.count("\n") == 1 and "Traceback" not in err, err
