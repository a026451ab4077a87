"""The address's own keys beside the filters' (analytics.store.filters.QUERY_KEYS): the view,
presenter mode and its slide. Imports nothing, so every ui module can read them."""

VIEW_KEY = "view"
PRESENT_KEY, SLIDE_KEY = "present", "slide"
