"""Read 1C:Enterprise configurations (1C:EDT projects and Designer XML dumps) and analyse them.

A plain library: it never imports Airflow, so it runs from the ``edt-analysis`` command, a notebook
or a test; the DAGs in ``dags/`` only call into it.
"""

__version__ = "0.1.0"
