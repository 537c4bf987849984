"""``iris-monitor``: how the champion does in the field, whether the field drifted, and whether to retrain."""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TextIO

from contract.exit_codes import ExitCode
from training import command_failures, register, tracking
from training.data import LabelledData
from training.errors import TrainingError
from training.field import runs as field_runs
from training.field import schema as fs
from training.field import table as field_table
from training.monitor import challenger_test, drift, drift_where
from training.monitor import figures as field_figures
from training.monitor import report as monitor_report
from training.monitor import verdict as monitor_verdict
from training.schema import CHAMPION, FEATURE_NAMES, MODEL_NAME

EXIT_HEALTHY = ExitCode.OK
EXIT_FAILURE = ExitCode.FAILURE
EXIT_RETRAIN = ExitCode.ALERT  # the lab has something to do: retrain, check a laptop's measurements, promote
DEFAULT_DAYS = 30  # by default the monitor looks at the last 30 days: last week's shift must not drown


@dataclass(frozen=True)
class MonitorOutcome:
    """The verdict, where the report went, and the run that holds it."""

    verdict: monitor_verdict.MonitorVerdict
    report: Path
    run_id: str
    summary: dict


def head(verdict: monitor_verdict.MonitorVerdict) -> str:
    """Return the verdict's headline."""
    if verdict.retrain:
        return "Retraining recommended"
    return "Action recommended" if verdict.needs_action else "Healthy"


def _date(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError("expected a date such as 2026-06-01 (or an ISO-8601 time)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def build_parser() -> argparse.ArgumentParser:
    """Return the command-line parser of ``iris-monitor``."""
    parser = argparse.ArgumentParser(
        prog="iris-monitor",
        description="Compare the field observations with the champion's training data (drift), measure field "
        "accuracy on the observations botanists confirmed, and say whether to retrain. Writes report.html, "
        f"PNG figures and summary.json, and logs them as a run in experiment {fs.MONITORING_EXPERIMENT!r}.",
        epilog="Exit status: 0 healthy, 4 retraining recommended (the reason is printed), 1 failure, "
        "2 invalid options.",
    )
    parser.add_argument(
        "--tracking-uri", help="the lab's MLflow server (default: $MLFLOW_TRACKING_URI, else the local store)"
    )
    parser.add_argument(
        "--experiment",
        default=fs.FIELD_EXPERIMENT,
        metavar="NAME",
        help="the laptops' experiment (%(default)s)",
    )
    window = parser.add_mutually_exclusive_group()
    window.add_argument(
        "--since",
        type=_date,
        metavar="DATE",
        help=f"only observations made on or after DATE (default: the last {DEFAULT_DAYS} days)",
    )
    window.add_argument("--all", action="store_true", help="every observation, however old")
    parser.add_argument(
        "--out", type=Path, default=Path("field-report"), metavar="DIR", help="report folder (%(default)s)"
    )
    return parser


def _field_table(client, experiment: str, since: datetime | None):
    found = client.get_experiment_by_name(experiment)
    if found is None:
        raise TrainingError(f"the server has no experiment {experiment!r}: no laptop synced to it yet")
    table = field_table.merge(None, field_runs.fetch(client, found.experiment_id))
    if since is not None:
        when = since.astimezone(UTC).isoformat(timespec="seconds")
        table = table[table[fs.OBSERVED_AT] >= when].reset_index(drop=True)
    table = table.dropna(subset=list(FEATURE_NAMES))
    if table.empty:
        after = f" made since {since:%Y-%m-%d}" if since else ""
        raise TrainingError(f"experiment {experiment!r} holds no field observations{after} to judge")
    return table


def _outliers(table, training_rows) -> monitor_verdict.UnusualRate | None:
    """Return the joint check's flags in the field against the share it flags among the training rows."""
    from training.unusual import fit_unusual_check

    marks = table[fs.OUTLIER].astype(str).str.lower()
    checked = int(marks.isin(["true", "false"]).sum())
    if not checked:
        return None
    block = fit_unusual_check(training_rows)
    share = max(block.training_flagged, 1) / (block.training_rows + 1)  # never 0: one flag is not proof
    return monitor_verdict.UnusualRate(int((marks == "true").sum()), checked, share)


def _metrics(figures, drifted, everywhere, verdict) -> dict[str, float]:
    """Return the monitoring run's metrics, which the MLflow UI charts over time."""
    metrics = {
        "observations": figures.observations,
        "confirmed_count": figures.confirmed,
        "drift_share": drifted.share,
        "unusual_rate": figures.unusual_rate,
        "uncertain_rate": figures.uncertain_rate,
        "retraining_recommended": float(verdict.retrain),
        "action_recommended": float(verdict.needs_action),
        "drifted_slices": float(len({(d.where, d.name) for d in everywhere if d.drifted})),
        **{f"psi_{f.name}": f.psi for f in drifted.features},
        **{f"drift_p_value_{f.name}": f.p_value for f in drifted.features},
    }
    if figures.field_accuracy is not None:
        metrics["field_accuracy"] = figures.field_accuracy
    if figures.outlier_rate is not None:
        metrics["outlier_rate"] = figures.outlier_rate
    if figures.challenger is not None:
        metrics["champion_accuracy_shadowed"] = figures.challenger.champion_correct / figures.challenger.rows
        metrics["challenger_accuracy_shadowed"] = (
            figures.challenger.challenger_correct / figures.challenger.rows
        )
    return metrics


def monitor(
    *, tracking_uri: str | None, experiment: str, since: datetime | None, out: Path
) -> MonitorOutcome:
    """Build, write and log the report; raise ``TrainingError`` on a problem the user can fix."""
    import mlflow
    from mlflow import MlflowClient

    tracking.limit_http_retries()
    uri = tracking.resolve_tracking_uri(tracking_uri)
    monitoring_experiment = tracking.use_experiment(uri, fs.MONITORING_EXPERIMENT, fs.LAB_EXPERIMENT_TAGS)
    champion, training_rows = _champion_and_its_training_rows()
    table = _field_table(MlflowClient(uri), experiment, since)
    field_values = table[list(FEATURE_NAMES)].to_numpy(dtype=float)
    drifted = drift.compare(training_rows.features, field_values)
    everywhere = drift_where.scan(training_rows.features, table)
    figures = field_figures.figures(table)
    challengers = challenger_test.compare(table)
    verdict = monitor_verdict.decide(figures, everywhere, _outliers(table, training_rows), challengers)
    context = {
        "champion_version": champion.version,
        "source_experiment": experiment,
        "since": since.isoformat() if since else "",
        "made_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    summary = monitor_report.write(
        out,
        table=table,
        reference=training_rows.features,
        field_values=field_values,
        field=figures,
        drift=drifted,
        verdict=verdict,
        context=context,
        everywhere=everywhere,
        challengers=challengers,
    )
    metrics = _metrics(figures, drifted, everywhere, verdict)
    name = f"{head(verdict).lower()}: {figures.observations} observations"
    with mlflow.start_run(experiment_id=monitoring_experiment, run_name=name) as run:
        mlflow.log_metrics(metrics)
        mlflow.log_params(
            {
                "champion_version": champion.version,
                "source_experiment": experiment,
                "since": context["since"] or "all",
                "tests": len(everywhere),
            }
        )
        mlflow.set_tags(
            {
                "verdict": verdict.actions[0][0].value,
                "todo": verdict.todo[:5000],
                "reason": verdict.reason[:5000],
                fs.RUN_DESCRIPTION_TAG: f"**{head(verdict)}**: {verdict.todo} Why: {verdict.reason}",
            }
        )
        mlflow.log_artifacts(str(out), "report")
    return MonitorOutcome(verdict, out / monitor_report.REPORT_FILE, run.info.run_id, summary)


def _champion_and_its_training_rows() -> tuple[register.VersionRef, LabelledData]:
    """Return the champion and the rows it was trained on; refuse when the registry has no champion."""
    champion = register.find_version(alias=CHAMPION)
    if champion is None:
        raise TrainingError(
            f"the registry has no {MODEL_NAME}@{CHAMPION} to compare with; run iris-train first"
        )
    with tempfile.TemporaryDirectory() as scratch:
        _, training_rows = register.logged_data(champion.run_id, Path(scratch))
    return champion, training_rows


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run ``iris-monitor``; return the exit status."""
    args = build_parser().parse_args(argv)
    out = out or sys.stdout
    since = None if args.all else args.since or datetime.now(UTC) - timedelta(days=DEFAULT_DAYS)
    try:
        outcome = monitor(
            tracking_uri=args.tracking_uri, experiment=args.experiment, since=since, out=args.out
        )
    except Exception as exc:
        said = command_failures.sentence(exc, writing=args.out)
        if said is None:
            raise
        print(f"iris-monitor: {said}", file=sys.stderr)
        return EXIT_FAILURE
    print(f"{head(outcome.verdict)}: {outcome.verdict.todo}", file=out)
    print(f"Why: {outcome.verdict.reason}", file=out)
    print(
        f"Report: {outcome.report} (logged as run {outcome.run_id} in {fs.MONITORING_EXPERIMENT!r})", file=out
    )
    return EXIT_RETRAIN if outcome.verdict.needs_action else EXIT_HEALTHY


if __name__ == "__main__":
    sys.exit(main())
