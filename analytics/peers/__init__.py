"""Peer groups: young people seen together, the groups and places they share, and their charts."""
