"""All stages: extraction, from raw text to typed rows (no Prefect, no DuckDB)."""
