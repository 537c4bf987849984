"""Side-by-side benchmarks of the app against the seeds' MLflow path: ``uv run python -m benchmarks``."""
