"""CI guard: one prediction through the app's engine against a bare ONNX Runtime session, in one process.

``uv run python -m benchmarks.guard`` predicts the 150 Iris flowers through ``Classifier.predict`` (joint
check included) and through a bare ``session.run`` on the shipped model, in alternating blocks, prints both
medians and fails when the engine is more than ``LIMIT`` times the bare session. The goal stays
``prediction.TARGET_VS_BARE`` (2×); the margin absorbs a shared machine's noise (docs/performance.md).
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from benchmarks.prediction import TARGET_VS_BARE, bare_session
from benchmarks.timing import interleaved
from benchmarks.workspace import iris_rows
from desktop.prediction.engine import Classifier

LIMIT = 3.0


def measure(calls: int, rounds: int) -> tuple[float, float]:
    """Return the p50 (µs) of ``Classifier.predict`` and of a bare ``session.run`` on the shipped model."""
    classifier = Classifier.load()
    session = bare_session(classifier.model_path.read_bytes())
    rows = iris_rows()
    count = len(rows)
    lists = [r.tolist() for r in rows]
    arrays = [r.reshape(1, -1).astype(np.float32) for r in rows]
    feed_name, outputs = classifier.card.input_name, [classifier.card.output_name]
    paths = {
        "engine": lambda i: classifier.predict(lists[i % count]),
        "bare": lambda i: session.run(outputs, {feed_name: arrays[i % count]}),
    }
    warmup = max(1, calls // 10)
    dist = interleaved(paths, {k: calls for k in paths}, {k: warmup for k in paths}, rounds=rounds)
    return dist["engine"].median / 1e3, dist["bare"].median / 1e3


def verdict(engine_us: float, bare_us: float, limit: float = LIMIT) -> tuple[bool, str]:
    """Return whether the engine is within ``limit`` times the bare session, and the line that says so."""
    ratio = engine_us / bare_us
    ok = ratio <= limit
    line = (
        f"prediction guard: Classifier.predict p50 {engine_us:.2f} µs, "
        f"bare session.run p50 {bare_us:.2f} µs, "
        f"{ratio:.2f}× ({'within' if ok else 'ABOVE'} the {limit:g}× limit; goal {TARGET_VS_BARE:g}×)"
    )
    return ok, line


def main(argv: list[str] | None = None) -> int:
    """Measure, print both figures and the ratio; exit 1 above the limit."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.guard", description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=4_000, help="calls per path (4,000)")
    parser.add_argument("--rounds", type=int, default=4, help="alternating blocks per path (4)")
    parser.add_argument("--limit", type=float, default=LIMIT, help=f"largest engine / bare ratio ({LIMIT:g})")
    args = parser.parse_args(argv)
    ok, line = verdict(*measure(args.calls, args.rounds), limit=args.limit)
    print(line)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
