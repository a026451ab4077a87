"""The words the dashboard uses, each in one plain sentence: the glossary page and the pack.

A board member meets these on every page; the method behind each is on the page itself, folded
under "How this was worked out". Kept here, apart from any page, so the glossary page, the
board pack and a test that every term is defined read one list.
"""

from __future__ import annotations

from analytics.governance.disclosure import ROUND_TO, SECONDARY, SUPPRESSED, THRESHOLD

# term -> what it means, in one or two plain sentences; in the order a reader meets them
TERMS: dict[str, str] = {
    SUPPRESSED: f"A count from 1 to {THRESHOLD - 1}, hidden in the board, lead and presenter "
                "views so that no child could be recognised from it.",
    "Rounded": f"In the board view every other count about children is rounded to the nearest "
               f"{ROUND_TO}, so two views taken together cannot give a hidden count away.",
    SECONDARY: "A figure hidden only so that a count under 5 cannot be worked out from the "
               "totals beside it.",
    "Incident": "One record from a partner of harm, or risk of harm, to a young person outside "
                "the home; one incident can carry several risk types.",
    "Risk type (harm)": "The kind of harm an incident records: sexual or criminal exploitation, "
                        "county lines, serious youth violence, going missing and others.",
    "Place": "Where an incident happened: a park, a transport hub, a takeaway, an estate, a "
             "school, a peer group or an online space.",
    "Signal": "A change in a monthly count that is too large, or lasts too long, to be the "
              "ordinary ups and downs: worth a look.",
    "Common cause": "The ordinary month-to-month variation of a count; no sign of real change.",
    "Upper and lower limits": "The range a monthly count stays within when nothing has really "
                              "changed; a month outside it is a signal.",
    "Hot spot": "A ward or area with more incidents than chance would give once its neighbours "
                "are counted too; a cold spot has fewer.",
    "More than chance": "Too large to be explained by how often each thing happens on its own; "
                        "the check allows for the many comparisons made at once.",
    "Times chance": "How many times as often two harms are recorded for the same young people "
                    "as they would be if they were unrelated: 1 is chance, 2 is twice as often.",
    "Priority score": "A score from 0 to 100 that ranks places by how much harm there is, how "
                      "fast it is rising and how serious it is, with weights a lead can change.",
    "Places that look alike": "Groups of places with a similar pattern of harm (when, which "
                              "harms, how much, whether rising), so one response fits a group.",
    "Clear or rough groups": "Clear groups are well apart and come out the same when checked "
                             "again; rough groups overlap and should be read as a starting point.",
    "Peer group": "Young people seen together in incidents more than once, linked as a group.",
    "Rate per 1,000 children": "Incidents for every 1,000 children living in a ward, so large "
                               "and small wards can be compared.",
    "Board, lead and analyst views": "What each user sees: the board figures only, rounded; "
                                     "leads filters and detail; analysts exact figures and "
                                     "records.",
}


def terms() -> list[tuple[str, str]]:
    """Every term and its meaning, in reading order."""
    return list(TERMS.items())
