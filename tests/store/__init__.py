"""Tests of analytics/store/, one file per module."""
