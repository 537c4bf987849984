"""CSV in and out: measurement tables for ``predict --csv``, the history's export and import."""
