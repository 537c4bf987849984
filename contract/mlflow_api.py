"""Where MLflow's REST API lives on the lab's server: the path prefixes both sides request."""

from __future__ import annotations

API_2 = "/api/2.0/mlflow"  # tracking and registry endpoints, and the basic-auth app's users
API_3 = "/api/3.0/mlflow"  # server-info and the auth app's roles
ARTIFACTS_API = "/api/2.0/mlflow-artifacts/artifacts"  # the server's artifact proxy (--serve-artifacts)
ARTIFACT_SCHEME = "mlflow-artifacts"  # the scheme of an artifact URI the proxy serves
