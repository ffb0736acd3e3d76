"""The thin Dagster layer: assets, checks, schedule and sensor around plain pipeline functions."""
