"""Tests of analytics/demo/, one file per module."""
