"""Tests of analytics/peers/, one file per module."""
