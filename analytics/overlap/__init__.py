"""Which harms occur together, for the same young people or places, and its charts."""
