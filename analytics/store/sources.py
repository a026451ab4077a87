"""The sources every page can run on: partnership incidents, police.uk street crime, and police.uk
stop and search (of anyone, or of children only), with the words and vocabularies of each.

A source is one code in the filters and the link (`source=street`). The analyses read one table
of events, `incident_facts` (analytics/store/derived.py), where each row carries its source, so a
page asks the same question of any source; this module says what the rows of each source are
called, what stands for a "risk type" (a crime type, an object of search), and what each source
can and cannot tell (police.uk has no young people, and street crime no time of day).

police.uk publishes its categories as text ("Violence and sexual offences"); we give each a code
(`code_of`, the same rule as derived.CODE_SQL) so links carry codes only, and name any category
we have not met by its published text.

    >>> SOURCES["street"].nouns, SOURCES["street"].type_noun
    ('crimes', 'crime type')
    >>> code_of("Violence and sexual offences")
    'violence-and-sexual-offences'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from analytics.store.vocab import RISK_LABELS

INCIDENTS, STREET, SEARCH, CHILD_SEARCH = "incidents", "street", "stop_search", "stop_search_children"
CHILD_AGE_RANGES = ("under 10", "10-17")  # police.uk's age ranges of children


@dataclass(frozen=True)
class Source:
    """One source of events and the words the pages use for it."""

    code: str
    label: str  # as the source selector lists it
    noun: str  # one event: 'incident', 'crime', 'search'
    nouns: str
    type_noun: str  # what stands for a risk type
    type_nouns: str
    people: bool  # whether events name young people (peer groups, young people counts)
    time_of_day: bool  # whether events carry a time of day
    about_children: bool  # counts describe children: suppressed in board and presenter views
    population: str  # the people a rate is per 1,000 of
    harm: str = "crime"  # what rises or falls, in 'signals of rising crime'
    police: bool = True
    outcome_noun: str = ""  # what the outcome filter chooses, where there is one

    @property
    def places(self) -> str:
        """How the source's places are described."""
        return ("places" if not self.police else
                "police.uk's anonymised locations ('On or near ...')")

    def count(self, n: int | str) -> str:
        """'1 crime', '12 crimes' or '<5 crimes'."""
        return f"{n} {self.noun if str(n) == '1' else self.nouns}"


SOURCES: dict[str, Source] = {
    INCIDENTS: Source(INCIDENTS, "Partnership incidents", "incident", "incidents", "risk type",
                      "risk types", people=True, time_of_day=True, about_children=True,
                      population="children", harm="harm", police=False),
    STREET: Source(STREET, "police.uk street crime", "crime", "crimes", "crime type",
                   "crime types", people=False, time_of_day=False, about_children=False,
                   population="residents"),
    SEARCH: Source(SEARCH, "police.uk stop and search, all ages", "search", "searches",
                   "object of search", "objects of search", people=False, time_of_day=True,
                   about_children=False, population="residents", harm="searches",
                   outcome_noun="outcomes"),
    CHILD_SEARCH: Source(CHILD_SEARCH, "police.uk stop and search of children (under 18)",
                         "search", "searches", "object of search", "objects of search",
                         people=False, time_of_day=True, about_children=True,
                         population="residents", harm="searches of children",
                         outcome_noun="outcomes"),
}
# Why street crime and searches of adults are not suppressed: police.uk publishes every row of
# them openly, they describe offences and searches of anyone, not identified children, and
# DESIGN.md leaves counts that are not about children unsuppressed. Searches of children are
# about children, so they pass through analytics.governance.disclosure like incidents.

# police.uk's published categories, in the order its own pages list them.
CRIME_TYPES: tuple[str, ...] = (
    "Anti-social behaviour", "Bicycle theft", "Burglary", "Criminal damage and arson", "Drugs",
    "Other crime", "Other theft", "Possession of weapons", "Public order", "Robbery",
    "Shoplifting", "Theft from the person", "Vehicle crime", "Violence and sexual offences",
)
SEARCH_OBJECTS: tuple[str, ...] = (
    "Controlled drugs", "Offensive weapons", "Stolen goods", "Article for use in theft",
    "Articles for use in criminal damage", "Anything to threaten or harm anyone", "Firearms",
    "Fireworks", "Psychoactive substances", "Evidence of offences under the Act",
    "Evidence of wildlife offences", "Crossbows", "Goods on which duty has not been paid etc.",
    "Detailed object of search unavailable",
)
SEARCH_OUTCOMES: tuple[str, ...] = (
    "A no further action disposal", "Arrest", "Community resolution", "Khat or Cannabis warning",
    "Penalty Notice for Disorder", "Summons / charged by post", "Caution (simple or conditional)",
)
NOT_STATED = "Not stated"  # a search whose object (or outcome) police.uk leaves blank


def code_of(text: str) -> str:
    """A published category as a code: lower case, runs of other characters as one hyphen."""
    return re.sub(r"[^a-z0-9]+", "-", text.strip().lower()).strip("-") or "not-stated"


def _labels(texts: tuple[str, ...]) -> dict[str, str]:
    return {code_of(t): t for t in (*texts, NOT_STATED)}


CRIME_LABELS = _labels(CRIME_TYPES)
OBJECT_LABELS = _labels(SEARCH_OBJECTS)
OUTCOME_LABELS = _labels(SEARCH_OUTCOMES)


def source(code: str) -> Source:
    """The source with this code (partnership incidents for anything unknown)."""
    return SOURCES.get(code, SOURCES[INCIDENTS])


def risk_vocabulary(code: str) -> dict[str, str]:
    """Code -> label of what stands for a risk type in this source, in display order."""
    if code == STREET:
        return CRIME_LABELS
    if code in (SEARCH, CHILD_SEARCH):
        return OBJECT_LABELS
    return RISK_LABELS


def risk_label(code: str) -> str:
    """The label of a risk type, crime type or object of search, whatever its source; a code
    we have not met reads as its words ('other-crime-x' -> 'Other crime x')."""
    for vocabulary in (RISK_LABELS, CRIME_LABELS, OBJECT_LABELS, OUTCOME_LABELS):
        if code in vocabulary:
            return vocabulary[code]
    words = code.replace("-", " ").replace("_", " ").strip()
    return words[:1].upper() + words[1:]  # store sits below style (tests/test_layering.py)


def place_kind(code: str) -> str:
    """Which places a source's rows can be at, as place_facts.kinds lists them: 'incidents'
    (the contexts register), or police.uk's anonymised locations where it published 'street'
    crime or a 'stop_search' (a location of one is not a place of the other)."""
    if not source(code).police:
        return "incidents"
    return "street" if code == STREET else "stop_search"


def default_source(counts: dict[str, int]) -> str:
    """What the pages open on: incidents when there are any, else street crime when there is
    any, else stop and search; incidents when nothing is loaded at all."""
    for code in (INCIDENTS, STREET, SEARCH):
        if counts.get(code):
            return code
    return INCIDENTS


# police.uk names some anonymised locations by what is there ("On or near Supermarket"); the
# rest are streets ("On or near Bishopsgate"). These names map onto our context types, so the
# context-type filter and the place-type charts work on police.uk data too.
PLACE_TYPES: dict[str, str] = {
    "park/open space": "park",
    "shopping area": "shopping_centre",
    "supermarket": "shopping_centre",
    "further/higher educational building": "school",
    "bus/coach station": "transport_hub",
    "airport/airfield": "transport_hub",
    "nightclub": "youth_venue",
    "theatre/concert hall": "youth_venue",
    "sports/recreation area": "youth_venue",
    "conference/exhibition centre": "other",
    "hospital": "other",
    "police station": "other",
    "petrol station": "other",
    "prison": "other",
    "parking area": "street",
}
NO_NAME = "Unnamed location"  # a point police.uk gives no name (some stop-and-search points)


def reword(text: str, code: str) -> str:
    """A sentence or label written about incidents, in a source's words: 'Incidents per 1,000
    children by risk type' -> 'Crimes per 1,000 residents by crime type' for street crime.

    Chart builders and their tables name what they count as incidents; rather than give each
    of them the source's nouns, the page edge rewords what they return (ui/components.py).
    Incidents' own words are returned unchanged. The words put in are plain (no markup), so
    text of a str subclass keeps its type: Markdown the app wrote stays Markdown (escape.Markdown).
    """
    src = source(code)
    if not src.police:
        return text
    kind = type(text)
    for old, new in ((r"harm concentrates", f"{src.nouns} concentrate"),
                     (r"incidents", src.nouns), (r"incident", src.noun),
                     (r"risk types", src.type_nouns), (r"risk type", src.type_noun),
                     (r"harms", src.type_nouns), (r"harm", src.harm)):
        text = re.sub(rf"\b{old}\b", new, text)
        text = re.sub(rf"\b{old.capitalize()}\b", new.capitalize(), text)
    return kind(text.replace("1,000 children", f"1,000 {src.population}"))
