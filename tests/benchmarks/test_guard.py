"""The prediction guard of .ci/run: measures both paths in one process and judges only by their ratio."""

import pytest

from benchmarks import guard


def test_the_guard_passes_at_the_limit_and_fails_above_it() -> None:
    assert guard.verdict(30.0, 10.0)[0]
    ok, line = guard.verdict(30.1, 10.0)
    assert not ok
    assert "30.10 µs" in line and "10.00 µs" in line and "3.01×" in line and "ABOVE" in line


def test_the_guard_measures_the_engine_and_a_bare_session_and_prints_both(
    capsys: pytest.CaptureFixture[str],
) -> None:
    engine_us, bare_us = guard.measure(calls=200, rounds=2)
    assert engine_us > 0 and bare_us > 0
    code = guard.main(["--calls", "200", "--rounds", "2", "--limit", "1e9"])
    out = capsys.readouterr().out
    assert code == 0
    assert "Classifier.predict p50" in out and "bare session.run p50" in out
    assert "within the 1e+09× limit" in out
