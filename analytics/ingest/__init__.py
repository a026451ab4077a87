"""Where a load begins: file -> checked rows -> one transaction, and rollback; readers, cell and
row checks, mappings, police.uk, boundaries, incident records."""
