"""Places that look alike: cluster context profiles, name each group, and say how far to trust it.

Features are standardised (mean 0, standard deviation 1) so no one measure dominates because of
its units. The same data gives the same groups whatever the random seed or the order of its rows:
rows are put in a canonical order first, and k-means starts from the centres of Ward's
hierarchical clustering (of an evenly spaced sample of the canonical order when there are many
places), not from random starts, so nothing in the fit is random. k is chosen by silhouette over
K_RANGE unless the user sets it; Ward agglomerative clustering is the alternative. Trust is
reported two ways, each in words: silhouette (how distinct the groups are) and stability (how
often resamples of the places, grouped again the same way, give the same groups, by adjusted Rand
index; the resamples are drawn the same way every time, so the figure and its word are a property
of the data, not of a seed). Each group is named from the features where its centre sits
furthest from the average ("night-time transport hubs with criminal exploitation").

Example::

    result = cluster_contexts(store.cursor(), filters)   # k chosen by silhouette, seed 0
    result.groups                                        # letter, name, members
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace

import duckdb
import numpy as np
import pandas as pd
from scipy.cluster.hierarchy import fcluster, linkage
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.metrics import adjusted_rand_score, pairwise_distances, silhouette_score
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted, validate_data
from threadpoolctl import threadpool_limits

from analytics.contexts.contexts import (
    NIGHT_WORDS,
    NO_WARD,
    WEEKEND_WORDS,
    is_risk_column,
    profiles,
    risk_columns,
)
from analytics.places.places import shareable_name
from analytics.store import memo
from analytics.store.filters import Filters
from analytics.store.sources import risk_label
from analytics.store.vocab import RISK_LABELS

METHODS: dict[str, str] = {"kmeans": "k-means", "agglomerative": "Agglomerative (Ward)"}
K_RANGE = (2, 6)  # at most six groups: each gets its own colour and marker shape
MIN_CONTEXTS = 10  # fewer places than this are not worth grouping
MIN_INCIDENTS_TO_GROUP = 10  # a place needs this many incidents for its shares to mean much
MIN_PER_GROUP = 3  # k is capped so groups average at least this many places
N_BOOTSTRAP = 20
# Each resample draws at most this many places (with replacement), then every place joins its
# nearest resampled centre: stability by subsampling. At twelve thousand places, refitting on full
# resamples twenty times took most of the page's time (0.4 s of 1 s).
BOOTSTRAP_SAMPLE = 1000
WARD_SAMPLE = 2000  # Ward's tree (the k-means starts) is grown on at most this many places
SILHOUETTE_DECIMALS = 3  # silhouettes closer than this are a tie, and the smaller k wins
RESAMPLE_SEED = 20260  # the resamples for stability: fixed, so the figure is the data's
SILHOUETTE_SAMPLE = 1000  # silhouette is O(n^2): score a seeded sample of this many places
AGGLOMERATIVE_MAX = 2000  # Ward holds every pairwise distance and refits per resample: 5 s at 2,000, 52 s at 5,000
DEFAULT_SEED = 0
# k-means' OpenMP threads spin-wait when the cores are busy (a shared server, other sessions):
# on a loaded 2-core machine one thread was 5 to 10 times faster than two, and predictable.
THREADS = 1
NAME_Z = 0.5  # a feature names a group when its centre is this many SDs from the average
DOMINANT_SHARE = 0.5  # a context type names a group when at least this share of it is that type
# Words for trust; each list runs from the highest threshold down.
SILHOUETTE_WORDS = ((0.5, "clear"), (0.25, "moderate"), (-1.0, "weak"))
PLAIN_TRUST = {
    "clear": "These groups are clear: they stand well apart and come out the same when checked "
             "again.",
    "moderate": "These groups are fair: most places sit firmly in one, but the edges between "
                "groups are rough.",
    "weak": "These groups are only rough: read them as a starting point, not a firm division.",
}
STABILITY_WORDS = ((0.8, "clear"), (0.6, "moderate"), (-1.0, "weak"))
LETTERS = "ABCDEF"
ADVERBS = {"clear": "clearly", "moderate": "moderately", "weak": "only weakly"}

PLURALS: dict[str, str] = {
    "park": "parks and open spaces", "transport_hub": "transport hubs",
    "takeaway": "takeaways and food outlets", "shopping_centre": "shopping centres",
    "housing_estate": "housing estates", "school": "schools and colleges", "street": "streets",
    "residential": "residential addresses", "hotel": "hotels",
    "youth_venue": "youth and leisure venues", "peer_group": "peer groups",
    "online": "online platforms", "other": "other places",
}


@dataclass(frozen=True)
class Feature:
    """A clustering feature: its profile-derived column, plain label and the words for naming.

    `kind` says where a distinguishing word goes in a name: 'adjective' before the noun
    ('night-time'), 'with' after it ('with county lines'), 'trend' at the end ('incidents rising').
    """

    column: str
    label: str
    kind: str
    high: str | None
    low: str | None = None


BASE_FEATURES: tuple[Feature, ...] = (
    Feature("log_incidents", "Incidents (log scale)", "adjective", "busy", "quieter"),
    Feature("trend_share", "Rise in incidents over the period", "trend", "rising", "falling"),
    Feature("night_share", f"Share at night ({NIGHT_WORDS})", "adjective", "night-time",
            "daytime"),
    Feature("weekend_share", f"Share at the weekend ({WEEKEND_WORDS})", "adjective", "weekend",
            "weekday"),
    Feature("repeat_share", "Share of young people seen more than once", "with",
            "young people returning"),
    Feature("risk_types", "Number of risk types", "with", "several kinds of harm"),
    Feature("high_severity_share", "Share rated high severity", "with", "serious incidents"),
)
RISK_FEATURES: tuple[Feature, ...] = tuple(
    Feature(f"risk_{code}", label, "with", label.lower()) for code, label in RISK_LABELS.items())
CRIME_FEATURE = Feature("log_area_crime", "Recorded crime nearby (log scale)", "with",
                        "much recorded crime nearby")


def feature_frame(prof: pd.DataFrame) -> tuple[pd.DataFrame, tuple[Feature, ...]]:
    """The clustering features of context profiles, and which ones were used.

    Counts go on a log scale (a place with 100 incidents is not 10 times as different as one with
    10); constant columns are dropped (they separate nothing); area crime only when loaded.
    """
    frame = pd.DataFrame(index=prof.index)
    frame["log_incidents"] = np.log1p(prof["incidents"].astype(float))
    frame["trend_share"] = (prof["trend"] * prof["months"]
                            / prof["incidents"].clip(lower=1)).astype(float)
    frame["night_share"] = prof["night_share"].astype(float)
    frame["weekend_share"] = prof["weekend_share"].astype(float)
    people = prof["young_people"].astype(float)
    frame["repeat_share"] = (prof["repeat_young_people"] / people.where(people > 0)).fillna(0.0)
    frame["risk_types"] = prof["risk_types"].astype(float)
    severity = prof["high_severity_share"].astype(float)
    frame["high_severity_share"] = severity.fillna(severity.mean() if severity.notna().any() else 0)
    candidates = list(BASE_FEATURES)
    for feature in risk_features(prof):
        frame[feature.column] = prof[feature.column].astype(float)
        candidates.append(feature)
    if prof["area_crime"].notna().any():
        frame[CRIME_FEATURE.column] = np.log1p(prof["area_crime"].fillna(0).astype(float))
        candidates.append(CRIME_FEATURE)
    used = tuple(f for f in candidates if frame[f.column].nunique() > 1)
    return frame[[f.column for f in used]], used


def risk_features(prof: pd.DataFrame) -> tuple[Feature, ...]:
    """A feature for the share of each risk type the profiles carry (RISK_FEATURES for
    incidents; crime types or objects of search for police.uk)."""
    known = {f.column: f for f in RISK_FEATURES}
    return tuple(known.get(column) or Feature(column, risk_label(code), "with",
                                              risk_label(code).lower())
                 for column, code in risk_columns(prof).items())


def trust_word(value: float, words: tuple[tuple[float, str], ...]) -> str:
    """'clear', 'moderate' or 'weak' for a silhouette or stability value."""
    return next(word for threshold, word in words if value >= threshold)


class ContextClusterer(ClusterMixin, BaseEstimator):
    """Standardise, then cluster with k-means (k by silhouette unless given) or Ward; the same
    data gives the same groups whatever its row order (nothing in the fit is random).

    Parameters go in the constructor and work in `fit`; learned values end in `_`:
    labels_ (largest group 0), n_clusters_, silhouette_, silhouette_by_k_, stability_ (mean
    adjusted Rand index of `n_bootstrap` resamples), cluster_centers_ (standardised units).
    `random_state` is kept for callers that pass it; nothing depends on it.

    >>> ContextClusterer(n_clusters=2).fit(np.array([[0.], [0.1], [5.], [5.1]])).labels_
    array([0, 0, 1, 1])
    """

    def __init__(self, method: str = "kmeans", n_clusters: int | None = None,
                 k_range: tuple[int, int] = K_RANGE, n_bootstrap: int = N_BOOTSTRAP,
                 random_state: int = DEFAULT_SEED,
                 silhouette_sample: int = SILHOUETTE_SAMPLE) -> None:
        self.method = method
        self.n_clusters = n_clusters
        self.k_range = k_range
        self.n_bootstrap = n_bootstrap
        self.random_state = random_state
        self.silhouette_sample = silhouette_sample

    def _groups(self, z: np.ndarray, k: int, tree: np.ndarray | None = None) -> np.ndarray:
        """Deterministic groups of z (already in canonical order): Ward's tree cut at k, then,
        for k-means, k-means from the centres of those groups (one start, nothing random)."""
        sample = _even_sample(len(z), WARD_SAMPLE if self.method == "kmeans" else len(z))
        tree = _ward(z[sample]) if tree is None else tree
        cut = fcluster(tree, k, criterion="maxclust") - 1
        if self.method == "agglomerative":
            return cut
        centres = np.vstack([z[sample][cut == c].mean(axis=0) for c in np.unique(cut)])
        return KMeans(n_clusters=len(centres), init=centres, n_init=1).fit_predict(z)

    def _distances(self, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The places silhouette is scored on (an evenly spaced sample of SILHOUETTE_SAMPLE in
        the canonical order) and their pairwise distances, worked out once for every k."""
        index = _even_sample(len(z), self.silhouette_sample)
        return index, pairwise_distances(z[index])

    def _silhouette(self, z: np.ndarray, labels: np.ndarray,
                    distances: tuple[np.ndarray, np.ndarray] | None = None) -> float:
        if len(np.unique(labels)) < 2:
            return 0.0
        index, d = distances or self._distances(z)
        if len(np.unique(labels[index])) < 2:
            return 0.0
        return float(silhouette_score(d, labels[index], metric="precomputed"))

    def fit(self, X, y=None) -> ContextClusterer:
        """Learn the groups of X (places x features) and how stable they are."""
        with threadpool_limits(limits=THREADS):
            return self._fit(X)

    def _fit(self, X) -> ContextClusterer:
        X = validate_data(self, X, dtype=float)
        n = X.shape[0]
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {', '.join(METHODS)}, not {self.method!r}")
        if self.method == "agglomerative" and n > AGGLOMERATIVE_MAX:
            raise ValueError(f"Agglomerative grouping holds every pair of places in memory, so "
                             f"it is limited to {AGGLOMERATIVE_MAX:,} places; use k-means for "
                             f"{n:,}.")
        low, high = self.k_range
        high = min(high, n - 1, max(low, n // MIN_PER_GROUP))
        if n < 3 or high < 2:
            raise ValueError(f"Grouping needs at least three places; there are {n}.")
        self.scaler_ = StandardScaler().fit(X)
        order = _canonical(self.scaler_.transform(X))
        z = self.scaler_.transform(X)[order]
        self.silhouette_by_k_: dict[int, float] = {}
        distances = self._distances(z)
        sample = _even_sample(len(z), WARD_SAMPLE if self.method == "kmeans" else len(z))
        tree = _ward(z[sample])
        if self.n_clusters is None:
            fits = {k: self._groups(z, k, tree) for k in range(max(2, low), high + 1)}
            self.silhouette_by_k_ = {k: self._silhouette(z, lab, distances)
                                     for k, lab in fits.items()}
            k = max(self.silhouette_by_k_, key=lambda kk: (
                round(self.silhouette_by_k_[kk], SILHOUETTE_DECIMALS), -kk))
            labels = fits[k]
        else:
            k = int(self.n_clusters)
            if not 2 <= k <= min(n - 1, len(LETTERS)):
                raise ValueError(f"The number of groups must be from 2 to "
                                 f"{min(n - 1, len(LETTERS))}; {k} was asked for.")
            labels = self._groups(z, k, tree)
        labels = _by_size(labels)
        self.labels_ = np.empty(n, dtype=int)
        self.labels_[order] = labels  # back to the caller's order
        self.n_clusters_ = int(len(np.unique(labels)))
        self.silhouette_ = self._silhouette(z, labels, distances)
        self.cluster_centers_ = np.vstack([z[labels == c].mean(axis=0)
                                           for c in range(self.n_clusters_)])
        self._z, self._labels = z, labels  # in the canonical order, for measure_stability
        self.stability_by_resample_, self.stability_ = np.array([]), float("nan")
        if self.n_bootstrap:
            self._measure_stability()
        return self

    def measure_stability(self, n_bootstrap: int = N_BOOTSTRAP) -> ContextClusterer:
        """stability_ and stability_by_resample_ of a model fitted with n_bootstrap=0: so a page
        can draw the groups before the resamples (most of the time) are done."""
        self.n_bootstrap = n_bootstrap
        with threadpool_limits(limits=THREADS):
            return self._measure_stability()

    def _measure_stability(self) -> ContextClusterer:
        self.stability_by_resample_ = self._bootstrap(self._z, self._labels)
        self.stability_ = float(np.mean(self.stability_by_resample_))
        return self

    def _bootstrap(self, z: np.ndarray, labels: np.ndarray) -> np.ndarray:
        """Adjusted Rand index between the groups and those from each resample of the places
        (drawn the same way every time, from the canonical order), grouped again the same way:
        each place joins the nearest centre of its resample's groups."""
        rng = np.random.default_rng(RESAMPLE_SEED)
        scores = []
        for _ in range(self.n_bootstrap):
            idx = np.sort(rng.integers(0, len(z), min(len(z), BOOTSTRAP_SAMPLE)))
            part = z[idx]
            found = self._groups(part, self.n_clusters_)
            centres = np.vstack([part[found == c].mean(axis=0) for c in np.unique(found)])
            nearest = ((z[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2).argmin(axis=1)
            scores.append(adjusted_rand_score(labels, nearest))
        return np.array(scores)

    def transform(self, X) -> np.ndarray:
        """X in standardised units, as the groups were learned."""
        check_is_fitted(self)
        return self.scaler_.transform(validate_data(self, X, dtype=float, reset=False))


def _canonical(z: np.ndarray) -> np.ndarray:
    """An order of the rows that does not depend on the order they came in: by their values,
    first column first (equal rows are interchangeable)."""
    return np.lexsort(z.T[::-1])


def _even_sample(n: int, most: int) -> np.ndarray:
    """At most `most` positions spread evenly over 0 .. n - 1 (all of them if n is small)."""
    if n <= most:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, most).round().astype(int))


def _ward(z: np.ndarray) -> np.ndarray:
    """Ward's hierarchical clustering tree of z (scipy's linkage)."""
    return linkage(z, method="ward")


def _by_size(labels: np.ndarray) -> np.ndarray:
    """Relabel so group 0 is the largest (ties by first appearance): stable letters A, B, ..."""
    values, first, counts = np.unique(labels, return_index=True, return_counts=True)
    order = sorted(range(len(values)), key=lambda i: (-counts[i], first[i]))
    mapping = {values[i]: rank for rank, i in enumerate(order)}
    return np.array([mapping[v] for v in labels])


def name_group(centre: pd.Series, features: tuple[Feature, ...], types: pd.Series) -> str:
    """A plain name from a group's standardised centre and its members' context types.

    Up to two adjectives (in the order volume, time of day, week), the dominant context type,
    then up to three 'with' phrases (risk types first) and the trend.
    >>> name_group(pd.Series({"night_share": 1.2, "risk_cce": 0.9, "trend_share": 0.8}),
    ...            (BASE_FEATURES[1], BASE_FEATURES[2], RISK_FEATURES[1]),
    ...            pd.Series(["transport_hub"] * 3))
    'night-time transport hubs with criminal exploitation; incidents rising'
    """
    order = {f.column: i for i, f in enumerate(features)}
    strongest = (centre.reindex([f.column for f in features]).abs()
                 .sort_values(ascending=False, kind="stable"))
    by_column = {f.column: f for f in features}
    adjectives, risks, others, trend = [], [], [], None
    for column in strongest.index:
        feature, value = by_column[column], centre[column]
        word = feature.high if value >= NAME_Z else feature.low if value <= -NAME_Z else None
        if word is None:
            continue
        if column == "trend_share":
            trend = word
        elif feature.kind == "adjective" and len(adjectives) < 2:
            adjectives.append((order[column], word))
        elif feature.kind == "with":
            (risks if is_risk_column(column) else others).append(word)
    withs = (risks + others)[:3]
    shares = types.value_counts(normalize=True)
    noun = (PLURALS.get(shares.index[0], "places")
            if len(shares) and shares.iloc[0] >= DOMINANT_SHARE else "places")
    name = " ".join([*(w for _, w in sorted(adjectives)), noun])
    if withs:
        name += " with " + (withs[0] if len(withs) == 1
                            else ", ".join(withs[:-1]) + " and " + withs[-1])
    if trend:
        name += f"; incidents {trend}"
    elif not (withs or adjectives):
        name += " close to the average"
    return name


@dataclass(frozen=True)
class Clustering:
    """Groups of places that look alike, how far to trust them, and what to draw."""

    method: str
    k: int
    k_chosen: bool  # True when silhouette chose k
    silhouette: float
    silhouette_by_k: dict[int, float]
    stability: float
    stability_range: tuple[float, float]  # the lowest and highest agreement of one resample
    silhouette_word: str
    stability_word: str
    trust_word: str
    members: pd.DataFrame  # context_id, name, context_label, ward_name, incidents, group, group_name, x, y
    groups: pd.DataFrame  # group, name, places
    profile: pd.DataFrame  # group x feature label: standardised centre
    explained: tuple[float, float]  # share of variation along each PCA axis
    features: tuple[str, ...] = field(default=())
    seed: int = DEFAULT_SEED
    left_out: int = 0  # places with too few incidents to show a pattern
    min_incidents: int = 0
    model: ContextClusterer | None = field(default=None, repr=False, compare=False)

    @property
    def measured(self) -> bool:
        """Whether its stability has been measured (cluster_contexts(stability=False) has not)."""
        return not np.isnan(self.stability)

    def coverage_sentence(self) -> str:
        """'95 places with at least 10 incidents are grouped; 171 with fewer are left out.'"""
        grouped = int(self.groups["places"].sum())
        text = f"{grouped:,} places with at least {self.min_incidents} incidents are grouped"
        if self.left_out:
            fewer = "place" if self.left_out == 1 else "places"
            text += (f"; {self.left_out:,} {fewer} with fewer are left out (too few incidents "
                     "to show a pattern)")
        return text + "."

    def how_chosen(self, plain: bool = False) -> str:
        """How the number of groups was chosen: 'set by you', or by silhouette (in the board's
        words when `plain`)."""
        if not self.k_chosen:
            return "set by you"
        return "the number that gives the clearest groups" if plain else "chosen by silhouette"

    def trust_words(self, plain: bool = False) -> str:
        """The trust sentence (the board's when `plain`), or that it is still being worked out."""
        if not self.measured:
            return "Working out how far to trust them…"
        return self.plain_trust_sentence() if plain else self.trust_sentence()

    def plain_trust_sentence(self) -> str:
        """The trust in the board's words: 'These groups are clear: ...' (the figures behind it:
        trust_sentence)."""
        return PLAIN_TRUST[self.trust_word]

    def trust_sentence(self) -> str:
        """The trust in words, with the numbers for those who want them."""
        return (f"Trust in these groups: {self.trust_word}. They are "
                f"{ADVERBS[self.silhouette_word]} distinct (silhouette {self.silhouette:.2f}, on "
                f"a scale where 1 is fully separated and 0 is overlapping) and "
                f"{ADVERBS[self.stability_word]} reproducible (grouping {N_BOOTSTRAP} resamples "
                f"of the places again agrees {self.stability:.2f} with these groups on average, "
                f"from {self.stability_range[0]:.2f} to {self.stability_range[1]:.2f}, where 1 "
                "is identical and 0 is no better than chance). The same data always gives these "
                "groups and these figures.")


def cluster_profiles(prof: pd.DataFrame, method: str = "kmeans", k: int | None = None,
                     seed: int = DEFAULT_SEED, n_bootstrap: int = N_BOOTSTRAP,
                     min_incidents: int = MIN_INCIDENTS_TO_GROUP,
                     view: str = "analyst") -> Clustering:
    """Group context profiles (from contexts.profiles); raises ValueError with a plain reason.

    Only places with at least `min_incidents` incidents are grouped: the shares of one or two
    incidents are noise, and on the demo borough they blurred every group into one.
    """
    all_places = len(prof)
    prof = prof[prof["incidents"] >= min_incidents].reset_index(drop=True)
    if len(prof) < MIN_CONTEXTS:
        some = f"Only {len(prof)} of the {all_places:,} places have" if len(prof) else \
            f"None of the {all_places:,} places has"
        raise ValueError(f"{some} at least {min_incidents} incidents under these filters; "
                         f"grouping needs at least {MIN_CONTEXTS} such places. Widen the filters "
                         "to see groups.")
    frame, features = feature_frame(prof)
    if not features:
        raise ValueError("These places do not differ on any measure, so there is nothing to "
                         "group them by.")
    model = ContextClusterer(method=method, n_clusters=k, random_state=seed,
                             n_bootstrap=n_bootstrap).fit(frame.to_numpy())
    z = pd.DataFrame(model.transform(frame.to_numpy()), columns=frame.columns)
    labels = model.labels_
    pca = PCA(n_components=min(2, z.shape[1]), random_state=seed).fit(z)
    coords = pca.transform(z)
    if coords.shape[1] == 1:
        coords = np.column_stack([coords[:, 0], np.zeros(len(coords))])
    ratio = tuple(pca.explained_variance_ratio_) + (0.0,) * (2 - pca.n_components_)
    letters = [LETTERS[c] for c in labels]
    names = {}
    for c in range(model.n_clusters_):
        centre = pd.Series(model.cluster_centers_[c], index=frame.columns)
        names[LETTERS[c]] = name_group(centre, features, prof["context_type"].reset_index(
            drop=True)[labels == c])
    names = _unique(names)
    members = prof.reset_index(drop=True)[["context_id", "name", "context_label", "ward_name",
                                          "incidents"]].assign(
        name=[shareable_name(n, t, None if w == NO_WARD else w, view) for n, t, w in
              zip(prof["name"], prof["context_type"], prof["ward_name"], strict=True)],
        group=letters, group_name=[names[g] for g in letters], x=coords[:, 0], y=coords[:, 1])
    groups = (members.groupby("group").size().rename("places").reset_index()
              .assign(name=lambda g: g["group"].map(names)))[["group", "name", "places"]]
    profile = pd.DataFrame(model.cluster_centers_, columns=[f.label for f in features],
                           index=pd.Index(list(LETTERS[:model.n_clusters_]), name="group"))
    return Clustering(
        method=method, k=model.n_clusters_, k_chosen=k is None, silhouette=model.silhouette_,
        silhouette_by_k=model.silhouette_by_k_, members=members, groups=groups,
        profile=profile, explained=(float(ratio[0]), float(ratio[1])),
        features=tuple(f.label for f in features), seed=seed, left_out=all_places - len(prof),
        min_incidents=min_incidents, **_trust(model))


def _trust(model: ContextClusterer) -> dict:
    """The fields of Clustering that say how far to trust its groups; the model when their
    stability is still to be measured (with_stability)."""
    sil_word = trust_word(model.silhouette_, SILHOUETTE_WORDS)
    if not model.stability_by_resample_.size:
        return {"stability": float("nan"), "stability_range": (float("nan"), float("nan")),
                "silhouette_word": sil_word, "stability_word": "", "trust_word": sil_word,
                "model": model}
    stab_word = trust_word(model.stability_, STABILITY_WORDS)
    order = [w for _, w in SILHOUETTE_WORDS]
    return {"stability": model.stability_,
            "stability_range": (float(model.stability_by_resample_.min()),
                                float(model.stability_by_resample_.max())),
            "silhouette_word": sil_word, "stability_word": stab_word,
            "trust_word": max(sil_word, stab_word, key=order.index), "model": None}


def with_stability(groups: Clustering) -> Clustering:
    """`groups` (from cluster_contexts(stability=False)) with their stability measured: the
    same as cluster_contexts gives."""
    if groups.measured:
        return groups
    if groups.model is None:
        raise ValueError("These groups were passed on without their model; group them again.")
    return replace(groups, **_trust(copy.copy(groups.model).measure_stability(N_BOOTSTRAP)))


def _unique(names: dict[str, str]) -> dict[str, str]:
    """Tell apart groups that earned the same name by adding their letter."""
    seen = pd.Series(names).duplicated(keep=False)
    return {g: (f"{n} (group {g})" if seen[g] else n) for g, n in names.items()}


def cluster_contexts(con: duckdb.DuckDBPyConnection, filters: Filters, method: str = "kmeans",
                     k: int | None = None, seed: int = DEFAULT_SEED, view: str = "analyst",
                     stability: bool = True) -> Clustering:
    """Group the places with incidents under the filters (see cluster_profiles); places are
    named for the view, as every page names them.

    With stability=False the stability is not measured (measured is False): its 20 resamples
    are most of the time, so the page draws the groups first and asks again with it, which
    reuses these groups (kept per data version) and only measures."""
    groups = _grouped(con, filters, method=method, k=k, seed=seed, view=view)
    return with_stability(groups) if stability else replace(groups, model=None)


@memo.per_data_version()
def _grouped(con: duckdb.DuckDBPyConnection, filters: Filters, method: str, k: int | None,
             seed: int, view: str) -> Clustering:
    """The groups, their stability not yet measured (with_stability does)."""
    return cluster_profiles(profiles(con, filters), method=method, k=k, seed=seed, view=view,
                            n_bootstrap=0)
