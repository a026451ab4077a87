"""Tests of analytics/contexts/, one file per module."""
