"""Child: the seeds' path — import mlflow, load models:/…@champion, predict one flower; report peak RSS."""

import sys

import mlflow.pyfunc
import pandas as pd

model = mlflow.pyfunc.load_model(sys.argv[1])  # the tracking store comes from MLFLOW_TRACKING_URI
schema = model.metadata.get_input_schema()
columns = schema.input_names() if schema is not None else None
species = model.predict(pd.DataFrame([[5.1, 3.5, 1.4, 0.2]], columns=columns))[0]
print("BENCH ready", species, flush=True)

from peak_rss import peak_rss_kb  # noqa: E402  (after the timed part)

print("BENCH maxrss_kb", peak_rss_kb(), flush=True)
