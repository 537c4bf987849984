"""Take docs/lab.md's screenshots of the MLflow UI from a real server, with headless Chromium.

Starts a throw-away ``mlflow server``, syncs two laptops' observations into it with the app's own sync
(some corrected by a botanist), trains a champion, runs ``iris-dataset`` and ``iris-monitor``, and
photographs the field experiment's runs table and the monitoring run. Needs Debian's ``chromium``.

The runs table is shown as lab staff see it after adding the columns the experiment's description names
under "Columns" (and closing the assistant panel): the browser reaches the server through a loopback proxy
that first writes those choices into the UI's ``localStorage``, where the UI keeps them (see
``browser_state_proxy.py`` and ``ui_choices``).

    uv run python docs/screenshots/lab_screens.py [--out docs/screens] [--keep]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
from contextlib import redirect_stdout
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from desktop.sync.experiment_view import METRIC_COLUMNS, TAG_COLUMNS  # noqa: E402
from docs.screenshots.browser_state_proxy import BrowserStateProxy  # noqa: E402
from tests.mlflow_test_server import MlflowServer, experiment_id, list_runs  # noqa: E402
from tests.training.field.laptops import confirm, iris_observations, mispredicted, save, sync  # noqa: E402
from training import train  # noqa: E402
from training.dataset import collect as field_dataset  # noqa: E402
from training.monitor import field_check as field_monitor  # noqa: E402

FIELD_EXPERIMENT = "field-observations"
ML_VIEW = "workflowType=machine_learning"  # the UI's model-training pages (its default is GenAI)


def column_id(group: str, key: str) -> str:
    """Return the runs table's id for a column, as MLflow's UI writes it: ``tags.`observer```."""
    return f"{group}.`{key}`"


def ui_choices(field_experiment_id: str) -> dict[str, str]:
    """Return the ``localStorage`` entries MLflow 3.17.2's UI writes when a user makes this page's choices.

    Read from the UI shipped in the locked wheel (mlflow/server/js/build): the runs page keeps its state per
    set of experiments under ``MLflowLocalStorage-1.1-ExperimentPage-<JSON list of ids>-ReactComponentState``
    (LocalStorageUtils, persistSearchFacets); ``selectedColumns`` is what "Columns" ticks, ``columnOrder``
    and ``columnWidths`` what dragging a header does (the run name widened so a corrected run's whole name
    shows). The assistant panel opens by itself on a server at localhost once per browser
    (``mlflow.assistant.fab.autoOpenedOnFirstLoad``) and remembers being closed (``panelOpen``).
    """
    chosen = [column_id("metrics", key) for key in METRIC_COLUMNS] + [
        column_id("tags", key) for key in TAG_COLUMNS
    ]
    run_name = column_id("attributes", "Run Name")
    runs_page = {
        "selectedColumns": chosen,
        "columnOrder": [run_name, *chosen],
        "columnWidths": {
            run_name: 290,
            column_id("tags", "device"): 150,
            column_id("tags", "confirmed_species"): 150,
        },
    }
    ids = json.dumps([field_experiment_id], separators=(",", ":"))  # the UI's JSON.stringify(ids.sort())
    return {
        f"MLflowLocalStorage-1.1-ExperimentPage-{ids}-ReactComponentState": json.dumps(runs_page),
        "mlflow.assistant.fab.autoOpenedOnFirstLoad_v1": "true",
        "mlflow.assistant.panelOpen_v1": "false",
    }


def chromium() -> str:
    """Return the Chromium executable, or exit with one sentence."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if found := shutil.which(name):
            return found
    sys.exit("lab_screens: Chromium is missing; on Debian: apt-get install -y chromium")


def shoot(url: str, png: Path, profile: Path, window: str = "1500,950") -> None:
    """Open ``url`` in headless Chromium, let the page settle, and save a screenshot as ``png``."""
    subprocess.run(
        [
            chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            f"--user-data-dir={profile}",
            f"--window-size={window}",
            "--virtual-time-budget=25000",
            f"--screenshot={png}",
            url,
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    print(f"wrote {png}")


def fill(server: MlflowServer, work: Path) -> None:
    """Sync two laptops, correct a few species, then train, collect and monitor as the lab would."""
    os.environ["IRIS_FIELD_HOME"] = str(work / "home")
    ada = iris_observations(24, seed=1, observer="Ada")
    ben = iris_observations(16, seed=2, observer="Ben", start_day=3)
    truth = {o.id: o.predicted_species for o in ben[-3:]}  # the newest three: they top the runs table
    wrong = {"setosa": "versicolor", "versicolor": "virginica", "virginica": "versicolor"}
    ben[-3:] = [mispredicted(o, wrong[o.predicted_species]) for o in ben[-3:]]
    laptops = {
        "field-laptop-ada": (work / "ada.sqlite3", ada),
        "field-laptop-ben": (work / "ben.sqlite3", ben),
    }
    for device, (history, observations) in laptops.items():
        save(history, observations)
        sync(history, server.url, FIELD_EXPERIMENT, device)
    confirm(work / "ben.sqlite3", truth | {ben[-5].id: ben[-5].predicted_species})
    sync(work / "ben.sqlite3", server.url, FIELD_EXPERIMENT, "field-laptop-ben")
    with redirect_stdout(io.StringIO()):
        train.main(["--tracking-uri", server.url, "--cv-repeats", "2"])
    field_dataset.main(["--tracking-uri", server.url, "--out", str(work / "snapshot")])
    field_monitor.main(["--tracking-uri", server.url, "--out", str(work / "report")])


def main(argv: list[str] | None = None) -> int:
    """Start a server, fill it, take the screenshots."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screens")
    parser.add_argument("--keep", action="store_true", help="leave the server's folder behind")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="iris-lab-screens-"))
    server = MlflowServer(work / "server")
    server.start()
    try:
        fill(server, work)
        args.out.mkdir(parents=True, exist_ok=True)
        field_id = experiment_id(server.url, FIELD_EXPERIMENT)
        monitoring = list_runs(server.url, "field-monitoring")[0]
        monitoring_id = experiment_id(server.url, "field-monitoring")
        with BrowserStateProxy(server.url, ui_choices(field_id)) as proxy:
            runs = proxy.seed_url(f"/#/experiments/{field_id}/runs?{ML_VIEW}")
            shoot(runs, args.out / "lab-runs-table.png", work / "profile")
            run_page = proxy.seed_url(f"/#/experiments/{monitoring_id}/runs/{monitoring.run_id}?{ML_VIEW}")
            shoot(run_page, args.out / "lab-monitoring-run.png", work / "profile", window="1500,1150")
        summary = json.loads((work / "report" / "summary.json").read_text(encoding="utf-8"))
        print(f"monitoring: {summary['reason']}")
    finally:
        server.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
