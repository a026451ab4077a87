"""Tests of analytics/governance/, one file per module."""
