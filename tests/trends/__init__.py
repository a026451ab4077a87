"""Tests of analytics/trends/, one file per module."""
