"""Without a console (the windowed Windows exe: sys.stdout and sys.stderr are None) no word is lost.

The command line runs in-process with both streams set to None, as the windowed program starts.
What it would have printed reaches ``show_message``: a message box on Windows (checked on the
release runner by tests/build_scripts/test_frozen_bundle.py), the app log elsewhere, read here.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from desktop.cli import console_output
from desktop.cli.console_output import CommandOutput, run_with_output
from desktop.main import NO_DISPLAY_MESSAGE, main


@contextmanager
def streams_missing() -> Iterator[None]:
    """Run like iris-field.exe started from Explorer: no stdout, no stderr (pytest's own put back after)."""
    saved = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = None
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


def main_without_console(args: list[str]) -> int:
    """Run the entry point with both streams None; assert it leaves them as it found them."""
    with streams_missing():
        code = main(args)
        left = sys.stdout, sys.stderr
    assert left == (None, None)
    return code


@pytest.fixture
def no_console(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Return the log capture that receives what the windowed program would show (not on Windows)."""
    caplog.set_level(logging.INFO, logger="iris_field.cli")
    return caplog


def shown(caplog: pytest.LogCaptureFixture) -> list[tuple[int, str]]:
    return [(r.levelno, r.getMessage()) for r in caplog.records if r.name == "iris_field.cli"]


def test_a_prediction_as_json_is_shown_whole(no_console):
    code = main_without_console(["predict", "6.3", "3.3", "6.0", "2.5", "--json"])

    assert code == 0
    [(level, text)] = shown(no_console)
    assert level == logging.INFO
    assert json.loads(text)["species"] == "virginica"


def test_a_plain_prediction_is_shown_not_dropped(no_console):
    assert main_without_console(["predict", "5.1", "3.5", "1.4", "0.2"]) == 0
    [(_, text)] = shown(no_console)
    assert text.startswith("setosa")


def test_the_self_test_is_shown_with_its_verdict(no_console):
    assert main_without_console(["--self-test"]) == 0
    [(_, text)] = shown(no_console)
    assert "self-test passed" in text


def test_a_mistake_is_shown_as_an_error_in_one_sentence(no_console):
    assert main_without_console(["predict", "6.3", "3.3", "6.0"]) == 2
    [(level, text)] = shown(no_console)
    assert level == logging.ERROR
    assert text.startswith("iris-field: error:")
    assert len(text.splitlines()) == 1
    assert "Traceback" not in text


def test_help_is_shown(no_console):
    assert main_without_console(["--help"]) == 0
    [(_, text)] = shown(no_console)
    assert "predict" in text and "history" in text


def test_a_window_that_cannot_open_says_why(no_console, monkeypatch: pytest.MonkeyPatch):
    if sys.platform in ("win32", "darwin"):
        pytest.skip("these always have a display")
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)

    assert main_without_console([]) == 2
    assert shown(no_console) == [(logging.ERROR, NO_DISPLAY_MESSAGE)]


def test_with_a_console_nothing_is_collected(capsys: pytest.CaptureFixture[str]):
    shown_outputs: list[CommandOutput] = []

    code = run_with_output(
        lambda: print("on the console") or 0,
        attach_console=True,
        show_on_success=True,
        show=shown_outputs.append,
    )

    assert code == 0
    assert capsys.readouterr().out == "on the console\n"
    assert shown_outputs == []


def test_a_window_that_opened_fine_shows_no_leftover_words():
    shown_outputs: list[CommandOutput] = []

    def window_with_a_warning() -> int:
        sys.stderr.write("a library's warning nobody asked for\n")
        return 0

    with streams_missing():
        code = run_with_output(
            window_with_a_warning, attach_console=False, show_on_success=False, show=shown_outputs.append
        )

    assert code == 0
    assert shown_outputs == []


def test_a_crashing_command_still_shows_what_it_wrote():
    shown_outputs: list[CommandOutput] = []

    def half_done() -> int:
        print("first line")
        raise RuntimeError("boom")

    with streams_missing(), pytest.raises(RuntimeError):
        run_with_output(half_done, attach_console=True, show_on_success=True, show=shown_outputs.append)
    assert shown_outputs == [CommandOutput("first line\n", failed=True)]


def test_long_output_is_cut_and_says_where_the_rest_is():
    output = CommandOutput("".join(f"row {i}\n" for i in range(100)), failed=False)
    lines = output.shortened(max_lines=10).splitlines()
    assert lines[:10] == [f"row {i}" for i in range(10)]
    assert lines[10] == "… and 90 more lines: run iris-field-cli.exe for all."
    assert console_output.CommandOutput("a\nb\n", failed=False).shortened() == "a\nb"
