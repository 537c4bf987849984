"""Child, the peer of ``iris-field predict --csv``: pandas reads the CSV, scikit-learn predicts every row.

argv: the CSV (columns sepal_length, sepal_width, petal_length, petal_width). The model is a logistic
regression fitted on scikit-learn's own copy of the iris data (no download). Writes the predicted
species and probabilities as CSV to /dev/null, as the app writes its table. Prints BENCH rows, peak_kb.
"""

import os
import sys

import pandas as pd
from peak_rss import peak_rss_kb
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
SPECIES = ["setosa", "versicolor", "virginica"]

features, targets = load_iris(return_X_y=True)
model = LogisticRegression(max_iter=1000).fit(features, targets)
table = pd.read_csv(sys.argv[1])
probabilities = model.predict_proba(table[FEATURES].to_numpy())
answers = pd.DataFrame(probabilities, columns=[f"p_{s}" for s in SPECIES])
answers.insert(0, "species", [SPECIES[i] for i in probabilities.argmax(axis=1)])
answers.to_csv(os.devnull, index=False)
print(f"BENCH rows {len(answers)}", flush=True)
print(f"BENCH peak_kb {peak_rss_kb()}", flush=True)
