"""Training, validation, registry, quality gate and ONNX export for Iris Field."""
