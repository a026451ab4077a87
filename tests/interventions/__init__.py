"""Tests of analytics/interventions/, one file per module."""
