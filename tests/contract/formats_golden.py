"""Rewrite the formats golden (`uv run python -m tests.contract.formats_golden`): deliberate changes only."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from tests.contract.formats import outputs
from tests.contract.test_formats_golden import GOLDEN

if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as folder:
        made = outputs(Path(folder))
    GOLDEN.write_text(json.dumps(made, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {GOLDEN}")
