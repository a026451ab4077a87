"""Tests of ui/: the state, sidebar, links, guard, headers, Markdown and upload helpers."""
