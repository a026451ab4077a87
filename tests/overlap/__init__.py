"""Tests of analytics/overlap/, one file per module."""
