# The platform image: official Airflow 3.3.2 plus this project's pinned requirements and code.
# Build: docker build -t onec-analysis-airflow:0.1.0 .   (docker-compose.yml builds it for you)
FROM apache/airflow:3.3.2-python3.11

USER root
# graphviz draws the dependency diagrams; curl serves the healthchecks; gcc builds the project's C
# code views (onec_analysis.bsl._scan; without it the project installs and runs on the slower
# Python views).
RUN apt-get update \
 && apt-get install -y --no-install-recommends graphviz curl gcc libc6-dev \
 && apt-get clean && rm -rf /var/lib/apt/lists/*
USER airflow

# Pinned set resolved for apache-airflow==3.3.2 (see requirements.in / `make lock`); installing
# apache-airflow with it keeps the image's Airflow exactly the base image's.
COPY --chown=airflow:root requirements.txt /opt/airflow/requirements.txt
RUN pip install --no-cache-dir "apache-airflow==3.3.2" -r /opt/airflow/requirements.txt

COPY --chown=airflow:root pyproject.toml README.md /opt/airflow/project/
COPY --chown=airflow:root include /opt/airflow/project/include
RUN pip install --no-cache-dir --no-deps /opt/airflow/project

COPY --chown=airflow:root dags /opt/airflow/dags
COPY --chown=airflow:root plugins /opt/airflow/plugins
COPY --chown=airflow:root config /opt/airflow/config
COPY --chown=airflow:root samples /opt/airflow/samples
