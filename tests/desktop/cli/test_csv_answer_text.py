"""The answer lines of ``predict --csv``, formatted a chunk at a time, read as one line per flower would."""

import numpy as np

from desktop.cli.csv_answer_text import NO_PERCENTAGE, answer_lines, header_line, notes_of
from desktop.prediction.engine import UNCERTAIN_BELOW, BatchPrediction

CLASSES = ("setosa", "versicolor", "virginica")
NAMES = ("sepal_length", "sepal_width", "petal_length", "petal_width")


def one_by_one(lines, predicted: BatchPrediction) -> str:
    """Write each line on its own: the rule the chunked formatting must keep."""
    width = max(len(c) for c in CLASSES)
    out = []
    for i, line in enumerate(lines):
        probs = predicted.probability_matrix[i].tolist()
        top = max(probs)
        species = CLASSES[probs.index(top)]
        unusual = [n for n, m in zip(NAMES, predicted.unusual_mask[i], strict=True) if m]
        outlier = bool(predicted.outlier_scores[i] > predicted.outlier_threshold)
        values = "  ".join(f"{v:>12g}" for v in predicted.inputs[i].tolist())
        notes = notes_of(outlier, top < UNCERTAIN_BELOW, unusual)
        percent = NO_PERCENTAGE if outlier else f"{top * 100:5.1f} %"  # none for a flower unlike training
        out.append(f"{line:>5}  {values}  {species:<{width}}  {percent:>10}  {notes}\n")
    return "".join(out)


def test_each_line_reads_as_if_formatted_on_its_own() -> None:
    rng = np.random.default_rng(7)
    n = 500
    probabilities = rng.dirichlet([0.5, 0.5, 0.5], size=n).astype(np.float32)
    probabilities[0] = [np.float32(0.6), np.float32(0.3), np.float32(0.1)]  # on the uncertain border
    probabilities[1] = [np.nextafter(np.float32(0.6), np.float32(0)), 0.3, 0.1]  # just below it
    inputs = np.round(rng.uniform(0.05, 12, size=(n, 4)), rng.integers(0, 5))
    inputs[2] = [1e-05, 123456789.0, 5.1054, 0.30000000000000004]
    predicted = BatchPrediction(
        CLASSES, NAMES, inputs, probabilities, rng.random((n, 4)) < 0.2, rng.random(n) * 2, 1.0
    )
    lines = list(range(2, 2 + n - 1)) + [1_000_001]
    assert answer_lines(lines, predicted) == one_by_one(lines, predicted)


def test_the_header_lines_up_with_the_answers() -> None:
    predicted = BatchPrediction(
        CLASSES, NAMES, np.array([[5.1, 3.5, 1.4, 0.2]]), np.array([[0.9, 0.05, 0.05]], np.float32),
        np.zeros((1, 4), bool), np.array([0.1]), 1.0,
    )  # fmt: skip
    header, answer = header_line(NAMES, CLASSES), answer_lines([2], predicted)
    assert header.index("species") == answer.index("setosa")
    assert (
        answer == "    2           5.1           3.5           1.4           0.2  setosa          90.0 %  \n"
    )
    assert notes_of(True, True, ["petal_width"]) == (
        "unlike any flower the model was trained on; uncertain; unusual petal_width"
    )
