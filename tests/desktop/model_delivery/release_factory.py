"""Make signed releases of the bundled model in memory, as a lab's iris-export would, for the core's tests."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from desktop.model_delivery.release import ReferenceRow, Release
from desktop.model_delivery.signing import PublicKey, fingerprint_of, sign
from desktop.prediction.engine import Classifier
from desktop.prediction.model_card import CARD_FILENAME
from desktop.resources import bundled_model_path

ONNX = "iris.onnx"
REFERENCE_ROWS = np.array([[5.1, 3.5, 1.4, 0.2], [6.0, 2.7, 4.5, 1.4], [6.9, 3.1, 5.8, 2.2]])


def bundled_document() -> dict[str, Any]:
    """Return the bundled card as raw JSON, without its release block and signature."""
    document = json.loads((bundled_model_path().parent / CARD_FILENAME).read_text(encoding="utf-8"))
    return {k: v for k, v in document.items() if k not in ("release", "signature")}


@dataclass
class Lab:
    """A lab with its own signing key and registry name."""

    registry: str
    key: Ed25519PrivateKey

    @classmethod
    def new(cls, registry: str = "https://lab.example/mlflow") -> Lab:
        return cls(registry, Ed25519PrivateKey.generate())

    @property
    def public(self) -> PublicKey:
        return PublicKey(fingerprint_of(self.key.public_key()), self.key.public_key())

    @property
    def trusted(self) -> dict[str, PublicKey]:
        return {self.public.fingerprint: self.public}

    def write_public_key(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "lab.pub"
        path.write_bytes(self.public.pem())
        return path

    def release(
        self,
        sequence: int,
        *,
        version: str = "2",
        alias: str = "champion",
        edit: Callable[[dict[str, Any]], None] | None = None,
        onnx: bytes | None = None,
        signed: bool = True,
    ) -> dict[str, bytes]:
        """Return {file name: bytes} of a release; ``edit`` changes the card before it is signed."""
        classifier = Classifier.load()
        probabilities = classifier.predict_many(REFERENCE_ROWS).probability_matrix.tolist()
        release = Release(
            registry=self.registry,
            model_name="iris-classifier",
            version=version,
            alias=alias,
            sequence=sequence,
            released_at="2026-11-30T12:00:00+00:00",
            signer=self.public.fingerprint,
            reference_rows=tuple(
                ReferenceRow(tuple(r), tuple(p))
                for r, p in zip(REFERENCE_ROWS.tolist(), probabilities, strict=True)
            ),
        )
        document = bundled_document() | {
            "model_version": version,
            "alias": alias,
            "release": release.to_dict(),
        }
        if edit is not None:
            edit(document)
        if signed:
            document = sign(document, self.key)
        card = (json.dumps(document, indent=2) + "\n").encode("utf-8")
        return {CARD_FILENAME: card, ONNX: onnx if onnx is not None else bundled_model_path().read_bytes()}


def bundle_bytes(files: dict[str, bytes]) -> bytes:
    """Return a .irismodel file holding ``files``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def private_key_pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
