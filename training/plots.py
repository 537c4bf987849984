"""The figures logged with every run: confusion matrix and feature importance."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; never open a window or need a display

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from training.schema import CLASSES, FEATURES  # noqa: E402


def confusion_matrix_png(
    confusion: np.ndarray, path: Path, title: str, *, truth: str = "true species"
) -> Path:
    """Draw the confusion matrix (``truth`` down, predicted species across) into ``path``."""
    fig, ax = plt.subplots(figsize=(4.8, 4.2), dpi=100)
    ax.imshow(confusion, cmap="Blues")
    ax.set_xticks(range(len(CLASSES)), CLASSES)
    ax.set_yticks(range(len(CLASSES)), CLASSES)
    ax.set_xlabel("predicted species")
    ax.set_ylabel(truth)
    ax.set_title(title)
    threshold = confusion.max() / 2 if confusion.size else 0
    for (i, j), count in np.ndenumerate(confusion):
        ax.text(j, i, str(count), ha="center", va="center", color="white" if count > threshold else "black")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def feature_importance_png(importances: np.ndarray, path: Path) -> Path:
    """Draw the model's feature importances as horizontal bars into ``path``."""
    fig, ax = plt.subplots(figsize=(5.2, 3.2), dpi=100)
    labels = [f"{f.label} ({f.unit})" for f in FEATURES]
    order = np.argsort(importances)
    ax.barh([labels[i] for i in order], importances[order], color="#4c72b0")
    ax.set_xlabel("importance (mean decrease in impurity)")
    ax.set_title("Feature importance")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path
