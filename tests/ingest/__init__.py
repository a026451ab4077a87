"""Tests of analytics/ingest/, one file per module."""
