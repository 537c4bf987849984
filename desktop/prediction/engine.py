"""Offline species prediction: a verified ONNX model run by a single-threaded ONNX Runtime session."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from operator import le
from pathlib import Path
from threading import Lock
from typing import NamedTuple

import numpy as np
import onnxruntime as ort

from contract.registry import ONNX_FILENAME
from desktop.errors import InputError, ModelError, ModelProblem
from desktop.prediction.measurement_rules import allowed, check_given, check_range
from desktop.prediction.model_card import CARD_FILENAME, ModelCard
from desktop.prediction.unusual import UnusualCheck, UnusualScorer
from desktop.resources import bundled_model_path

# Below this top probability the app says "uncertain" instead of naming a species with confidence.
UNCERTAIN_BELOW = 0.6
# Measurements of this type need no parsing or conversion.
_PLAIN_NUMBERS = frozenset({float})


class Prediction(NamedTuple):
    """The model's answer for one flower.

    Immutable like the frozen dataclasses between the other layers, but a named tuple: one is built on
    every prediction, and a frozen dataclass costs twice as much to build (docs/performance.md).
    """

    species: str
    probabilities: dict[str, float]
    confidence: float
    unusual: tuple[str, ...]
    values: tuple[float, ...]
    outlier: UnusualCheck | None = None  # None when the model's card carries no joint check

    @property
    def uncertain(self) -> bool:
        """Tell whether the top probability is too low to trust the species."""
        return self.confidence < UNCERTAIN_BELOW

    @property
    def unlike_training(self) -> bool:
        """Tell whether the flower is unlike any the model was trained on (its percentage means little)."""
        return self.outlier is not None and self.outlier.flag


@dataclass(frozen=True)
class BatchPrediction:
    """The model's answers for many flowers, kept as arrays so large batches stay cheap."""

    classes: tuple[str, ...]
    feature_names: tuple[str, ...]
    inputs: np.ndarray  # (n, features) float64, as given
    probability_matrix: np.ndarray  # (n, classes) float32
    unusual_mask: np.ndarray  # (n, features) bool
    outlier_scores: np.ndarray | None = None  # (n,) distance to the nearest class, when the card has a check
    outlier_threshold: float = float("inf")

    def __len__(self) -> int:
        return int(self.probability_matrix.shape[0])

    @property
    def labels(self) -> list[str]:
        """Return the predicted species of every row."""
        best = self.probability_matrix.argmax(axis=1)
        return [self.classes[i] for i in best]

    def __getitem__(self, index: int) -> Prediction:
        probs = self.probability_matrix[index].tolist()
        best = max(range(len(probs)), key=probs.__getitem__)
        mask = self.unusual_mask[index]
        return Prediction(
            species=self.classes[best],
            probabilities=dict(zip(self.classes, probs, strict=True)),
            confidence=probs[best],
            unusual=tuple(n for n, m in zip(self.feature_names, mask, strict=True) if m),
            values=tuple(self.inputs[index].tolist()),
            outlier=self._outlier(index),
        )

    def _outlier(self, index: int) -> UnusualCheck | None:
        if self.outlier_scores is None:
            return None
        score = float(self.outlier_scores[index])
        return UnusualCheck(score > self.outlier_threshold, score, self.outlier_threshold)

    def __iter__(self) -> Iterator[Prediction]:
        for i in range(len(self)):
            yield self[i]


class _OneRowBinding:
    """One flower through the session without per-call allocations: the input and output stay bound.

    ``session.run`` builds a feed dict, looks up names and allocates the output on every call; bound once
    (ONNX Runtime's I/O binding), a prediction only writes four floats and reads three back, which is
    what keeps one prediction near a bare run. A lock keeps the shared buffers to one caller at a time.
    """

    def __init__(
        self, session: ort.InferenceSession, input_name: str, output_name: str, width: int, classes: int
    ):
        """Bind a (1, width) float32 input and a (1, classes) float32 output of ``session`` once."""
        self._session = session
        self._row = np.zeros((1, width), dtype=np.float32)
        self._out = ort.OrtValue.ortvalue_from_shape_and_type([1, classes], np.float32)
        self._binding = session.io_binding()
        self._binding.bind_cpu_input(input_name, self._row)
        self._binding.bind_ortvalue_output(output_name, self._out)
        self._options = ort.RunOptions()
        self._lock = Lock()

    def run(self, checked: Sequence[float]) -> list[float]:
        """Return the class probabilities of one flower (measurements in card order)."""
        with self._lock:
            self._row[0] = checked
            self._session.run_with_iobinding(self._binding, self._options)
            return self._out.numpy()[0].tolist()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _resolve(path: Path | str | None) -> tuple[Path, Path]:
    """Return (onnx file, card file) for a model file, a model folder, or the bundled model."""
    model = bundled_model_path() if path is None else Path(path)
    if model.is_dir():
        card = model / CARD_FILENAME
        model = model / ONNX_FILENAME
        if card.exists():
            return model, card
    return model, model.with_name(CARD_FILENAME)


class Classifier:
    """Predicts Iris species with an ONNX model whose card has been checked against the file."""

    def __init__(self, card: ModelCard, session: ort.InferenceSession, model_path: Path):
        """Wrap an already verified session; use ``Classifier.load`` to get one."""
        self.card = card
        self.model_path = model_path
        self._session = session
        self._input = card.input_name
        self._outputs = [card.output_name]
        self._classes = card.classes
        self._features = card.features
        self._names = card.feature_names
        # The one set of rules (desktop/prediction/measurement_rules.py): the card's range, its lowest
        # step included.
        self._lo = [allowed(f).low for f in card.features]
        self._hi = [allowed(f).high for f in card.features]
        self._bounds_finite = all(math.isfinite(b) for b in (*self._lo, *self._hi))
        self._seen_lo = [f.stats.min for f in card.features]
        self._seen_hi = [f.stats.max for f in card.features]
        self._joint_check = UnusualScorer.from_block(card.novelty) if card.novelty is not None else None
        self._one = _OneRowBinding(
            session, self._input, self._outputs[0], len(card.features), len(self._classes)
        )

    @classmethod
    def load(cls, path: Path | str | None = None) -> Classifier:
        """Load and verify a model (the bundled one by default); raise ``ModelError`` if unusable."""
        model_path, card_path = _resolve(path)
        card = ModelCard.load(card_path)
        try:
            data = model_path.read_bytes()
        except FileNotFoundError as exc:
            raise ModelError(
                f"model file {model_path} does not exist", ModelProblem.MODEL_MISSING, path=model_path
            ) from exc
        except OSError as exc:
            raise ModelError(
                f"model file {model_path} cannot be read: {exc.strerror}",
                ModelProblem.MODEL_UNREADABLE,
                path=model_path,
                detail=exc.strerror,
            ) from exc
        digest = _sha256(data)
        if digest != card.sha256:
            raise ModelError(
                f"model file {model_path} does not match its card "
                f"(sha256 {digest[:12]}…, card says {card.sha256[:12]}…)",
                ModelProblem.MODEL_CHANGED,
                path=model_path,
            )
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        try:
            # The session is built from the verified bytes, never by re-reading the file.
            session = ort.InferenceSession(data, options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own untyped errors for a bad file
            raise ModelError(
                f"model file {model_path} is not a usable ONNX model: {exc}",
                ModelProblem.MODEL_NOT_ONNX,
                path=model_path,
            ) from exc
        _check_signature(session, card, model_path)
        return cls(card, session, model_path)

    def _check_value(self, i: int, value: object) -> float:
        """Return one measurement by the one set of rules (text: range and precision; a number: range)."""
        return check_given(self._features[i], value)

    def _checked_row(self, values: Sequence[float]) -> tuple[float, ...]:
        """Return one flower's measurements as floats, or raise ``InputError`` naming the first bad one."""
        if _PLAIN_NUMBERS.issuperset(map(type, values)):
            # Floats within finite plausible bounds need no words (NaN and ±inf fail the comparisons);
            # map with operator functions keeps this check in C: it runs on every prediction.
            checked = tuple(values)
            if self._bounds_finite and all(map(le, self._lo, checked)) and all(map(le, checked, self._hi)):
                return checked
        return tuple(self._check_value(i, v) for i, v in enumerate(values))

    def _unusual(self, checked: tuple[float, ...]) -> tuple[str, ...]:
        """Return the names of the measurements outside the range seen in training."""
        if all(map(le, self._seen_lo, checked)) and all(map(le, checked, self._seen_hi)):
            return ()
        return tuple(
            name
            for name, v, lo, hi in zip(self._names, checked, self._seen_lo, self._seen_hi, strict=True)
            if v < lo or v > hi
        )

    def predict(self, values: Sequence[float]) -> Prediction:
        """Predict the species of one flower from its measurements in card order (cm)."""
        if len(values) != len(self._names):
            raise InputError(
                f"expected {len(self._names)} measurements ({', '.join(self._names)}), got {len(values)}"
            )
        checked = self._checked_row(values)
        probs = self._one.run(checked)
        confidence = max(probs)
        return Prediction(
            self._classes[probs.index(confidence)],
            dict(zip(self._classes, probs, strict=True)),
            confidence,
            self._unusual(checked),
            checked,
            self._joint_check.check(checked) if self._joint_check is not None else None,
        )

    def implausible(self, matrix: np.ndarray) -> list[tuple[int, str]]:
        """Return (row index, why) for each row of ``matrix`` (card order, cm) ``predict`` would refuse."""
        bad = ~np.isfinite(matrix) | (matrix < self._lo) | (matrix > self._hi)
        found: list[tuple[int, str]] = []
        for row in np.flatnonzero(bad.any(axis=1)):
            col = int(np.flatnonzero(bad[row])[0])
            try:
                check_range(self._features[col], float(matrix[row, col]))
            except InputError as exc:
                found.append((int(row), str(exc)))
        return found

    def predict_many(self, rows: Sequence[Sequence[float]] | np.ndarray) -> BatchPrediction:
        """Predict many flowers at once; a bad row raises ``InputError`` naming its row number."""
        try:
            matrix = np.asarray(rows, dtype=np.float64)
        except (TypeError, ValueError):
            raise InputError("every row must hold numbers only") from None
        n_features = len(self._names)
        if matrix.ndim != 2 or matrix.shape[1] != n_features:
            raise InputError(f"expected rows of {n_features} measurements ({', '.join(self._names)})")
        bad = ~np.isfinite(matrix) | (matrix < self._lo) | (matrix > self._hi)
        if bad.any():
            row, col = (int(i) for i in np.argwhere(bad)[0])
            try:
                check_range(self._features[col], float(matrix[row, col]))
            except InputError as exc:
                raise InputError(f"row {row + 1}: {exc}") from None
        probs = self._session.run(self._outputs, {self._input: matrix.astype(np.float32)})[0]
        unusual = (matrix < self._seen_lo) | (matrix > self._seen_hi)
        if self._joint_check is None:
            return BatchPrediction(self._classes, self._names, matrix, probs, unusual)
        scores = self._joint_check.scores(matrix)
        return BatchPrediction(
            self._classes, self._names, matrix, probs, unusual, scores, self._joint_check.threshold
        )


def _check_signature(session: ort.InferenceSession, card: ModelCard, model_path: Path) -> None:
    """Raise ``ModelError`` unless the session's inputs and outputs fit what the card promises."""
    inputs = {i.name: i for i in session.get_inputs()}
    outputs = {o.name: o for o in session.get_outputs()}
    if card.input_name not in inputs:
        raise _does_not_fit(f"model file {model_path} has no input named {card.input_name!r}", model_path)
    shape = inputs[card.input_name].shape
    if len(shape) != 2 or shape[1] != len(card.features):
        raise _does_not_fit(
            f"model file {model_path} expects input shape {shape}, "
            f"but its card lists {len(card.features)} features",
            model_path,
        )
    if card.output_name not in outputs:
        raise _does_not_fit(f"model file {model_path} has no output named {card.output_name!r}", model_path)
    out_shape = outputs[card.output_name].shape
    if len(out_shape) != 2 or out_shape[1] != len(card.classes):
        raise _does_not_fit(
            f"model file {model_path} gives {out_shape[-1] if out_shape else '?'} class "
            f"probabilities, but its card lists {len(card.classes)} classes",
            model_path,
        )


def _does_not_fit(message: str, model_path: Path) -> ModelError:
    return ModelError(message, ModelProblem.MODEL_DOES_NOT_FIT, path=model_path)
