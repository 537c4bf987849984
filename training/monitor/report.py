"""Write the monitoring report: one HTML page, its PNG figures, and summary.json with every figure."""

from __future__ import annotations

import html
import json
import re
from dataclasses import asdict
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; never open a window or need a display

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from contract import observation as fields  # noqa: E402
from training import plots  # noqa: E402
from training.field import schema as fs  # noqa: E402
from training.field.table import located  # noqa: E402
from training.monitor.challenger_test import PairedResult  # noqa: E402
from training.monitor.drift import P_VALUE_BELOW, PSI_AT_LEAST, DriftReport  # noqa: E402
from training.monitor.drift_where import MIN_GROUP_ROWS, LocalDrift  # noqa: E402
from training.monitor.figures import FieldFigures, ReleaseAccuracy  # noqa: E402
from training.monitor.verdict import MonitorVerdict  # noqa: E402
from training.schema import CLASSES, FEATURES  # noqa: E402

REPORT_FILE = "report.html"
SUMMARY_FILE = "summary.json"
DRIFT_PNG = "drift.png"
LOCATIONS_PNG = "locations.png"
_COLOURS = dict(zip(CLASSES, ("#4c72b0", "#dd8452", "#55a868"), strict=True))


# Words for the report's labels (the summary keeps the keys).
CONTEXT_WORDS = {
    "champion_version": "champion (iris-classifier version)",
    "source_experiment": "laptops' experiment",
    "since": "observations made since",
    "made_at": "report made at (UTC)",
}


def summary(
    verdict: MonitorVerdict,
    field: FieldFigures,
    drift: DriftReport,
    context: dict,
    everywhere: tuple[LocalDrift, ...] = (),
    challengers: tuple[PairedResult, ...] = (),
) -> dict:
    """Return every figure of the report as plain JSON-able data."""
    return {
        "retraining_recommended": verdict.retrain,
        "action_recommended": verdict.needs_action,
        "todo": verdict.todo,
        "actions": [action.value for action, _ in verdict.actions],
        "reason": verdict.reason,
        "reasons": list(verdict.reasons),
        **context,
        "drift_where": [
            {
                "where": d.where.value,
                "name": d.name,
                "rows": d.rows,
                "feature": d.feature.name,
                "p_value": d.feature.p_value,
                "holm_p_value": d.adjusted_p,
                "psi": d.feature.psi,
                "drifted": d.drifted,
            }
            for d in everywhere
        ],
        "challengers": [asdict(c) | {"advice": c.advice.value} for c in challengers],
        "field_accuracy": field.field_accuracy,
        "drift_share": drift.share,
        "drift": {
            "reference_rows": drift.reference_rows,
            "field_rows": drift.field_rows,
            "p_value_below": P_VALUE_BELOW,
            "psi_at_least": PSI_AT_LEAST,
            "features": [asdict(f) | {"drifted": f.drifted} for f in drift.features],
        },
        "field": asdict(field),
    }


def _drift_png(reference: np.ndarray, observed: np.ndarray, path: Path) -> None:
    fig, axes = plt.subplots(2, 2, figsize=(8, 5.6), dpi=100)
    for j, (ax, spec) in enumerate(zip(axes.flat, FEATURES, strict=True)):
        bins = np.histogram_bin_edges(np.concatenate([reference[:, j], observed[:, j]]), bins=20)
        ax.hist(reference[:, j], bins=bins, density=True, alpha=0.55, label="champion's training data")
        ax.hist(observed[:, j], bins=bins, density=True, alpha=0.55, label="field")
        ax.set_title(f"{spec.label} ({spec.unit})")
    axes.flat[0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def _locations_png(table: pd.DataFrame, path: Path) -> int:
    points = located(table)
    fig, ax = plt.subplots(figsize=(6, 5), dpi=100)
    species = points[fs.CONFIRMED].where(points[fs.CONFIRMED] != "", points[fs.PREDICTED])
    for name in CLASSES:
        chosen = points[species == name]
        ax.scatter(chosen[fs.LONGITUDE], chosen[fs.LATITUDE], s=18, label=name, color=_COLOURS[name])
    ax.set_xlabel(f"{fs.LONGITUDE} ({fields.LONGITUDE.unit})")
    ax.set_ylabel(f"{fs.LATITUDE} ({fields.LATITUDE.unit})")
    ax.set_title(f"Located observations ({len(points)} of {len(table)})")
    if len(points):
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return len(points)


def _confusion_file(release: str) -> str:
    return "confusion-" + (re.sub(r"[^A-Za-z0-9.]+", "-", release).strip("-") or "release") + ".png"


def _table(header: tuple[str, ...], rows: list[tuple[object, ...]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in r) + "</tr>" for r in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _headline(verdict: MonitorVerdict) -> tuple[str, str]:
    """Return the report's headline and its list of reasons (HTML)."""
    headline = "Retraining recommended" if verdict.retrain else "Healthy"
    if verdict.needs_action and not verdict.retrain:
        headline = "Action recommended"
    return headline, "".join(f"<li>{html.escape(r)}</li>" for r in verdict.reasons or verdict.notes)


def _context_rows(context: dict) -> list[tuple[str, object]]:
    """Return the report's context as rows with words for labels."""
    return [(CONTEXT_WORDS.get(k, k.replace("_", " ")), v or "all") for k, v in context.items()]


def _where_section(everywhere: tuple[LocalDrift, ...]) -> str:
    """Return the report's section on drift in each device, observer and week."""
    drifted = [d for d in everywhere if d.drifted]
    return (
        "<h2>Drift where it happens</h2><p>Every device, observer and ISO week with at least "
        f"{MIN_GROUP_ROWS} observations is tested beside all observations; the p-values of all "
        f"{len(everywhere)} tests are Holm-adjusted before they are held against {P_VALUE_BELOW}.</p>"
        + (
            _table(
                (
                    "where",
                    "observations",
                    "measurement",
                    "training mean (cm)",
                    "field mean (cm)",
                    "KS p",
                    "Holm-adjusted p",
                    "PSI",
                ),
                [
                    (
                        d.place,
                        d.rows,
                        d.feature.label,
                        f"{d.feature.reference_mean:.2f}",
                        f"{d.feature.field_mean:.2f}",
                        f"{d.feature.p_value:.2g}",
                        f"{d.adjusted_p:.2g}",
                        f"{d.feature.psi:.2f}",
                    )
                    for d in drifted
                ],
            )
            if drifted
            else "<p>No measurement drifted anywhere.</p>"
        )
    )


def _challenger_section(challengers: tuple[PairedResult, ...]) -> str:
    """Return the report's section on the champion against each challenger version."""
    return (
        "<h2>Champion against each challenger</h2><p>On the confirmed observations both predicted; exact "
        "McNemar test on the observations only one of them named right.</p>"
        + (
            _table(
                (
                    "challenger release",
                    "paired observations",
                    "champion right",
                    "challenger right",
                    "only champion right",
                    "only challenger right",
                    "McNemar p",
                    "advice",
                ),
                [
                    (
                        c.release,
                        c.rows,
                        c.champion_correct,
                        c.challenger_correct,
                        c.champion_only,
                        c.challenger_only,
                        f"{c.p_value:.2g}",
                        c.advice.value,
                    )
                    for c in challengers
                ],
            )
            if challengers
            else "<p>No confirmed observation carries a challenger's shadow prediction.</p>"
        )
    )


def write(
    folder: Path,
    *,
    table: pd.DataFrame,
    reference: np.ndarray,
    field_values: np.ndarray,
    field: FieldFigures,
    drift: DriftReport,
    verdict: MonitorVerdict,
    context: dict,
    everywhere: tuple[LocalDrift, ...] = (),
    challengers: tuple[PairedResult, ...] = (),
) -> dict:
    """Write the report into ``folder``; return the summary it wrote as summary.json."""
    folder.mkdir(parents=True, exist_ok=True)
    _drift_png(reference, field_values, folder / DRIFT_PNG)
    _locations_png(table, folder / LOCATIONS_PNG)
    confusion_images = _confusion_pngs(field, folder)
    data = summary(verdict, field, drift, context, everywhere, challengers)
    (folder / SUMMARY_FILE).write_text(
        json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )

    headline, why = _headline(verdict)
    sections = [
        f"<h1>Iris Field monitoring: {headline}</h1><p class=verdict><b>What to do:</b> "
        f"{html.escape(verdict.todo)}</p><p><b>Why:</b></p><ul>{why}</ul>",
        _figures_section(field, drift, context),
        _drift_section(drift),
        _accuracy_section(field, confusion_images),
        _where_section(everywhere),
        _challenger_section(challengers),
        "<h2>Observations per observer, device and week</h2>"
        + _table(("observer", "observations"), list(field.per_observer.items()))
        + _table(("device", "observations"), list(field.per_device.items()))
        + _table(("week", "observations"), list(field.per_week.items())),
        f'<h2>Where</h2><img src="{LOCATIONS_PNG}" alt="located observations by latitude and longitude">',
    ]
    page = (
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>Iris Field monitoring</title><style>"
        "body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em}"
        "table{border-collapse:collapse;margin:.5em 1em 1em 0;display:inline-table;vertical-align:top}"
        "td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left}.verdict{font-size:1.15em}"
        "img{max-width:100%;margin:.5em 0}</style></head><body>" + "".join(sections) + "</body></html>\n"
    )
    (folder / REPORT_FILE).write_text(page, encoding="utf-8")
    return data


def _confusion_pngs(field: FieldFigures, folder: Path) -> list[tuple[ReleaseAccuracy, str]]:
    """Draw each release's confusion matrix into ``folder``; return the releases with their image's name."""
    confusion_images = []
    for release in field.releases:
        name = _confusion_file(release.release)
        title = f"{release.release}: {release.correct}/{release.confirmed} right"
        plots.confusion_matrix_png(
            np.array(release.confusion), folder / name, title, truth="confirmed species"
        )
        confusion_images.append((release, name))
    return confusion_images


def _figures_section(field: FieldFigures, drift: DriftReport, context: dict) -> str:
    """Return the headline figures' section: counts, field accuracy, drift and the checks' rates."""
    return "<h2>Headline figures</h2>" + _table(
        ("figure", "value"),
        [
            ("observations", field.observations),
            ("confirmed by a botanist", field.confirmed),
            ("field accuracy (confirmed)", _rate(field.field_accuracy)),
            ("measurements drifted", f"{len(drift.drifted)} of {len(drift.features)}"),
            ("unusual measurement rate", _rate(field.unusual_rate)),
            ("uncertain prediction rate", _rate(field.uncertain_rate)),
            ("outlier rate (joint check)", _rate(field.outlier_rate)),
            *_context_rows(context),
        ],
    )


def _drift_section(drift: DriftReport) -> str:
    """Return the drift section: each measurement's K-S test and PSI against the champion's training data."""
    return (
        f"<h2>Drift against the champion's training data</h2><p>A measurement drifts when the "
        f"Kolmogorov–Smirnov test gives p &lt; {P_VALUE_BELOW} and the PSI is at least {PSI_AT_LEAST}.</p>"
        + _table(
            (
                "measurement",
                "training mean (cm)",
                "field mean (cm)",
                "KS statistic",
                "p-value",
                "PSI",
                "drifted",
            ),
            [
                (
                    f.label,
                    f"{f.reference_mean:.2f}",
                    f"{f.field_mean:.2f}",
                    f"{f.ks_statistic:.3f}",
                    f"{f.p_value:.2g}",
                    f"{f.psi:.3f}",
                    "yes" if f.drifted else "no",
                )
                for f in drift.features
            ],
        )
        + f'<img src="{DRIFT_PNG}" alt="histograms of the four measurements, training data against field">'
    )


def _accuracy_section(field: FieldFigures, confusion_images: list[tuple[ReleaseAccuracy, str]]) -> str:
    """Return the field accuracy of each model release, with its confusion matrix."""
    return "<h2>Field accuracy per model release</h2>" + (
        _table(
            ("release", "confirmed", "right", "accuracy"),
            [(r.release, r.confirmed, r.correct, _rate(r.accuracy)) for r in field.releases],
        )
        + "".join(
            f'<img src="{name}" alt="confusion matrix of {html.escape(r.release)}">'
            for r, name in confusion_images
        )
        if field.releases
        else "<p>No observation has a confirmed species yet.</p>"
    )
