"""The benchmark of the dashboard's page queries (see bench/README.md): run.py is the command line and
runs each way in a process of its own; workloads.py says what is timed; way_rollups.py, way_pandas.py and
way_sql.py compute it three ways (kpis.py and months.py are shared by them); compare.py checks that the
ways agree and report.py prints the result."""
