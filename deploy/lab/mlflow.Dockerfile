# The lab's MLflow server image: the versions locked in uv.lock (a test checks they agree).
FROM python:3.11-slim
RUN pip install --no-cache-dir "mlflow[auth]==3.17.2" psycopg2-binary==2.9.13 boto3
RUN useradd --create-home mlflow && mkdir -p /srv/mlflow/artifacts && chown mlflow /srv/mlflow/artifacts
USER mlflow
EXPOSE 5000
