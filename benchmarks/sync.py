"""Section 6: sync throughput into a local mlflow server — the app's SyncWorker vs MlflowClient."""

from __future__ import annotations

from benchmarks.context import PROJECT_ROOT, Context
from benchmarks.report import Figure, Section

SYNC = PROJECT_ROOT / "desktop" / "sync"


def run(ctx: Context) -> Section:
    """Measure both writers against one server if the sync module exists."""
    names = ("app sync (SyncWorker + ObservationStore)", "mlflow.MlflowClient, same writes")
    reason = "skipped: desktop/sync not there yet"
    return Section("sync", "6. Sync throughput", tuple(Figure.skip(n, "obs/s", reason) for n in names))
