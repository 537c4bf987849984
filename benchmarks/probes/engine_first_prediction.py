"""Child: import the app's engine, load the model, predict one flower; report when done and peak RSS."""

import sys

from desktop.prediction.engine import Classifier

classifier = Classifier.load(sys.argv[1] if len(sys.argv) > 1 else None)
species = classifier.predict([5.1, 3.5, 1.4, 0.2]).species
print("BENCH ready", species, flush=True)

from peak_rss import peak_rss_kb  # noqa: E402  (after the timed part)

print("BENCH maxrss_kb", peak_rss_kb(), flush=True)
