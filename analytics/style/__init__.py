"""The charts' house style: the colour-blind-safe palette, titles and captions, hidden marks; every
chart builder draws with it."""
