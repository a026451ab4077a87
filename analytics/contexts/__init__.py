"""Places as contexts: their profiles, places that look alike (clustering), where to intervene
(priorities), and their charts."""
