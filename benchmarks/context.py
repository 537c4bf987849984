"""What every section shares in one run: quick or full, the work folder, the trained model."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.workspace import MODEL_URI, Workspace, prepare

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Context:
    """Run-wide settings plus lazily built, shared expensive objects (training, the pyfunc model)."""

    quick: bool
    work: Path
    reuse_store: Path | None = None
    server_workers: int = 1  # uvicorn workers of the mlflow server the sync section starts
    salvage_observations: int | None = None  # the salvage section's history size (None: by mode)
    _workspace: Workspace | None = field(default=None, repr=False)
    _workspace_error: Exception | None = field(default=None, repr=False)  # a failed training is not retried
    _pyfunc: Any = field(default=None, repr=False)

    def count(self, full: int, quick: int) -> int:
        """Pick a repetition count for the current mode."""
        return quick if self.quick else full

    @property
    def has_workspace(self) -> bool:
        """Tell whether a section already trained (or reused) the model store."""
        return self._workspace is not None

    def workspace(self) -> Workspace:
        """Return the trained store and exported model, training on first use."""
        if self._workspace_error is not None:
            raise self._workspace_error  # every later section says the same, without training again
        if self._workspace is None:
            cv_repeats = 2 if self.quick else None
            try:
                self._workspace = prepare(self.work / "store", self.reuse_store, cv_repeats)
            except Exception as exc:
                self._workspace_error = exc
                raise
        return self._workspace

    def pyfunc_model(self) -> Any:
        """Return ``mlflow.pyfunc.load_model(models:/iris-classifier@champion)``, loaded once."""
        if self._pyfunc is None:
            import mlflow

            mlflow.set_tracking_uri(self.workspace().tracking_uri)
            self._pyfunc = mlflow.pyfunc.load_model(MODEL_URI)
        return self._pyfunc
