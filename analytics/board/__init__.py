"""For the board: the overview, 'what changed' in words, the briefing, the presenter's slides, the
board pack and the glossary."""
