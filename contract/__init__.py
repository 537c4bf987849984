"""The one contract between the field laptop and the lab: every name both sides read or write.

A laptop writes a run today that the lab reads years later, through processes that share nothing but
these names. Each is declared here once and imported by ``desktop/`` and ``training/`` alike:

- ``registry``: experiments, the registered model, its aliases, release tags and file names;
- ``mlflow_tags``: MLflow's own system tags this project sets or reads;
- ``card``: the quality gate's verdicts, the version tags recording them and the card fields carrying them;
- ``environment``: the environment variables for the server, its credentials and certificates;
- ``mlflow_api``: the REST API's path prefixes on the lab's server;
- ``exit_codes``: what every command's exit status means;
- ``observation``: the fields of one observation, with their CSV header, MLflow key and kind,
  Darwin Core term, and whether the device signs them.

Rules: this package imports only the standard library (no Qt, no MLflow, no NumPy), changes only by adding,
and a name is never spelled anywhere else (``tests/contract/`` checks both).
"""
