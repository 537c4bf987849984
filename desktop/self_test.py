"""The installer's smoke test: load the model, predict textbook flowers, open a history, report each check."""

from __future__ import annotations

import math
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from contract.exit_codes import ExitCode
from desktop.errors import InputError, IrisFieldError

if TYPE_CHECKING:
    from desktop.prediction.engine import Classifier

# One textbook flower per species (Fisher's iris data), keyed by feature name so the card's order rules.
KNOWN_FLOWERS: dict[str, dict[str, float]] = {
    "setosa": {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2},
    "versicolor": {"sepal_length": 6.0, "sepal_width": 2.9, "petal_length": 4.5, "petal_width": 1.5},
    "virginica": {"sepal_length": 6.3, "sepal_width": 3.3, "petal_length": 6.0, "petal_width": 2.5},
}


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check: a name and a one-line detail."""

    name: str
    passed: bool
    detail: str


class _CheckFailed(Exception):
    """Raised inside a check to fail it with a plain sentence."""


def _run_check(name: str, check: Callable[[], str]) -> CheckResult:
    try:
        return CheckResult(name, True, check())
    except (_CheckFailed, IrisFieldError, OSError) as exc:
        return CheckResult(name, False, str(exc).replace("\n", " "))
    except Exception as exc:  # a smoke test reports any crash as a failed check, never a traceback
        return CheckResult(name, False, f"{type(exc).__name__}: {exc}".replace("\n", " "))


def run_checks(model_path: Path | None = None) -> list[CheckResult]:
    """Run every check in order; checks that need the model are skipped as failed if it does not load."""
    from desktop.prediction.engine import Classifier

    results: list[CheckResult] = []
    loaded: list[Classifier] = []

    def load() -> str:
        classifier = Classifier.load(model_path)
        loaded.append(classifier)
        card = classifier.card
        where = classifier.model_path.name
        return f"{card.model_name} v{card.model_version} ({where}, sha256 {card.sha256[:12]})"

    results.append(_run_check("model loads and matches its card", load))
    if loaded:
        classifier = loaded[0]
        for species in classifier.card.classes:
            results.append(_run_check(f"predicts {species}", lambda s=species: _check_known(classifier, s)))
        results.append(_run_check("refuses impossible input", lambda: _check_refusal(classifier)))
    results.append(_run_check("observation history opens and saves", _check_store))
    results.append(_run_check("this machine's history is sound", _check_real_history))
    results.append(_run_check("this machine's history takes a save", _check_real_save))
    return results


def _check_known(classifier: Classifier, species: str) -> str:
    flower = KNOWN_FLOWERS.get(species)
    if flower is None:
        raise _CheckFailed(f"the card lists class {species!r}, which has no known test flower")
    try:
        values = [flower[name] for name in classifier.card.feature_names]
    except KeyError as exc:
        raise _CheckFailed(f"the card lists feature {exc.args[0]!r}, which the test flowers lack") from None
    result = classifier.predict(values)
    shown = " ".join(f"{v:g}" for v in values)
    if result.species != species:
        raise _CheckFailed(f"{shown} gave {result.species} ({result.confidence:.0%}), expected {species}")
    total = sum(result.probabilities.values())
    if not math.isclose(total, 1.0, abs_tol=1e-4):
        raise _CheckFailed(f"probabilities for {shown} add up to {total:.4f}, not 1")
    return f"{shown} -> {species} ({result.confidence:.1%})"


def _check_refusal(classifier: Classifier) -> str:
    count = len(classifier.card.features)
    try:
        classifier.predict([float("nan")] * count)
    except InputError:
        return "NaN measurements are refused before they reach the model"
    raise _CheckFailed("NaN measurements were accepted")


def _check_real_history() -> str:
    """Look at the botanist's own history (read-only): SQLite's integrity check and every record decoded."""
    from desktop.history_salvage import standing_salvage
    from desktop.paths import default_db_path
    from desktop.store import inspect_history

    path = default_db_path()
    standing = standing_salvage(path)
    if standing is not None:
        aside, report = standing
        if report is not None:
            raise _CheckFailed(report.sentence())
        raise _CheckFailed(
            f"a salvage of the damaged history kept as {aside} did not finish; "
            f"start Iris Field to take it up again"
        )
    if not path.exists():
        return f"no history yet at {path}"
    count, problems = inspect_history(path)
    if problems:
        raise _CheckFailed(
            f"{path} is damaged: {'; '.join(problems[:3])}; "
            f"opening Iris Field salvages every readable observation"
        )
    return f"{count} observation(s) in {path}, integrity ok, every record decodable"


def _check_real_save() -> str:
    """Try a save to the botanist's own history and roll it back: fails wherever saving would fail."""
    from desktop.paths import default_db_path
    from desktop.save_probe import try_saving

    return try_saving(default_db_path())


def _check_store() -> str:
    from desktop.store import Observation, ObservationStore

    with tempfile.TemporaryDirectory(prefix="iris-field-self-test-") as folder:
        path = Path(folder) / "observations.sqlite3"
        store = ObservationStore.open(path)
        try:
            obs = Observation(
                id="00000000-0000-4000-8000-000000000000",
                created_at="2000-01-01T00:00:00.000000+00:00",
                updated_at="2000-01-01T00:00:00.000000+00:00",
                measurements={"x": 1.0},
                probabilities={"y": 1.0},
                predicted_species="y",
                confidence=1.0,
                unusual=(),
                model_name="self-test",
                model_version="0",
                model_sha256="0" * 64,
            )
            store.add(obs)
            if store.get(obs.id) != obs:
                raise _CheckFailed("an observation did not read back as it was saved")
        finally:
            store.close()
    return "a temporary history was created, written and read back"


def run(model_path: Path | None, out: TextIO) -> int:
    """Print one line per check to ``out``; return 0 if every check passed, else 1."""
    results = run_checks(model_path)
    for r in results:
        out.write(f"{'ok  ' if r.passed else 'FAIL'}  {r.name}: {r.detail}\n")
    failed = [r for r in results if not r.passed]
    if failed:
        out.write(f"self-test FAILED: {len(failed)} of {len(results)} checks failed\n")
        return ExitCode.FAILURE
    out.write(f"self-test passed: {len(results)} checks\n")
    return ExitCode.OK
