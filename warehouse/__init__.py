"""Load stage: the Parquet store and the DuckDB warehouse built from it."""
