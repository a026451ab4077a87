"""Tests of analytics/places/, one file per module."""
