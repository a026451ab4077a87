"""Tests of the benchmark (bench/): its registry of pages and its pandas twins."""
