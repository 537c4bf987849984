"""The command line: predict, history, self-test; words and exit codes, never a traceback."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

import desktop.sync  # noqa: F401  (the history file holds the sync's tables: register their steps)
from contract.exit_codes import ExitCode
from desktop import __version__
from desktop.cli.commands import device_key as device_key_command
from desktop.cli.commands import model as model_command
from desktop.cli.commands import sync as sync_command
from desktop.cli.progress import TerminalProgress
from desktop.errors import InputError, IrisFieldError

if TYPE_CHECKING:
    from desktop.history.bulk import EarlierKeys
    from desktop.history.codec import ObservationRows
    from desktop.history.observation import Observation
    from desktop.history.store import ObservationStore
    from desktop.model_delivery.model_store import ActiveModel
    from desktop.model_delivery.release import ShadowPrediction
    from desktop.prediction.engine import BatchPrediction, Classifier, Prediction
    from desktop.tables.measurement_table import TableChunk

PROG = "iris-field"
EXIT_OK, EXIT_FAILURE, EXIT_USAGE = ExitCode.OK, ExitCode.FAILURE, ExitCode.USAGE
# The commands in modules of their own (desktop/cli/commands/), by the word that names them.
COMMAND_MODULES = {"sync": sync_command, "model": model_command, "device-key": device_key_command}
# A CSV with many bad rows is reported on one line; list this many and count the rest.
BAD_ROWS_LISTED = 10
# What `history` says the model said of a flower unlike any it was trained on, instead of a percentage.
UNLIKE_TRAINING_SHORT = "unlike any training flower"
SAID = len("versicolor ") + len(UNLIKE_TRAINING_SHORT)  # the "model said" column


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
    predict.add_argument(
        "--allow-duplicate",
        action="store_true",
        help="save even if the same measurements were saved a few minutes ago",
    )
    predict.add_argument(
        "--allow-duplicates",
        action="store_true",
        help="with --csv: save even the rows already in the history",
    )
    # SUPPRESS: a --model given before the command is not overwritten by this one's default.
    predict.add_argument("--model", type=Path, metavar="PATH", default=argparse.SUPPRESS, help=model_help)

    _add_history_parser(commands)
    _register_modules(commands)
    return parser


def _add_history_parser(commands: argparse._SubParsersAction) -> None:
    """Register `history`: list, export, import and confirm saved observations."""
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
    history.add_argument("--force", action="store_true", help="with --csv: overwrite OUT if it exists")
    history.add_argument(
        "action",
        nargs="?",
        choices=["import", "confirm"],
        help="import FILE: add the observations of a history export (rows already here are skipped); "
        "confirm ID SPECIES: record the species a botanist confirmed or corrected ('none' clears it)",
    )
    history.add_argument(
        "file", nargs="?", metavar="FILE|ID", help="the export to import, or the observation"
    )
    history.add_argument("species", nargs="?", metavar="SPECIES", help="with confirm: the species it is")
    history.add_argument(
        "--update",
        action="store_true",
        help="with import: where a row differs from the history's, keep the one edited last",
    )


def _register_modules(commands: argparse._SubParsersAction) -> None:
    """Register the commands that live in modules of their own: sync, model, device-key.

    Those modules keep their heavy imports (urllib3, keyring, cryptography) inside ``run``: this runs
    on every start of ``iris-field predict``.
    """
    for module in COMMAND_MODULES.values():
        module.add_parser(commands)


# ------------------------------------------------------------------ entry point
def run(argv: Sequence[str]) -> int:
    """Run one command; print results to stdout, a one-line error to stderr; return the exit code."""
    _tolerant_output()
    try:
        return _dispatch(_parse(list(argv)))
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


def _parse(argv: list[str]) -> argparse.Namespace:
    """Return the parsed command line; raise ``UsageError`` for words no command takes."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra and args.command == "history":
        extra = _late_positionals(args, extra)
    if extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    return args


def _late_positionals(args: argparse.Namespace, extra: list[str]) -> list[str]:
    """Take `history` words given after an option (`history import --update FILE`); return the rest.

    argparse fills optional positionals once, at the first of them: words after an option are left over.
    """
    rest = []
    for word in extra:
        slot = next((name for name in ("file", "species") if getattr(args, name) is None), None)
        if slot is None or word.startswith("-"):
            rest.append(word)
        else:
            setattr(args, slot, word)
    return rest


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
    if args.command in COMMAND_MODULES:
        return int(COMMAND_MODULES[args.command].run(args))
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
    from desktop.history.store import ObservationStore

    store = ObservationStore.open()
    if store.salvaged is not None:
        sys.stderr.write(f"{PROG}: note: {store.salvaged.sentence()}.\n")
    return store


def _load_model(args: argparse.Namespace) -> ActiveModel:
    """Return the model that predicts: ``--model`` if given, else the active release (or the bundled one)."""
    from desktop.model_delivery.model_store import ActiveModel, ModelOrigin, ModelStore

    if args.model is not None:
        from desktop.prediction.engine import Classifier

        return ActiveModel(Classifier.load(args.model), None, ModelOrigin.BUNDLED)
    active = ModelStore().load_active()
    if active.note:
        sys.stderr.write(f"{PROG}: note: {active.note}\n")
    return active


# ------------------------------------------------------------------ predict
def _check_predict_arguments(args: argparse.Namespace) -> None:
    """Raise ``UsageError`` for a `predict` command line that asks for two things at once, or nothing."""
    if args.csv is not None and args.values:
        raise UsageError("give either four measurements or --csv FILE, not both")
    if args.csv is None and not args.values:
        raise UsageError("give four measurements in cm (SL SW PL PW) or --csv FILE")
    if args.note is not None and not args.save:
        raise UsageError("--note is saved with the observation, so it needs --save")
    if args.csv is not None and args.note is not None:
        raise UsageError("--note applies to one flower; put notes in a 'note' column of the CSV instead")


def _predict(args: argparse.Namespace) -> int:
    _check_predict_arguments(args)
    model = _load_model(args)
    classifier = model.classifier
    if args.csv is not None:
        return _predict_csv(args, model)
    prediction = classifier.predict(args.values)
    saved: Observation | None = None
    challenger, shadow = _challenger_answer(prediction) if args.save or args.json else (None, None)
    if args.save:
        from desktop.history.observation import Observation
        from desktop.settings import Settings

        observation = Observation.from_prediction(
            prediction,
            classifier.card,
            observer=Settings.load().observer,
            note=args.note or "",
            stamp=model.stamp,
            challenger=shadow,
        )
        saved = _save_one(observation, args.allow_duplicate)
    if args.json:
        answer = _prediction_json(prediction, model) | {"saved_id": saved.id if saved else None}
        _print_json(answer | _challenger_json(challenger is not None, shadow))
    else:
        _print_prediction(prediction, classifier)
        if saved is not None:
            print(f"Saved as observation {saved.id}.")
    return EXIT_OK


def _challenger_answer(prediction: Prediction) -> tuple[ActiveModel | None, ShadowPrediction | None]:
    """Return the installed challenger (None without one) and its shadow answer for this flower."""
    from desktop.model_delivery.model_store import ModelStore
    from desktop.model_delivery.shadow import shadow_prediction

    challenger = ModelStore().load_challenger()
    return challenger, shadow_prediction(challenger, prediction)


def _challenger_json(installed: bool, shadow: ShadowPrediction | None) -> dict[str, Any]:
    """Return the ``challenger`` key of `predict --json` (none without a challenger installed)."""
    if not installed:
        return {}
    return {"challenger": shadow.to_dict() if shadow is not None else None}


def _predict_csv(args: argparse.Namespace, model: ActiveModel) -> int:
    """Read, predict and (with --save) save a CSV a chunk at a time; any bad row means nothing at all.

    The answers wait in a temporary file and the saves in an open transaction until the last row has
    proved good: a bad row anywhere prints no prediction and saves nothing, yet memory stays flat.
    """
    import contextlib
    import tempfile

    from desktop.prefetch import produced_ahead
    from desktop.tables.observation_csv import stream_measurements

    classifier = model.classifier
    stream = stream_measurements(args.csv, classifier.card)
    for notice in stream.table.notices:
        sys.stderr.write(f"{PROG}: note: {notice}.\n")
    with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:
        batch = _CsvBatch(args, model, spool)
        progress = TerminalProgress(sys.stderr, stream.line_count)
        try:
            if args.save:  # the next chunk is read, predicted and built while SQLite saves this one
                made = produced_ahead(batch.observations(stream.chunks, progress))
                with contextlib.closing(made) as rows:
                    batch.saved = _store_all(rows, args.allow_duplicates, str(args.csv))
            else:
                for _observations in batch.observations(stream.chunks, progress):
                    pass
        finally:
            progress.close()
        batch.write_out(sys.stdout)
    return EXIT_OK


class _CsvBatch:
    """The rows of one ``predict --csv``: predicted chunk by chunk, answers spooled, bad rows gathered."""

    def __init__(self, args: argparse.Namespace, model: ActiveModel, spool: Any):
        from desktop.model_delivery.model_store import ModelStore

        classifier = model.classifier
        self._args, self._model, self._classifier, self._spool = args, model, classifier, spool
        self._challenger = ModelStore().load_challenger() if args.save or args.json else None
        self._bad: list[tuple[int, str]] = []  # the first BAD_ROWS_LISTED, by line
        self._bad_count = 0
        self.count = 0
        self.saved = 0
        self._items = 0  # JSON items spooled
        self._by_species = dict.fromkeys(classifier.card.classes, 0)

    def observations(
        self, chunks: Iterable[TableChunk], progress: TerminalProgress
    ) -> Iterator[ObservationRows]:
        """Yield each chunk's rows to save (none once a row was bad); raise if any row was bad."""
        from desktop.settings import Settings

        observer = Settings.load().observer if self._args.save else ""
        for chunk in chunks:
            bad = [(r.line, r.problem) for r in chunk.problems]
            bad += [(chunk.lines[i], why) for i, why in self._classifier.implausible(chunk.measurements)]
            self._note_bad(bad)
            if self._bad_count or not chunk.lines:
                progress.show(chunk.lines[-1] if chunk.lines else 0, self.count)
                continue  # only checking from here on: nothing is predicted, printed or saved
            predicted = self._classifier.predict_many(chunk.measurements)
            saving = self._rows(chunk, predicted, observer) if self._args.save else None
            if self._bad_count:
                progress.show(chunk.lines[-1], self.count)
                continue
            self._spool_answers(chunk, predicted, saving.ids() if saving is not None else [])
            self.count += len(predicted)
            progress.show(chunk.lines[-1], self.count)
            if saving is not None:
                yield saving
        if self._bad_count:
            raise self._bad_rows_error()

    def _bad_rows_error(self) -> InputError:
        """Return the error that names the bad rows found (the first ones) and how many more there were."""
        listed = "; ".join(f"line {line}: {why}" for line, why in self._bad)
        more = self._bad_count - len(self._bad)
        outcome = "nothing was saved" if self._args.save else "no predictions were made"
        return InputError(
            f"{self._args.csv} has {_count(self._bad_count, 'bad row')}, {outcome}: {listed}"
            + (f"; and {more} more" if more > 0 else "")
        )

    def _note_bad(self, bad: list[tuple[int, str]]) -> None:
        """Count bad rows and keep the first ``BAD_ROWS_LISTED`` of them by line."""
        if bad:
            self._bad_count += len(bad)
            self._bad = sorted(self._bad + bad)[:BAD_ROWS_LISTED]

    def _rows(self, chunk: TableChunk, predicted: BatchPrediction, observer: str) -> ObservationRows:
        """Return the chunk's rows to save (note, place, observer, time, species from their columns).

        Each is stamped with the release that predicted it and the challenger's answer (None without one).
        """
        from desktop.tables.predicted_rows import chunk_rows

        built = chunk_rows(
            chunk,
            predicted,
            self._classifier.card,
            observer,
            stamp=self._model.stamp,
            challenger=self._challenger,
        )
        self._note_bad(built.bad)
        return built.rows

    def _spool_answers(self, chunk: TableChunk, predicted: BatchPrediction, saved_ids: list[str]) -> None:
        import numpy as np

        from desktop.cli.csv_answer_text import answer_lines

        if self._args.json:
            shadows = self._shadow_answers(predicted)
            for i, (line, p) in enumerate(zip(chunk.lines, predicted, strict=True)):
                item = {"line": line, **_prediction_json(p, self._model)}
                item["saved_id"] = saved_ids[i] if saved_ids else None
                if shadows is not None:  # as `predict --json`: the challenger's answer when one is installed
                    item["challenger"] = shadows[i]
                self._spool.write(("," if self._items else "") + json.dumps(item) + "\n")
                self._items += 1
            return
        classes = self._classifier.card.classes
        best = predicted.probability_matrix.argmax(axis=1)
        for species_at, n in enumerate(np.bincount(best, minlength=len(classes)).tolist()):
            self._by_species[classes[species_at]] += n
        self._spool.write(answer_lines(chunk.lines, predicted))

    def _shadow_answers(self, predicted: BatchPrediction) -> list[dict[str, Any] | None] | None:
        """Return each row's challenger answer as JSON (None: it gave none), or None without a challenger."""
        if self._challenger is None:
            return None
        from desktop.model_delivery.release import ShadowPrediction
        from desktop.model_delivery.shadow import shadow_batch

        answers, accepted = shadow_batch(self._challenger, predicted.inputs)
        given = iter(answers or ())  # one answer per accepted row, in order
        shadows: list[dict[str, Any] | None] = []
        for taken in accepted.tolist():
            answer = next(given) if taken else None
            shadows.append(
                None
                if answer is None
                else ShadowPrediction(self._challenger.stamp, answer.species, answer.probabilities).to_dict()
            )
        return shadows

    def write_out(self, out: TextIO) -> None:
        """Copy the spooled answers to ``out`` with their header and summary."""
        self._spool.seek(0)
        if self._args.json:
            out.write(f'{{"file": {json.dumps(str(self._args.csv))}, "count": {self.count}, ')
            out.write(f'"saved": {self.saved}, "predictions": [\n')
            shutil.copyfileobj(self._spool, out)
            out.write("]}\n")
            return
        from desktop.cli.csv_answer_text import header_line

        card = self._classifier.card
        out.write(header_line(card.feature_names, card.classes))
        shutil.copyfileobj(self._spool, out)
        summary = ", ".join(f"{c} {n}" for c, n in self._by_species.items())
        out.write(f"{_count(self.count, 'flower')}: {summary}.\n")
        if self.saved:
            out.write(f"Saved {_count(self.saved, 'observation')}.\n")


def _store_all(batches: Iterable[ObservationRows], allow_duplicates: bool, source: str) -> int:
    """Save batches of rows in ONE transaction (see ``ObservationStore.add_rows``).

    Rows whose measurements and note are already saved (a file imported twice) make it save nothing,
    unless ``allow_duplicates``.
    """
    with _open_store() as store:
        if allow_duplicates:
            return store.add_rows(batches)
        before = store.last_rowid()  # rows of this very file, saved batch by batch, do not count

        def checked() -> Iterator[ObservationRows]:
            earlier: EarlierKeys | None = None  # read inside the save's transaction, at its first batch
            for batch in batches:
                earlier = earlier or store.earlier_keys(before)
                present = earlier.positions(batch)
                if present:  # raised while producing: add_rows rolls everything back
                    raise InputError(
                        f"rows of {source} are already in the history ({_count(len(present), 'row')} in "
                        f"the first {_count(len(batch), 'row')} checked); nothing was saved; "
                        f"add --allow-duplicates to save them again"
                    )
                yield batch

        return store.add_rows(checked())


def _save_one(observation: Observation, allow_duplicate: bool) -> Observation:
    """Save one observation, unless the very same measurements were saved a few minutes ago."""
    from desktop.history.store import DUPLICATE_WITHIN

    with _open_store() as store:
        earlier = (
            None if allow_duplicate else store.recent_duplicate(observation.measurements, DUPLICATE_WITHIN)
        )
        if earlier is not None:
            raise InputError(
                f"the same measurements were saved at {_local_time(earlier.created_at)} "
                f"(observation {earlier.id}); nothing was saved; "
                f"add --allow-duplicate to save them again as another flower"
            )
        store.add(observation)
    return observation


def _prediction_json(prediction: Prediction, model: ActiveModel) -> dict[str, Any]:
    card = model.classifier.card
    stamp = model.stamp
    by_name = {f.name: f for f in card.features}
    unlike = prediction.unlike_training
    return {
        "species": prediction.species,
        "verdict": _verdict(prediction),
        # A flower unlike any in training gets no confidence: the text answer shows no percentage either.
        "confidence": None if unlike else prediction.confidence,
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
        "model": {
            "name": card.model_name,
            "version": card.model_version,
            "sha256": card.sha256,
            "registry": stamp.registry,
            "sequence": stamp.sequence,
        },
    }


class Verdict:
    """How far an answer can be trusted, as ``predict --json`` and ``history --json`` say it."""

    UNLIKE_TRAINING = "unlike-training"  # no percentage can be trusted
    UNCERTAIN = "uncertain"
    CONFIDENT = "confident"


def _verdict(prediction: Prediction) -> str:
    if prediction.unlike_training:
        return Verdict.UNLIKE_TRAINING
    return Verdict.UNCERTAIN if prediction.uncertain else Verdict.CONFIDENT


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
    if not prediction.unlike_training:  # no bars after "no percentage can be trusted"
        _print_bars(prediction)
    for sentence in _unusual_sentences(prediction, classifier):
        print(sentence)


def _print_bars(prediction: Prediction) -> None:
    """Print each species' probability with a bar."""
    width = max(len(c) for c in prediction.probabilities)
    for species, p in prediction.probabilities.items():
        bar = "#" * round(p * 30)
        print(f"  {species:<{width}}  {_percent(p)}  {bar}".rstrip())


# ------------------------------------------------------------------ history
def _history(args: argparse.Namespace) -> int:
    if args.action == "import":
        return _history_import(args)
    if args.action == "confirm":
        return _history_confirm(args)
    if args.update:
        raise UsageError("--update goes with `iris-field history import FILE`")
    if args.file is not None:
        raise UsageError("name what to do with the file: `iris-field history import FILE`")
    if args.csv is not None:
        return _history_csv(args)
    with _open_store() as store:
        observations = store.list(args.search)
    if args.json:
        _print_json([_observation_json(o) for o in observations])
        return EXIT_OK
    if not observations:
        print("No saved observations yet." if not args.search else f"No observations match {args.search!r}.")
        return EXIT_OK
    _print_history_table(observations)
    return EXIT_OK


def _history_csv(args: argparse.Namespace) -> int:
    """Write the history (or what --search finds) as CSV, streamed: a million rows never sit in memory."""
    from desktop.history.queries import HistoryQuery
    from desktop.tables.export_cells import column_wise, select_list, synced_run_of
    from desktop.tables.observation_csv import (
        EXPORT_PAGE_ROWS,
        columns_for,
        export_listed,
        write_history,
        write_history_pages,
    )

    with _open_store() as store:
        query = HistoryQuery(text=args.search)
        if str(args.csv) != "-":
            written = export_listed(store, query, args.csv, overwrite=args.force)
            print(f"Wrote {_count(written, 'observation')} to {args.csv}.")
            return EXIT_OK
        columns = columns_for(*store.measured_names())
        if column_wise(columns):  # pages of plain values, each column converted at once
            pages = store.iterate_pages(query, select_list(columns), page_size=EXPORT_PAGE_ROWS)
            write_history_pages(pages, sys.stdout, columns)
        else:  # names SQLite's JSON path cannot quote (or an old SQLite): one observation at a time
            observations = store.iterate(query, page_size=EXPORT_PAGE_ROWS)
            write_history(observations, sys.stdout, columns, synced_run_of(store))
    return EXIT_OK


def _history_import(args: argparse.Namespace) -> int:
    """Add the observations of a history export (another laptop's): ids, times, edits and sync kept.

    Every row is checked as a saved observation is (ids, times, species, the model's ranges); a row
    whose id is here with other content is reported, and replaced with --update if it was edited later.
    """
    from desktop.sync.imported_runs import enter_synced_runs
    from desktop.tables.observation_csv import import_rows

    if args.file is None or args.species is not None:
        raise UsageError("name one file: `iris-field history import FILE`")
    if args.csv is not None or args.json or args.search:
        raise UsageError("history import takes only the file to import (and --update)")
    args.file = Path(args.file)
    rows = import_rows(args.file, _load_model(args).classifier.card)
    with _open_store() as store:
        outcome = store.import_rows(rows, update=args.update, with_new=enter_synced_runs)
    print(_import_sentence(args.file, outcome))
    newer_here = [i for i, here_newer in outcome.differing if here_newer]
    edited_there = [i for i, here_newer in outcome.differing if not here_newer]
    if edited_there:
        sys.stderr.write(
            f"{PROG}: note: {_count(len(edited_there), 'observation')} of {args.file} differ from the "
            f"history's and were edited later there ({_listed(edited_there)}); they were left as they are "
            f"here; add --update to take them\n"
        )
    if newer_here:
        sys.stderr.write(
            f"{PROG}: note: {_count(len(newer_here), 'observation')} of {args.file} differ from the "
            f"history's, which were edited later ({_listed(newer_here)}); the history's were kept\n"
        )
    return EXIT_OK


def _history_confirm(args: argparse.Namespace) -> int:
    """Record the species a botanist confirmed or corrected, as the window's "Checked" menu does."""
    from desktop.tables.observation_csv import species_of

    if args.file is None or args.species is None:
        raise UsageError("name the observation and the species: `iris-field history confirm ID SPECIES`")
    if args.csv is not None or args.json or args.search or args.update:
        raise UsageError("history confirm takes only the observation's id and the species")
    with _open_store() as store:
        observation = store.get(args.file)
        if observation is None or observation.deleted:
            gone = "was deleted" if observation is not None else "is not in the history"
            raise InputError(f"the observation {args.file} {gone}; `iris-field history` lists their ids")
        known = tuple(observation.probabilities)  # the species the model knew when it saw this flower
        clear = args.species.strip().lower() in ("none", "unchecked")
        species = None if clear else species_of(args.species, known)
        if species is None and not clear:
            raise InputError(
                f"{args.species!r} is not a species of this observation; name one of {', '.join(known)} "
                f"(or 'none' to mark it not checked yet)"
            )
        store.confirm_species(observation.id, species)
    said = observation.predicted_species
    if species is None:
        print(f"Observation {observation.id} is marked not checked yet (the model said {said}).")
    elif species == said:
        print(f"Observation {observation.id}: {species} confirmed, as the model said.")
    else:
        print(f"Observation {observation.id}: corrected to {species} (the model said {said}).")
    return EXIT_OK


def _import_sentence(path: Path, outcome: Any) -> str:
    """Return the one line that says what an import did."""
    parts = [f"Imported {_count(outcome.added, 'observation')} from {path}"]
    if outcome.same:
        parts.append(f"{outcome.same} already in the history were skipped")
    if outcome.updated:
        parts.append(
            f"{_count(len(outcome.updated), 'observation')} edited later there replaced the history's"
        )
    if outcome.differing:
        parts.append(f"{len(outcome.differing)} that differ from the history's were left as they are")
    return "; ".join(parts) + "."


def _listed(ids: Sequence[str], shown: int = 3) -> str:
    more = len(ids) - shown
    return ", ".join(ids[:shown]) + (f" and {more} more" if more > 0 else "")


def _observation_json(obs: Observation) -> dict[str, Any]:
    from dataclasses import asdict

    from desktop.prediction.engine import UNCERTAIN_BELOW

    data = asdict(obs)
    data["unusual"] = list(obs.unusual)
    # As `predict --json`: the saved confidence stays, the verdict says whether it can be trusted.
    confident = obs.confidence >= UNCERTAIN_BELOW
    data["verdict"] = (
        Verdict.UNLIKE_TRAINING if obs.outlier else Verdict.CONFIDENT if confident else Verdict.UNCERTAIN
    )
    return data


def _local_time(iso: str) -> str:
    from datetime import datetime

    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return iso


def _print_history_table(observations: Sequence[Observation]) -> None:
    width = max(10, *(len(o.species) + 1 for o in observations))
    print(
        f"{'time (local)':<16}  {'species':<{width}}  {'model said':<{SAID}}  {'sync':<8}  {'id':<36}  note"
    )
    for o in observations:
        # A trailing * marks a species the user confirmed or corrected; the model's own answer and its
        # confidence stand beside it (never the model's confidence under the corrected name).
        species = o.species + ("*" if o.confirmed_species else "")
        said = f"{o.predicted_species} " + (
            UNLIKE_TRAINING_SHORT if o.outlier else _percent(o.confidence).strip()
        )
        print(
            f"{_local_time(o.created_at):<16}  {species:<{width}}  {said:<{SAID}}  "
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
