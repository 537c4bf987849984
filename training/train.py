"""``iris-train``: validate the data, train, log to MLflow, register, and gate the candidate."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import numpy as np

from contract.exit_codes import ExitCode
from training import data as datasets
from training.errors import DataError, TrainingError
from training.evaluate import CvScores, TestScores
from training.field import training_rows as field_data
from training.models import MODEL_KINDS, RANDOM_FOREST, ModelConfig

if TYPE_CHECKING:
    from training import champion_comparison, gate, register
from training.schema import CANDIDATE, CHALLENGER, CHAMPION, CLASSES, MODEL_NAME

EXIT_OK = ExitCode.OK
EXIT_FAILURE = ExitCode.FAILURE
EXIT_INVALID_DATA = ExitCode.USAGE  # also what argparse uses for a bad command line: the input was wrong
EXIT_REFUSED = ExitCode.REFUSED  # trained and registered, but the gate kept the old champion


@dataclass(frozen=True)
class TrainOptions:
    """Everything one training run depends on."""

    model: ModelConfig
    data_file: Path | None = None
    field_data: Path | None = None  # an iris-dataset snapshot folder: its confirmed observations join
    test_size: float = 0.2
    cv_folds: int = 5
    cv_repeats: int = 10
    tracking_uri: str | None = None
    include_unverified: bool = False  # field rows whose device signature was not verified join too


@dataclass(frozen=True)
class TrainOutcome:
    """What a run produced: its ids, the registered version and the gate's verdict."""

    run_id: str
    version: str
    promoted: bool
    verdict: str
    test_accuracy: float
    cv_mean: float
    cv_std: float


def _max_depth(text: str) -> int | None:
    if text.strip().lower() in ("none", "0"):
        return None
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be a positive whole number, or none")
    return value


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be a positive whole number")
    return value


def _fraction(text: str) -> float:
    value = float(text)
    if not 0.05 <= value <= 0.5:
        raise argparse.ArgumentTypeError("must lie between 0.05 and 0.5")
    return value


def _add_field_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options that bring confirmed field observations into the training."""
    parser.add_argument(
        "--field-data",
        type=Path,
        metavar="DIR",
        help="an iris-dataset snapshot folder: observations whose species a botanist confirmed, and whose "
        "device signature it found verified, are added",
    )
    parser.add_argument(
        "--include-unverified",
        action="store_true",
        help="with --field-data: add confirmed observations whose integrity is altered, unsigned or "
        "unknown-key too",
    )


def build_parser() -> argparse.ArgumentParser:
    """Return the command-line parser of ``iris-train``."""
    parser = argparse.ArgumentParser(
        prog="iris-train",
        description="Train an Iris classifier, log it to MLflow, register it as "
        f"{MODEL_NAME}@{CANDIDATE}, promote it to @{CHAMPION} if it passes (@{CHALLENGER}: iris-export).",
        epilog="Exit status: 0 promoted, 1 failure, 2 invalid data or options, 3 refused by the gate.",
    )
    parser.add_argument(
        "--data",
        type=Path,
        metavar="FILE.csv",
        help="CSV with sepal_length, sepal_width, "
        "petal_length, petal_width (cm) and species; default: the Iris set bundled with "
        "scikit-learn",
    )
    _add_field_arguments(parser)
    _add_model_arguments(parser)
    evaluation = parser.add_argument_group("evaluation")
    evaluation.add_argument(
        "--test-size", type=_fraction, default=0.2, help="held-out share (default %(default)s)"
    )
    evaluation.add_argument("--cv-folds", type=_positive_int, default=5, help="(default %(default)s)")
    evaluation.add_argument("--cv-repeats", type=_positive_int, default=10, help="(default %(default)s)")
    parser.add_argument(
        "--tracking-uri",
        help="MLflow tracking URI (default: $MLFLOW_TRACKING_URI, else "
        "sqlite:///mlflow.db in the project folder)",
    )
    return parser


def _add_model_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the algorithm, the seed, and each algorithm's settings (defaults: ``ModelConfig``'s)."""
    default = ModelConfig()
    parser.add_argument(
        "--model", choices=MODEL_KINDS, default=RANDOM_FOREST, help="algorithm (default %(default)s)"
    )
    parser.add_argument(
        "--seed", type=int, default=default.seed, help="seed for split, CV and model (default %(default)s)"
    )
    forest = parser.add_argument_group("random forest")
    forest.add_argument(
        "--n-estimators", type=_positive_int, default=default.n_estimators, help="trees (default %(default)s)"
    )
    forest.add_argument(
        "--max-depth",
        type=_max_depth,
        default=default.max_depth,
        help="tree depth, or none (default %(default)s)",
    )
    forest.add_argument(
        "--min-samples-leaf",
        type=_positive_int,
        default=default.min_samples_leaf,
        help="(default %(default)s)",
    )
    logistic = parser.add_argument_group("logistic regression")
    logistic.add_argument(
        "--C",
        dest="c",
        type=float,
        default=default.c,
        help="inverse regularisation strength (default %(default)s)",
    )
    logistic.add_argument(
        "--max-iter", type=_positive_int, default=default.max_iter, help="(default %(default)s)"
    )


def options_from_args(args: argparse.Namespace) -> TrainOptions:
    """Turn parsed arguments into ``TrainOptions``."""
    config = ModelConfig(
        kind=args.model,
        seed=args.seed,
        n_estimators=args.n_estimators,
        max_depth=args.max_depth,
        min_samples_leaf=args.min_samples_leaf,
        c=args.c,
        max_iter=args.max_iter,
    )
    return TrainOptions(
        config, args.data, args.field_data, args.test_size, args.cv_folds, args.cv_repeats, args.tracking_uri,
        args.include_unverified,
    )  # fmt: skip


@dataclass(frozen=True)
class Candidate:
    """A trained candidate and the figures the gate judges it by, before anything is logged."""

    labelled: datasets.LabelledData  # every row used, exact copies included
    duplicates: int  # how many rows repeat an earlier row exactly
    parts: datasets.Split
    model: Any  # a fitted scikit-learn classifier
    cv: CvScores
    test: TestScores
    field: field_data.FieldSnapshot | None = None  # confirmed field observations, after the lab rows
    lab_rows: int = 0  # rows before the field's

    def view(self, options: TrainOptions) -> champion_comparison.CandidateView:
        """Return what the comparison with the champion needs of this candidate."""
        from training import champion_comparison

        return champion_comparison.CandidateView(
            self.labelled,
            self.parts.test,
            self.model,
            self.cv.correct,
            options.cv_folds,
            options.cv_repeats,
            options.model.seed,
            options.model,
        )


def train_candidate(options: TrainOptions, out: TextIO) -> Candidate:
    """Load the data, count exact duplicates, split, cross-validate and fit; say what was done on ``out``."""
    from training import evaluate
    from training.models import build_estimator

    # One duplicate rule for the bundled set and for files: copies are kept, and each follows its first
    # row in the split and every CV fold (training.splits), so the same flowers give the same figures.
    labelled = datasets.load_csv(options.data_file, out) if options.data_file else datasets.load_bundled()
    duplicates = datasets.count_duplicates(labelled)
    lab_rows = len(labelled)
    field = None
    if options.field_data:
        field = field_data.load(options.field_data, include_unverified=options.include_unverified)
        labelled = datasets.combine(labelled, field.data)
        integrity = f"{field.unverified} unverified left out"
        if field.include_unverified:
            integrity = "unverified included"
        print(
            f"Field data: {len(field.data)} confirmed observations of {field.observations} in {field.folder} "
            f"({field.duplicate_ids} repeated observation ids dropped; {integrity})",
            file=out,
        )
    if duplicates:
        print(
            f"Data: {duplicates} row{'s repeat' if duplicates != 1 else ' repeats'} an earlier row (same "
            "measurements and species); each copy stays with its first row in the split and every CV fold",
            file=out,
        )
    if options.cv_folds > 1 and options.cv_folds > min(int((labelled.labels == i).sum()) for i in range(3)):
        raise DataError(f"--cv-folds {options.cv_folds} is more than the rows of the rarest species")
    print(
        f"Data: {len(labelled)} rows from {labelled.source}, fingerprint {labelled.fingerprint()[:12]}",
        file=out,
    )

    parts = datasets.split(labelled, test_size=options.test_size, seed=options.model.seed)
    estimator = build_estimator(options.model)
    # Cross-validation runs on all labelled rows: its estimate then does not depend on which 30 rows the
    # split happened to hold out (see docs/training.md).
    cv = evaluate.cross_validate_accuracy(
        estimator, labelled, folds=options.cv_folds, repeats=options.cv_repeats, seed=options.model.seed
    )
    model = estimator.fit(parts.train.frame(), parts.train.labels)
    test = evaluate.score(model, parts.test)
    print(
        f"Model: {options.model.kind} {options.model.params()}\n"
        f"Held-out test accuracy {test.accuracy:.4f} ({test.correct}/{test.total}), "
        f"macro F1 {test.macro_f1:.4f}\n"
        f"Cross-validated accuracy {cv.mean:.4f} ± {cv.std:.4f} "
        f"({options.cv_repeats}x{options.cv_folds}-fold, {cv.correct}/{cv.total})",
        file=out,
    )
    return Candidate(labelled, duplicates, parts, model, cv, test, field, lab_rows)


def run(options: TrainOptions, out: TextIO | None = None) -> TrainOutcome:
    """Train, log, register and gate one candidate; raise ``TrainingError`` on a problem the user can fix."""
    from training import tracking

    out = out or sys.stdout
    candidate = train_candidate(options, out)
    cv, test = candidate.cv, candidate.test

    uri = tracking.resolve_tracking_uri(options.tracking_uri)
    experiment_id = tracking.use_store(uri)
    import mlflow

    with mlflow.start_run(experiment_id=experiment_id) as active, tempfile.TemporaryDirectory() as scratch:
        run_id = active.info.run_id
        folder = Path(scratch)
        _log_params_and_scores(options, candidate)
        _log_data_and_plots(candidate, folder)
        version = _register_candidate(candidate, run_id, out)
        champion, verdict = _gate(options, candidate, version)
    print(verdict.summary(), file=out)
    if champion is not None and not verdict.passed:
        print(f"{MODEL_NAME}@{CHAMPION} is still version {champion.version}.", file=out)
    return TrainOutcome(run_id, version, verdict.passed, verdict.summary(), test.accuracy, cv.mean, cv.std)


def _log_params_and_scores(options: TrainOptions, candidate: Candidate) -> None:
    """Log the run's parameters, its data's fingerprint tag, and the test and cross-validation scores."""
    import mlflow

    from training import register

    labelled, parts, cv, test = candidate.labelled, candidate.parts, candidate.cv, candidate.test
    mlflow.log_params(
        {
            **options.model.params(),
            "data_source": labelled.source,
            "rows": len(labelled),
            "duplicate_rows": candidate.duplicates,
            "train_rows": len(parts.train),
            "test_rows": len(parts.test),
            "test_size": options.test_size,
            "cv_folds": options.cv_folds,
            "cv_repeats": options.cv_repeats,
        }
    )
    mlflow.set_tags({register.FINGERPRINT_TAG: labelled.fingerprint(), "registered_model": MODEL_NAME})
    metrics = {
        "test_accuracy": test.accuracy,
        "test_macro_f1": test.macro_f1,
        "test_correct": test.correct,
        "test_total": test.total,
        "cv_accuracy_mean": cv.mean,
        "cv_accuracy_std": cv.std,
        "cv_correct": cv.correct,
        "cv_total": cv.total,
    }
    for cls in CLASSES:
        metrics[f"test_precision_{cls}"] = test.precision[cls]
        metrics[f"test_recall_{cls}"] = test.recall[cls]
    mlflow.log_metrics(metrics)


def _log_data_and_plots(candidate: Candidate, folder: Path) -> None:
    """Log the labelled rows with their split, the data's fingerprint, the field's lineage and the plots."""
    import mlflow

    from training import plots, register

    labelled, parts, test, model = candidate.labelled, candidate.parts, candidate.test, candidate.model
    table = labelled.to_csv_frame()
    table["origin"] = np.where(labelled.field_mask, "field", "lab")
    table[register.SPLIT_COLUMN] = "train"
    table.loc[parts.test_rows, register.SPLIT_COLUMN] = "test"
    table.to_csv(folder / "labelled_data.csv", index=False)
    mlflow.log_artifact(str(folder / "labelled_data.csv"), "data")
    fingerprint = {
        "sha256": labelled.fingerprint(),
        "source": labelled.source,
        "rows": len(labelled),
        "rows_per_class": {c: int((labelled.labels == i).sum()) for i, c in enumerate(CLASSES)},
        "test_rows": sorted(int(i) for i in parts.test_rows),
    }
    (folder / "fingerprint.json").write_text(json.dumps(fingerprint, indent=2), encoding="utf-8")
    mlflow.log_artifact(str(folder / "fingerprint.json"), "data")
    if candidate.field is not None:
        field_data.log_lineage(candidate.field, parts, candidate.lab_rows)
    plots.confusion_matrix_png(
        test.confusion, folder / "confusion_matrix.png", f"Held-out test ({test.correct}/{test.total})"
    )
    mlflow.log_artifact(str(folder / "confusion_matrix.png"), "plots")
    if hasattr(model, "feature_importances_"):
        plots.feature_importance_png(model.feature_importances_, folder / "feature_importance.png")
        mlflow.log_artifact(str(folder / "feature_importance.png"), "plots")


def _register_candidate(candidate: Candidate, run_id: str, out: TextIO) -> str:
    """Log and register the model as @candidate; return its version."""
    from training import register

    model_uri = register.log_model(candidate.model, candidate.parts.train.frame().head(5))
    version = register.register(model_uri, run_id)
    # Registered as the candidate only: the field's shadow @challenger moves when the lab says so.
    register.set_alias(CANDIDATE, version)
    print(f"Registered {MODEL_NAME} version {version} as @{CANDIDATE} (run {run_id})", file=out)
    return version


def _gate(
    options: TrainOptions, candidate: Candidate, version: str
) -> tuple[register.VersionRef | None, gate.Verdict]:
    """Judge ``version`` against the gate and the champion; promote it if it passes. Return both."""
    import mlflow

    from training import champion_comparison, gate, register
    from training.release import vetting

    cv, test = candidate.cv, candidate.test
    champion = register.find_version(alias=CHAMPION)
    comparison = None
    if champion is not None:
        comparison = champion_comparison.compare(champion, candidate.view(options))
    verdict = gate.decide(gate.GateInput(cv.correct, cv.total, test.correct, test.total, comparison))
    mlflow.log_metric("gate_passed", 1.0 if verdict.passed else 0.0)
    if comparison is not None:
        mlflow.log_metrics(
            {"champion_compared_correct": comparison.champion_correct, "compared_total": comparison.total}
        )
        mlflow.set_tag("gate_comparison", comparison.method.value)
    mlflow.log_text(verdict.summary() + "\n", "gate/verdict.txt")
    tags = vetting.gate_tags(verdict.passed, verdict.reasons)
    mlflow.set_tag(vetting.GATE_TAG, tags[vetting.GATE_TAG])
    register.tag_version(version, tags)
    if verdict.passed:
        register.set_alias(CHAMPION, version)
    return champion, verdict


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``iris-train``; return the exit status."""
    args = build_parser().parse_args(argv)
    try:
        outcome = run(options_from_args(args))
    except DataError as exc:
        print(f"iris-train: invalid data: {exc}", file=sys.stderr)
        return EXIT_INVALID_DATA
    except TrainingError as exc:
        print(f"iris-train: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except Exception as exc:
        # The tracking store's own errors (unreachable server, locked or foreign database) are the
        # environment's fault, not a bug: say so in one sentence. Anything else is a bug: keep its traceback.
        if not type(exc).__module__.startswith("mlflow"):
            raise
        reason = str(getattr(exc, "message", exc)).strip().splitlines()[0]
        print(f"iris-train: the MLflow tracking store failed: {reason}", file=sys.stderr)
        return EXIT_FAILURE
    return EXIT_OK if outcome.promoted else EXIT_REFUSED


if __name__ == "__main__":
    sys.exit(main())
