"""Controlled vocabularies: risk types, context types, agencies and severity.

Partners' own codes are mapped onto these on upload; every page, filter and glossary reads
its labels from here, so a code has one plain-English name everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    """One entry of a controlled vocabulary: a stable code, a plain label, a short definition."""

    code: str
    label: str
    definition: str


RISK_TYPES: tuple[Term, ...] = (
    Term("cse", "Sexual exploitation",
         "A young person is coerced or manipulated into sexual activity in exchange for something they need or want."),
    Term("cce", "Criminal exploitation",
         "A young person is coerced or manipulated into criminal activity for someone else's gain."),
    Term("county_lines", "County lines",
         "Drug dealing across areas using dedicated phone lines, with young people made to carry or sell."),
    Term("trafficking", "Trafficking",
         "A young person is moved, within the UK or across borders, in order to be exploited."),
    Term("modern_slavery", "Modern slavery",
         "A young person is held in servitude or forced labour."),
    Term("gangs", "Gang involvement",
         "A young person is drawn into a group that uses violence or intimidation."),
    Term("syv", "Serious youth violence",
         "Violence causing or intended to cause serious injury, involving young people as victims or perpetrators."),
    Term("hsb", "Harmful sexual behaviour",
         "Sexual behaviour by a young person that is developmentally inappropriate or harmful to others."),
    Term("radicalisation", "Radicalisation",
         "A young person is drawn towards extremist ideas or groups."),
    Term("missing", "Going missing",
         "A young person is missing from home or care, or their whereabouts are unknown."),
    Term("relationship_abuse", "Abuse in relationships",
         "Controlling, coercive, violent or sexual abuse between young people in a relationship."),
)

CONTEXT_TYPES: tuple[Term, ...] = (
    Term("park", "Park or open space", "Parks, playing fields, canal paths and other open spaces."),
    Term("transport_hub", "Transport hub", "Stations, bus stations and interchanges."),
    Term("takeaway", "Takeaway or food outlet", "Takeaways, fast-food shops and cafés."),
    Term("shopping_centre", "Shopping centre", "Shopping centres, retail parks and high streets."),
    Term("housing_estate", "Housing estate", "Estates and their shared spaces: stairwells, garages, walkways."),
    Term("school", "School or college", "Schools, colleges, pupil referral units and their surroundings."),
    Term("street", "Street", "Streets, alleys and car parks not covered by another type."),
    Term("residential", "Residential address", "Private homes, including addresses used to exploit young people."),
    Term("hotel", "Hotel", "Hotels, hostels and short-let properties."),
    Term("youth_venue", "Youth or leisure venue", "Youth clubs, leisure centres, gyms and entertainment venues."),
    Term("peer_group", "Peer group", "A group of young people who spend time together."),
    Term("online", "Online platform", "Social media, messaging apps and gaming platforms."),
    Term("other", "Other", "Any context not covered by the types above."),
)

AGENCIES: tuple[Term, ...] = (
    Term("police", "Police", "Police force records."),
    Term("childrens_social_care", "Children's social care", "Council children's services."),
    Term("education", "Education", "Schools, colleges and the education service."),
    Term("health", "Health", "NHS trusts, GPs and school nurses."),
    Term("youth_services", "Youth services", "Youth work, youth justice and detached youth teams."),
    Term("voluntary_sector", "Voluntary sector", "Charities and community organisations."),
)

SEVERITY_LABELS: dict[int, str] = {1: "Low", 2: "Medium", 3: "High"}


def codes(terms: tuple[Term, ...]) -> tuple[str, ...]:
    """The codes of a vocabulary, in display order."""
    return tuple(t.code for t in terms)


def labels(terms: tuple[Term, ...]) -> dict[str, str]:
    """Code -> plain label for a vocabulary."""
    return {t.code: t.label for t in terms}


RISK_LABELS = labels(RISK_TYPES)
CONTEXT_LABELS = labels(CONTEXT_TYPES)
AGENCY_LABELS = labels(AGENCIES)

# Places named only in the analyst view; elsewhere "a home address in <ward>" (places.shareable_name)
PRIVATE_TYPES = frozenset({"residential"})
