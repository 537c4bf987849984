"""Locate bundled assets, both from a source checkout and inside a frozen PyInstaller bundle."""

import sys
from pathlib import Path

from contract.registry import ONNX_FILENAME


def assets_dir() -> Path:
    """Return the folder that holds the app's assets (model, icons, translations)."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root is not None:
        return Path(frozen_root) / "assets"
    return Path(__file__).resolve().parent.parent / "assets"


def asset_path(*parts: str) -> Path:
    """Return the path of one asset, e.g. ``asset_path("model", "iris.onnx")``."""
    return assets_dir().joinpath(*parts)


def bundled_model_path() -> Path:
    """Return the path of the ONNX model the app ships with."""
    return asset_path("model", ONNX_FILENAME)
