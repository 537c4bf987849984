"""The prediction: the ONNX engine, the model card, the measurement rules, the unusual-flower check."""
