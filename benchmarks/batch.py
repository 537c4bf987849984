"""Section 2: a batch of 100,000 rows — predict_many vs scikit-learn vs mlflow.pyfunc."""

from __future__ import annotations

import numpy as np

from benchmarks.context import Context
from benchmarks.peers import as_frame, feature_columns, labels, sklearn_input
from benchmarks.prediction import bare_session
from benchmarks.report import Figure, Section, speedup
from benchmarks.timing import interleaved
from desktop.prediction.engine import Classifier

ROWS = 100_000


def random_flowers(classifier: Classifier, n: int, seed: int = 0) -> np.ndarray:
    """Return n flowers drawn uniformly within the range the model saw in training."""
    lo = [f.stats.min for f in classifier.card.features]
    hi = [f.stats.max for f in classifier.card.features]
    return np.random.default_rng(seed).uniform(lo, hi, size=(n, len(lo)))


def run(ctx: Context) -> Section:
    """Time whole-batch predictions of the same 100,000 rows on each path."""
    ws = ctx.workspace()
    classifier = Classifier.load(ws.model_dir)
    pyfunc = ctx.pyfunc_model()
    estimator = pyfunc.get_raw_model()
    columns = feature_columns(pyfunc, classifier.card.feature_names)
    rows = random_flowers(classifier, ROWS)
    session = bare_session(classifier.model_path.read_bytes())
    floats = rows.astype(np.float32)
    feed, outputs = {classifier.card.input_name: floats}, [classifier.card.output_name]
    frame = as_frame(rows, columns)
    sk_input = sklearn_input(estimator, rows, columns)

    engine_labels = np.asarray(classifier.predict_many(rows).labels)
    pyfunc_labels = np.asarray(labels(pyfunc.predict(frame), classifier.card.classes))
    agree = int((engine_labels == pyfunc_labels).sum())

    calls = {
        "engine": lambda i: classifier.predict_many(rows),
        "bare": lambda i: session.run(outputs, feed),
        "sklearn": lambda i: estimator.predict_proba(sk_input),
        "pyfunc": lambda i: pyfunc.predict(frame),
    }
    repeats = {
        "engine": ctx.count(20, 3),
        "bare": ctx.count(20, 3),
        "sklearn": ctx.count(10, 2),
        "pyfunc": ctx.count(10, 2),
    }
    warmup = {"engine": 1, "bare": 1, "sklearn": 1, "pyfunc": 1}
    dist = {k: v.scaled(1e-6) for k, v in interleaved(calls, repeats, warmup, rounds=ctx.count(2, 1)).items()}
    engine = dist["engine"]
    figures = (
        Figure.measured(
            "Classifier.predict_many (app engine)",
            "ms",
            engine,
            note=f"{ROWS / engine.median * 1e3:,.0f} rows/s",
        ),
        Figure.measured(
            "bare onnxruntime session.run (same session options)",
            "ms",
            dist["bare"],
            ratio=engine.median / dist["bare"].median,
            ratio_label="engine / bare",
            note=f"{ROWS / dist['bare'].median * 1e3:,.0f} rows/s",
        ),
        Figure.measured(
            "scikit-learn predict_proba",
            "ms",
            dist["sklearn"],
            ratio=speedup(dist["sklearn"], engine),
            ratio_label="engine faster",
            note=f"{ROWS / dist['sklearn'].median * 1e3:,.0f} rows/s",
        ),
        Figure.measured(
            "mlflow.pyfunc predict",
            "ms",
            dist["pyfunc"],
            ratio=speedup(dist["pyfunc"], engine),
            ratio_label="engine faster",
            note=f"{ROWS / dist['pyfunc'].median * 1e3:,.0f} rows/s",
        ),
    )
    notes = (
        f"{ROWS:,} rows drawn uniformly within the training range (seed 0); each figure is one whole batch.",
        "predict_many validates every row and returns a BatchPrediction; the peers get a ready DataFrame.",
        f"ONNX Runtime runs on 1 thread (the app's session); "
        f"scikit-learn n_jobs={getattr(estimator, 'n_jobs', None)}.",
        f"Engine and pyfunc agree on {agree:,} of {ROWS:,} labels (rows near class borders may differ by "
        "float32 rounding).",
    )
    return Section("batch", f"2. Batch of {ROWS:,} rows", figures, notes)
