"""Fernley, the fictional demo borough the app opens on (and the benchmark's large data)."""
