"""Runtime hook (Windows): load ONNX Runtime before anything can load Qt.

Qt's wheels carry an older MSVC runtime; the first copy loaded serves the whole process and
onnxruntime crashes with the old one. The spec filters Qt's copies out; loading onnxruntime first
makes sure the newest copy wins even if one slipped through.
"""

import contextlib

# A missing or broken ONNX Runtime is reported by the app itself, in words and in the log.
with contextlib.suppress(ImportError):
    import onnxruntime  # noqa: F401
