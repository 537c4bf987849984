"""The command line: predict, history, self-test; words and exit codes, never a traceback."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from desktop import __version__
from desktop.errors import InputError, IrisFieldError

if TYPE_CHECKING:
    from desktop.inference import Classifier, Prediction
    from desktop.store import Observation, ObservationStore

PROG = "iris-field"
EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2
SYNC_MODULE = "desktop.sync.cli"
# A CSV with many bad rows is reported on one line; list this many and count the rest.
BAD_ROWS_LISTED = 10


class UsageError(InputError):
    """The command line itself is wrong (missing or conflicting arguments)."""


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr, exit 2, like every other error here."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see `{self.prog} --help`)")


def build_parser() -> argparse.ArgumentParser:
    """Return the parser of every command, including `sync` when the sync module is installed."""
    parser = _Parser(
        prog=PROG,
        description="Identify Iris species from four flower measurements, offline. "
        "Without arguments, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check the bundled model and the history, one line per check; exit 0 if all pass",
    )
    model_help = "use this ONNX model file (its model_card.json beside it) instead of the bundled one"
    parser.add_argument("--model", type=Path, metavar="PATH", help=model_help)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    predict = commands.add_parser(
        "predict",
        help="predict the species of one flower, or of every row of a CSV file",
        description="Predict the species from sepal length, sepal width, petal length and petal width (cm).",
    )
    predict.add_argument("values", nargs="*", metavar="CM", help="four measurements in cm: SL SW PL PW")
    predict.add_argument(
        "--csv",
        type=Path,
        metavar="FILE",
        help="predict every row of FILE; columns are found by their header (e.g. sepal_length)",
    )
    predict.add_argument("--save", action="store_true", help="keep the result(s) in the history")
    predict.add_argument("--note", metavar="TEXT", help="a note saved with the observation (needs --save)")
    predict.add_argument("--json", action="store_true", help="print machine-readable JSON")
    # SUPPRESS: a --model given before the command is not overwritten by this one's default.
    predict.add_argument("--model", type=Path, metavar="PATH", default=argparse.SUPPRESS, help=model_help)

    history = commands.add_parser(
        "history",
        help="list this machine's saved observations, newest first",
        description="List saved observations, newest first, or export them.",
    )
    history.add_argument(
        "--csv", type=Path, metavar="OUT", help="write them to the CSV file OUT ('-' = stdout)"
    )
    history.add_argument("--json", action="store_true", help="print machine-readable JSON")
    history.add_argument("--search", default="", metavar="TEXT", help="only those matching TEXT")

    _register_sync(commands)
    return parser


def _register_sync(commands: argparse._SubParsersAction) -> None:
    """Register `sync` from desktop/sync/cli.py (add_parser(subparsers), run(args) -> int) if present."""
    # That module must keep its own heavy imports (urllib3, keyring) inside run(): this runs on
    # every start of `iris-field predict`. A broken sync module must not break predict or history.
    import importlib
    import importlib.util

    try:
        if importlib.util.find_spec(SYNC_MODULE) is None:
            return  # the sync module is not part of this build (yet)
        importlib.import_module(SYNC_MODULE).add_parser(commands)
    except Exception as exc:  # any failure of someone else's module: keep the rest of the CLI working
        reason = " ".join(f"{type(exc).__name__}: {exc}".split())
        placeholder = commands.add_parser("sync", help="(unavailable) sync observations to the MLflow server")
        placeholder.set_defaults(sync_unavailable=reason)


# ------------------------------------------------------------------ entry point
def run(argv: Sequence[str]) -> int:
    """Run one command; print results to stdout, a one-line error to stderr; return the exit code."""
    _tolerant_output()
    try:
        parser = build_parser()
        args, extra = parser.parse_known_args(list(argv))
        if extra and not getattr(args, "sync_unavailable", None):
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
        return _dispatch(args)
    except InputError as exc:
        return _fail(exc, EXIT_USAGE)
    except IrisFieldError as exc:
        return _fail(exc, EXIT_FAILURE)
    except OSError as exc:
        if isinstance(exc, BrokenPipeError):
            return _quiet_broken_pipe()
        where = f" ({exc.filename})" if exc.filename else ""
        return _fail(f"{exc.strerror or exc}{where}", EXIT_FAILURE)
    except KeyboardInterrupt:
        return 130
    except SystemExit as exc:  # --help and --version print and exit through argparse
        return exc.code if isinstance(exc.code, int) else EXIT_OK
    except Exception as exc:  # a bug: one line for the user, the traceback into the log for us
        log_file = _log_crash()
        where = f"; details in {log_file}" if log_file else ""
        return _fail(f"internal error {type(exc).__name__}: {exc}{where}", EXIT_FAILURE)


def _dispatch(args: argparse.Namespace) -> int:
    if args.self_test:
        if args.command:
            raise UsageError("--self-test takes no command")
        from desktop import self_test

        code = self_test.run(args.model, sys.stdout)
        sys.stdout.flush()
        if code != EXIT_OK:
            _fail("self-test failed; see the FAIL lines above", code)
        return code
    if args.command == "predict":
        return _predict(args)
    if args.command == "history":
        return _history(args)
    if args.command == "sync":
        unavailable = getattr(args, "sync_unavailable", None)
        if unavailable:
            raise IrisFieldError(f"syncing is unavailable because its module failed to load ({unavailable})")
        import importlib

        return int(importlib.import_module(SYNC_MODULE).run(args))
    raise UsageError("name a command, e.g. `iris-field predict 5.1 3.5 1.4 0.2`")


def _fail(error: BaseException | str, code: int) -> int:
    message = " ".join(str(error).split())  # one line, whatever the message held
    sys.stderr.write(f"{PROG}: error: {message}\n")
    return code


def _log_crash() -> str:
    """Append the current exception's traceback to the log folder; return the file, or "" if impossible."""
    import traceback
    from datetime import UTC, datetime

    try:
        from desktop.paths import log_dir

        folder = log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "iris-field-cli.log"
        with path.open("a", encoding="utf-8") as handle:
            handle.write(f"--- {datetime.now(UTC).isoformat()} iris-field {__version__} {sys.argv[1:]}\n")
            handle.write(traceback.format_exc())
        return str(path)
    except Exception:  # the log is a courtesy; never let it hide the original error
        return ""


def _tolerant_output() -> None:
    """Never crash on a character the console cannot show (notes typed in any language)."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")


def _quiet_broken_pipe() -> int:
    """Stop quietly when the reader (e.g. `| head`) went away, as command line tools do."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return EXIT_FAILURE


def _open_store() -> ObservationStore:
    """Open the history; if it had to be salvaged from damage, say so in one sentence on stderr."""
    from desktop.store import ObservationStore

    store = ObservationStore.open()
    if store.salvaged is not None:
        sys.stderr.write(f"{PROG}: note: {store.salvaged.sentence()}.\n")
    return store


def _load_classifier(args: argparse.Namespace) -> Classifier:
    from desktop.inference import Classifier

    return Classifier.load(args.model)


# ------------------------------------------------------------------ predict
def _predict(args: argparse.Namespace) -> int:
    if args.csv is not None and args.values:
        raise UsageError("give either four measurements or --csv FILE, not both")
    if args.csv is None and not args.values:
        raise UsageError("give four measurements in cm (SL SW PL PW) or --csv FILE")
    if args.note is not None and not args.save:
        raise UsageError("--note is saved with the observation, so it needs --save")
    if args.csv is not None and args.note is not None:
        raise UsageError("--note applies to one flower; put notes in a 'note' column of the CSV instead")
    classifier = _load_classifier(args)
    if args.csv is not None:
        return _predict_csv(args, classifier)
    prediction = classifier.predict(args.values)
    saved: Observation | None = None
    if args.save:
        saved = _save([(prediction, args.note or "")], classifier)[0]
    if args.json:
        _print_json(_prediction_json(prediction, classifier) | {"saved_id": saved.id if saved else None})
    else:
        _print_prediction(prediction, classifier)
        if saved is not None:
            print(f"Saved as observation {saved.id}.")
    return EXIT_OK


def _predict_csv(args: argparse.Namespace, classifier: Classifier) -> int:
    from desktop.observation_csv import read_measurements

    table = read_measurements(args.csv, classifier.card)
    for notice in table.notices:
        sys.stderr.write(f"{PROG}: note: {notice}.\n")
    rows = table.rows
    predictions: list[Prediction] = []
    bad: list[str] = []
    for row in rows:
        if row.problem:
            bad.append(f"line {row.line}: {row.problem}")
            continue
        try:
            predictions.append(classifier.predict(row.values()))
        except InputError as exc:
            bad.append(f"line {row.line}: {exc}")
    if bad:
        listed = "; ".join(bad[:BAD_ROWS_LISTED])
        more = f"; and {len(bad) - BAD_ROWS_LISTED} more" if len(bad) > BAD_ROWS_LISTED else ""
        outcome = "nothing was saved" if args.save else "no predictions were made"
        raise InputError(f"{args.csv} has {_count(len(bad), 'bad row')}, {outcome}: {listed}{more}")
    saved = (
        _save([(p, r.note) for p, r in zip(predictions, rows, strict=True)], classifier) if args.save else []
    )
    if args.json:
        items = [
            {"line": r.line, **_prediction_json(p, classifier), "saved_id": saved[i].id if saved else None}
            for i, (r, p) in enumerate(zip(rows, predictions, strict=True))
        ]
        _print_json({"file": str(args.csv), "count": len(items), "saved": len(saved), "predictions": items})
        return EXIT_OK
    _print_prediction_table(rows, predictions, classifier)
    if saved:
        print(f"Saved {_count(len(saved), 'observation')}.")
    return EXIT_OK


def _save(items: list[tuple[Prediction, str]], classifier: Classifier) -> list[Observation]:
    """Save predictions as observations in ONE transaction, by the observer named in the settings."""
    from desktop.settings import Settings
    from desktop.store import Observation

    with _open_store() as store:
        observer = Settings.load().observer
        observations = [
            Observation.from_prediction(p, classifier.card, observer=observer, note=note) for p, note in items
        ]
        store.add_many(observations)
    return observations


def _prediction_json(prediction: Prediction, classifier: Classifier) -> dict[str, Any]:
    card = classifier.card
    by_name = {f.name: f for f in card.features}
    return {
        "species": prediction.species,
        "confidence": prediction.confidence,
        "uncertain": prediction.uncertain,
        "probabilities": prediction.probabilities,
        "measurements": dict(zip(card.feature_names, prediction.values, strict=True)),
        "unusual": [
            {
                "feature": name,
                "label": by_name[name].label,
                "value": prediction.values[card.feature_names.index(name)],
                "training_min": by_name[name].stats.min,
                "training_max": by_name[name].stats.max,
            }
            for name in prediction.unusual
        ],
        "outlier": prediction.outlier.to_json() if prediction.outlier is not None else None,
        "model": {"name": card.model_name, "version": card.model_version, "sha256": card.sha256},
    }


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _percent(p: float) -> str:
    return f"{p * 100:5.1f} %"


def _unusual_sentences(prediction: Prediction, classifier: Classifier) -> list[str]:
    card = classifier.card
    sentences = []
    for name in prediction.unusual:
        i = card.feature_names.index(name)
        f = card.features[i]
        sentences.append(
            f"Warning: {f.label} {prediction.values[i]:g} {f.unit} is outside what the model was trained on "
            f"({f.stats.min:g}-{f.stats.max:g} {f.unit}); treat this prediction with care."
        )
    return sentences


def _print_prediction(prediction: Prediction, classifier: Classifier) -> None:
    if prediction.unlike_training:
        print(
            f"Unlike any flower the model was trained on: its best guess is {prediction.species}, but no "
            f"percentage can be trusted (distance {prediction.outlier.score:.1f}, "
            f"flowers it knows lie within {prediction.outlier.threshold:.1f}). Measure again."
        )
    elif prediction.uncertain:
        print(f"Uncertain: most likely {prediction.species} ({_percent(prediction.confidence).strip()})")
    else:
        print(f"{prediction.species} ({_percent(prediction.confidence).strip()} confident)")
    width = max(len(c) for c in prediction.probabilities)
    for species, p in prediction.probabilities.items():
        bar = "#" * round(p * 30)
        print(f"  {species:<{width}}  {_percent(p)}  {bar}".rstrip())
    for sentence in _unusual_sentences(prediction, classifier):
        print(sentence)


def _print_prediction_table(
    rows: Sequence[Any], predictions: Sequence[Prediction], classifier: Classifier
) -> None:
    names = classifier.card.feature_names
    classes = classifier.card.classes
    width = max(len(c) for c in classes)
    columns = "  ".join(f"{n:>12}" for n in names)
    print(f"{'line':>5}  {columns}  {'species':<{width}}  {'confidence':>10}  notes")
    counts = dict.fromkeys(classes, 0)
    for row, p in zip(rows, predictions, strict=True):
        counts[p.species] += 1
        flags = []
        if p.unlike_training:
            flags.append("unlike any flower the model was trained on")
        if p.uncertain:
            flags.append("uncertain")
        if p.unusual:
            flags.append("unusual " + ", ".join(p.unusual))
        values = "  ".join(f"{v:>12g}" for v in p.values)
        print(
            f"{row.line:>5}  {values}  {p.species:<{width}}  {_percent(p.confidence):>10}  {'; '.join(flags)}"
        )
    summary = ", ".join(f"{c} {n}" for c, n in counts.items())
    print(f"{_count(len(predictions), 'flower')}: {summary}.")


# ------------------------------------------------------------------ history
def _history(args: argparse.Namespace) -> int:
    with _open_store() as store:
        observations = store.list(args.search)
    if args.csv is not None:
        from desktop.observation_csv import export_history, write_history

        if str(args.csv) == "-":
            write_history(observations, sys.stdout)
        else:
            export_history(observations, args.csv)
            print(f"Wrote {_count(len(observations), 'observation')} to {args.csv}.")
        return EXIT_OK
    if args.json:
        _print_json([_observation_json(o) for o in observations])
        return EXIT_OK
    if not observations:
        print("No saved observations yet." if not args.search else f"No observations match {args.search!r}.")
        return EXIT_OK
    _print_history_table(observations)
    return EXIT_OK


def _observation_json(obs: Observation) -> dict[str, Any]:
    from dataclasses import asdict

    data = asdict(obs)
    data["unusual"] = list(obs.unusual)
    return data


def _local_time(iso: str) -> str:
    from datetime import datetime

    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return iso


def _print_history_table(observations: Sequence[Observation]) -> None:
    width = max(10, *(len(o.species) + 1 for o in observations))
    print(f"{'time (local)':<16}  {'species':<{width}}  {'conf.':>7}  {'sync':<8}  {'id':<36}  note")
    for o in observations:
        # A trailing * marks a species the user confirmed or corrected.
        species = o.species + ("*" if o.confirmed_species else "")
        print(
            f"{_local_time(o.created_at):<16}  {species:<{width}}  {_percent(o.confidence):>7}  "
            f"{o.sync_state:<8}  {o.id:<36}  {o.note}"
        )
    confirmed = sum(1 for o in observations if o.confirmed_species)
    print(
        _count(len(observations), "observation")
        + (f" ({confirmed} confirmed, marked *)." if confirmed else ".")
    )


def _print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
