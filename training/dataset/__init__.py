"""``iris-dataset``: the field's observations as Parquet, CSV and a Darwin Core Archive."""
