"""The data every part reads: the DuckDB store and its migrations, the derived tables, filters,
vocabularies, sources, reference facts, wards of points and the memo; imports no other package."""
