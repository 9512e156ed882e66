"""Orchestration: the Prefect flow and the command line."""
