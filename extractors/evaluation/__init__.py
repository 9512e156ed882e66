"""Evaluation: scoring the stages against third-party gold data."""
