"""Counts over time judged with SPC (ptd_spc), signals worth a look, and the trend charts."""
