"""Section 1: one prediction — the app's engine vs scikit-learn vs mlflow.pyfunc vs a bare ORT session."""

from __future__ import annotations

import numpy as np
import onnxruntime as ort

from benchmarks.context import Context
from benchmarks.peers import as_frame, feature_columns, labels, sklearn_input
from benchmarks.report import Figure, Section, speedup
from benchmarks.timing import interleaved
from benchmarks.workspace import iris_rows
from desktop.prediction.engine import Classifier

TARGET_P50_US = 25.0
TARGET_VS_PYFUNC = 300.0
TARGET_VS_BARE = 2.0


def bare_session(model_bytes: bytes) -> ort.InferenceSession:
    """Build a session with exactly the options ``Classifier.load`` uses (one thread, sequential)."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3
    return ort.InferenceSession(model_bytes, options, providers=["CPUExecutionProvider"])


def run(ctx: Context) -> Section:
    """Time one-row predictions on the 150 Iris rows, cycled, for every path in alternating blocks."""
    ws = ctx.workspace()
    classifier = Classifier.load(ws.model_dir)
    session = bare_session(classifier.model_path.read_bytes())
    pyfunc = ctx.pyfunc_model()
    estimator = pyfunc.get_raw_model()
    columns = feature_columns(pyfunc, classifier.card.feature_names)

    rows = iris_rows()
    count = len(rows)
    lists = [r.tolist() for r in rows]
    arrays = [r.reshape(1, -1).astype(np.float32) for r in rows]
    frames = [as_frame(r.reshape(1, -1), columns) for r in rows]
    sk_inputs = [sklearn_input(estimator, r.reshape(1, -1), columns) for r in rows]
    in_name, out_names = classifier.card.input_name, [classifier.card.output_name]

    engine_labels = [classifier.predict(v).species for v in lists]
    pyfunc_labels = [labels(pyfunc.predict(f), classifier.card.classes)[0] for f in frames]
    agree = sum(a == b for a, b in zip(engine_labels, pyfunc_labels, strict=True))

    calls = {
        "engine": lambda i: classifier.predict(lists[i % count]),
        "bare": lambda i: session.run(out_names, {in_name: arrays[i % count]}),
        "sklearn": lambda i: estimator.predict_proba(sk_inputs[i % count]),
        "pyfunc": lambda i: pyfunc.predict(frames[i % count]),
    }
    fast, slow = ctx.count(40_000, 3_000), ctx.count(1_500, 60)
    repeats = {"engine": fast, "bare": fast, "sklearn": slow, "pyfunc": slow}
    warmup = {"engine": 2_000, "bare": 2_000, "sklearn": ctx.count(50, 5), "pyfunc": ctx.count(50, 5)}
    dist = {k: v.scaled(1e-3) for k, v in interleaved(calls, repeats, warmup, rounds=ctx.count(5, 2)).items()}

    engine = dist["engine"]
    vs_bare = engine.median / dist["bare"].median
    vs_pyfunc = speedup(dist["pyfunc"], engine)
    figures = (
        Figure.measured(
            "Classifier.predict (app engine)",
            "µs",
            engine,
            target=f"p50 ≤ {TARGET_P50_US:g} µs",
            met=engine.median <= TARGET_P50_US,
        ),
        Figure.measured(
            "bare onnxruntime session.run",
            "µs",
            dist["bare"],
            ratio=vs_bare,
            ratio_label="engine / bare",
            target=f"engine ≤ {TARGET_VS_BARE:g}× bare",
            met=vs_bare <= TARGET_VS_BARE,
        ),
        Figure.measured(
            "scikit-learn predict_proba (registered model)",
            "µs",
            dist["sklearn"],
            ratio=speedup(dist["sklearn"], engine),
            ratio_label="engine faster",
        ),
        Figure.measured(
            "mlflow.pyfunc predict (seeds' path)",
            "µs",
            dist["pyfunc"],
            ratio=vs_pyfunc,
            ratio_label="engine faster",
            target=f"engine ≥ {TARGET_VS_PYFUNC:g}× faster",
            met=vs_pyfunc >= TARGET_VS_PYFUNC,
        ),
    )
    notes = (
        f"Same {count} Iris rows cycled on every path; model: {ws.model_source}.",
        "The engine gets a Python list and validates, converts and wraps each row inside the timed call; "
        "the peers get their input (DataFrame / float32 array) ready-made: the ratios are conservative.",
        f"Engine and pyfunc agree on {agree} of {count} labels.",
        "Paths run in alternating blocks after warm-up; one perf_counter_ns pair per call; gc left on.",
    )
    return Section("prediction", "1. One prediction", figures, notes)
