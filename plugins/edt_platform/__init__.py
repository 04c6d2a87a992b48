"""Airflow glue of the EDT platform: where a run's artifacts live, and how tasks reach them.

Lives in plugins/ because it needs Airflow (ObjectStoragePath); the domain work itself is in
include/onec_analysis and never sees Airflow.
"""
