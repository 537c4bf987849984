"""`iris-field sync`: push a history to the MLflow server from the command line (lab staff, scripts)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from contract.exit_codes import ExitCode

# Only argparse at import time: desktop/cli/main.py registers this parser on every start of the command line.
if TYPE_CHECKING:
    from pathlib import Path

    from desktop.settings import Settings
    from desktop.sync.target import SyncTarget
    from desktop.sync.worker import SyncProgress, SyncReport

EXIT_OK, EXIT_UNSYNCED, EXIT_USAGE = ExitCode.OK, ExitCode.FAILURE, ExitCode.USAGE
FAILED_LISTED = 10  # failed observations listed by id; the rest are counted


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register the `sync` command."""
    parser = subparsers.add_parser(
        "sync",
        help="send saved observations to the lab's MLflow server, each exactly once",
        description=(
            "Send every saved observation that is not on the MLflow server yet, one run each, and "
            "update runs whose observation was edited. Safe to interrupt and to run again: nothing "
            "is ever sent twice. Exits 0 only when nothing is left unsynced. Credentials come from "
            "MLFLOW_TRACKING_USERNAME/MLFLOW_TRACKING_PASSWORD or MLFLOW_TRACKING_TOKEN, else from "
            "the app's sync settings."
        ),
    )
    parser.add_argument(
        "--tracking-uri",
        metavar="URL",
        help="the MLflow server (default: MLFLOW_TRACKING_URI, else the app's sync settings)",
    )
    parser.add_argument(
        "--db",
        metavar="PATH",
        help="the history file to sync, e.g. one copied off a field laptop (default: this machine's)",
    )
    parser.add_argument(
        "--experiment", metavar="NAME", help="the MLflow experiment (default: from the app's settings)"
    )
    parser.add_argument(
        "--retry-for",
        type=float,
        default=120.0,
        metavar="SECONDS",
        help="keep retrying while the server is unreachable or failing for this long (default 120)",
    )
    parser.add_argument(
        "--no-model-update",
        action="store_true",
        help="skip the model update check that follows a sync which reached the server (it never runs "
        "with --db: a copied history says nothing about this machine's model)",
    )
    parser.add_argument(
        "--rebind",
        action="store_true",
        help="send observations that went (partly) to another server or experiment to this one; runs "
        "already there are found by observation id and reused, never duplicated",
    )
    parser.add_argument(
        "--settle",
        type=float,
        default=None,
        metavar="SECONDS",
        help="how long after a run creation whose answer was lost its observation is checked for a "
        "second run (a late arrival), which is then deleted (default 3)",
    )
    return parser


def run(args: argparse.Namespace) -> int:
    """Run one sync of the history; print progress on stderr and a summary on stdout; return the exit code."""
    import sys

    from desktop.settings import Settings
    from desktop.sync.worker import EndReason

    settings = Settings.load()
    uri = _server_address(args, settings)
    db_path = _history_path(args)
    target = _sync_target(args, settings, uri)
    report = _sync_in_thread(args, db_path, target)
    if report is None:
        return EXIT_UNSYNCED
    _print_summary(report, target.tracking_uri, target.experiment_name, sys.stdout)
    if report.error_kind not in (EndReason.COMPLETE, EndReason.STOPPED):
        print(f"iris-field: error: {report.error}", file=sys.stderr)
    # Whenever the server answered: one observation that fails to sync must not keep new models away.
    if report.server_answered and not (args.db or args.no_model_update):
        from desktop.cli.commands.model import update_after_sync

        update_after_sync(target.tracking_uri, target.auth)
    return EXIT_OK if report.complete else EXIT_UNSYNCED


def _server_address(args: argparse.Namespace, settings: Settings) -> str:
    """Return the server's address (option, environment, then settings); refuse none and negative times."""
    import os

    from desktop.errors import InputError
    from desktop.sync.credentials import ENV_URI

    uri = args.tracking_uri or os.environ.get(ENV_URI, "") or settings.tracking_uri
    if not uri:
        raise InputError("no MLflow server given: pass --tracking-uri URL or set MLFLOW_TRACKING_URI")
    if args.retry_for < 0 or (args.settle is not None and args.settle < 0):
        raise InputError("--retry-for and --settle take a number of seconds, 0 or more")
    return uri


def _history_path(args: argparse.Namespace) -> Path:
    """Return the history to sync: ``--db`` (which must exist) or the app's own."""
    from pathlib import Path

    from desktop.errors import InputError
    from desktop.paths import default_db_path

    db_path = Path(args.db).expanduser() if args.db else default_db_path()
    if args.db and not db_path.is_file():
        raise InputError(f"there is no history file at {db_path}")
    return db_path


def _sync_target(args: argparse.Namespace, settings: Settings, uri: str) -> SyncTarget:
    """Return where to sync, with the credentials from the environment or the app; refuse what is missing."""
    from desktop.errors import InputError, IrisFieldError
    from desktop.sync.credentials import MissingSecret, auth_from_environment, auth_from_settings
    from desktop.sync.target import SyncTarget

    try:
        auth = auth_from_environment()
        if auth is None:
            auth = auth_from_settings(uri, settings.auth, settings.username)
        return SyncTarget(
            uri,
            args.experiment or settings.experiment_name,
            auth=auth,
            device_name=settings.device_name,
        )
    except MissingSecret as exc:
        raise IrisFieldError(
            f"{exc}: set MLFLOW_TRACKING_PASSWORD (or MLFLOW_TRACKING_TOKEN) or save it in the app"
        ) from exc
    except ValueError as exc:
        raise InputError(str(exc)) from exc


def _sync_in_thread(args: argparse.Namespace, db_path: Path, target: SyncTarget) -> SyncReport | None:
    """Sync in a worker thread, the progress bar on stderr; Ctrl+C stops it after the requests in flight.

    Return the sync's report, or None when the worker ended without one.
    """
    import sys
    import threading
    from dataclasses import replace

    from desktop.sync.target import SyncOptions
    from desktop.sync.worker import SyncWorker

    options = SyncOptions()
    if args.settle is not None:
        options = replace(options, settle_seconds=args.settle)
    bar = _ProgressBar(sys.stderr)
    worker = SyncWorker(
        db_path, target, options, on_progress=bar.show, description="iris-field sync (command line)"
    )
    stop = threading.Event()
    outcome: list[SyncReport] = []

    def work() -> None:
        outcome.append(_sync_until_done(worker, stop, args, bar))

    thread = threading.Thread(target=work, name="iris-sync-cli", daemon=True)
    thread.start()
    try:
        while thread.is_alive():
            thread.join(0.2)
    except KeyboardInterrupt:
        bar.note("stopping after the requests in flight…")
        stop.set()
        thread.join()
    bar.finish()
    return outcome[0] if outcome else None


def _sync_until_done(worker, stop, args: argparse.Namespace, bar: _ProgressBar) -> SyncReport:
    """Run passes until done: wait for another worker's lease, within ``--retry-for``."""
    import time

    from desktop.sync.report import EndReason

    deadline = time.monotonic() + args.retry_for
    said_busy = False
    while True:
        report = worker.run_pass(
            stop,
            retry_failed=True,
            release_bindings=False if args.rebind else None,
            patience=args.retry_for,
            count_experiment=True,
        )
        if report.error_kind is not EndReason.BUSY or stop.is_set() or time.monotonic() >= deadline:
            return report
        if not said_busy:
            bar.note(f"{report.error}; waiting for it to finish…")
            said_busy = True
        stop.wait(min(2.0, max(0.0, deadline - time.monotonic())))


def _print_summary(report: SyncReport, uri: str, experiment: str, out) -> None:
    from desktop.sync.row_failure import failure_english

    where = f"{uri} (experiment {experiment!r})"
    parts = [f"{report.synced_now} observation{'s' if report.synced_now != 1 else ''} synced"]
    if report.updated_now:
        parts.append(f"{report.updated_now} updated")
    print(f"{', '.join(parts)} to {where}.", file=out)
    saved = report.total_synced + report.unsynced
    mine = f"This history: {report.total_synced} of {saved} observations on the server"
    if report.experiment_total is None:
        print(f"{mine}.", file=out)
    else:
        more = "at least " if report.experiment_total_more else ""
        print(
            f"{mine}; the experiment holds {more}{report.experiment_total} in all (every device).", file=out
        )
    if report.duplicates_deleted:
        print(
            f"{report.duplicates_deleted} second runs left by lost answers were deleted on the server.",
            file=out,
        )
    left = report.unsynced
    if left:
        detail = []
        if report.failed:
            detail.append(f"{len(report.failed)} failed")
        if report.elsewhere:
            detail.append(f"{report.elsewhere} bound to another server or experiment")
        waiting = left - len(report.failed) - report.elsewhere
        if waiting:
            detail.append(f"{waiting} still to send")
        print(f"{left} not synced: {', '.join(detail)}.", file=out)
    for oid, stored in report.failed[:FAILED_LISTED]:
        print(f"  failed  {oid}  {failure_english(stored)}", file=out)
    if len(report.failed) > FAILED_LISTED:
        print(f"  … and {len(report.failed) - FAILED_LISTED} more failed", file=out)
    if report.elsewhere:
        print(
            "  Observations bound elsewhere were sent (in part) to another server or experiment; "
            "run again with --rebind to send them here.",
            file=out,
        )


class _ProgressBar:
    """A one-line progress bar on a terminal; a line per change of phase (and every 10 %) otherwise."""

    WIDTH = 30

    def __init__(self, stream):
        self._stream = stream
        self._tty = bool(getattr(stream, "isatty", lambda: False)())
        self._drawn = False
        self._last_decile = -1
        self._last_message = ""

    def show(self, progress: SyncProgress) -> None:
        from desktop.sync.worker import Phase

        if progress.phase in (Phase.OFFLINE, Phase.RETRYING, Phase.ERROR, Phase.BUSY):
            # Said once per distinct problem, not on every retry.
            if progress.message and progress.message != self._last_message:
                wait = f"; retrying in {progress.retry_in:.0f} s" if progress.retry_in else ""
                self.note(f"{progress.message}{wait}")
                self._last_message = progress.message
            return
        if progress.phase is Phase.SYNCING and progress.total:
            self._last_message = ""
            if self._tty:
                filled = int(self.WIDTH * progress.done / progress.total)
                bar = "#" * filled + "." * (self.WIDTH - filled)
                self._stream.write(f"\rsyncing [{bar}] {progress.done}/{progress.total}")
                self._stream.flush()
                self._drawn = True
            else:
                decile = 10 * progress.done // progress.total
                if decile != self._last_decile:
                    self._stream.write(f"syncing: {progress.done}/{progress.total}\n")
                    self._last_decile = decile

    def note(self, text: str) -> None:
        self.finish()
        self._stream.write(f"iris-field sync: {text}\n")
        self._stream.flush()

    def finish(self) -> None:
        if self._drawn:
            self._stream.write("\n")
            self._drawn = False
        self._stream.flush()
