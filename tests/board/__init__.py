"""Tests of analytics/board/, one file per module."""
