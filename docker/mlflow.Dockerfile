# The MLflow tracking server of docker-compose.yml: the official image plus the PostgreSQL driver
# its backend store needs (the image ships without one).
# Build: docker build -f docker/mlflow.Dockerfile -t onec-mlflow:3.17.2 .   (compose builds it)
FROM ghcr.io/mlflow/mlflow:v3.17.2
RUN pip install --no-cache-dir "psycopg2-binary==2.9.10"
