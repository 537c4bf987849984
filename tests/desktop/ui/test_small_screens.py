"""Small screens, 800×600 and 1024×600 at 100 % and 1366×768 at 150 %, English and German: nothing is cut.

Every button shows its whole text, the columns a botanist needs are in view, and the window fits the
screen. The pictures land in docs/screens/ for anyone to look at.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PICTURES = ROOT / "docs" / "screens"
CHILD = Path(__file__).with_name("small_screen_window.py")


def render(tmp_path: Path, width: int, height: int, scale: float) -> list[dict]:
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        QT_SCALE_FACTOR=str(scale),
        # A data folder under a home folder, as on a real laptop: the status bar reads "~/…", the same
        # in every run, so the pictures only change when the window does.
        HOME=str(tmp_path),
        IRIS_FIELD_HOME=str(tmp_path / ".local" / "share" / "iris-field"),
        PYTHONPATH=str(ROOT),
    )
    PICTURES.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [sys.executable, str(CHILD), str(width), str(height), str(PICTURES)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


@pytest.mark.parametrize(
    ("width", "height", "scale"), [(800, 600, 1.0), (1024, 600, 1.0), (1366, 768, 1.5)], ids=str
)
def test_nothing_is_cut_in_english_or_german(tmp_path: Path, width: int, height: int, scale: float) -> None:
    verdicts = render(tmp_path, width, height, scale)
    assert [v["language"] for v in verdicts] == ["en", "de"]
    for verdict in verdicts:
        assert verdict["cut"] == [], f"{verdict['language']}: buttons with cut words"
        assert verdict["hidden"] == [], f"{verdict['language']}: needed columns out of view"
        assert not verdict["grown"], f"{verdict['language']}: the window does not fit the screen"
        assert Path(verdict["picture"]).stat().st_size > 10_000
