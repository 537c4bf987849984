"""``iris-export``, ``iris-release``, ``iris-keys``: ONNX export, parity, vetting, signed releases."""
