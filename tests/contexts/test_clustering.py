"""Grouping places that look alike: planted groups are recovered, seeds fix the answer, names
and trust words follow the numbers."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.metrics import adjusted_rand_score

from analytics.contexts import clustering
from analytics.contexts.clustering import ContextClusterer, cluster_profiles, name_group, trust_word
from tests.synthetic_contexts import synthetic_profiles

RECOVERY_ARI = 0.9  # planted groups must be found at least this well (1 is exact)


def _truth_of(result, truth):
    """The planted group of each grouped place (synthetic ids are S + row number)."""
    return [truth[int(cid[1:])] for cid in result.members["context_id"]]


@pytest.fixture(scope="module")
def planted():
    return synthetic_profiles(120, seed=11, groups=3)


@pytest.mark.parametrize("method", list(clustering.METHODS))
def test_planted_groups_are_recovered(planted, method):
    prof, truth = planted
    result = cluster_profiles(prof, method=method, k=3 if method == "agglomerative" else None)
    assert result.k == 3
    assert adjusted_rand_score(_truth_of(result, truth), result.members["group"]) >= RECOVERY_ARI


def test_silhouette_chooses_the_planted_number_of_groups():
    prof, _ = synthetic_profiles(160, seed=5, groups=4)
    result = cluster_profiles(prof)
    assert result.k_chosen and result.k == 4
    assert max(result.silhouette_by_k, key=result.silhouette_by_k.get) == 4


def test_the_same_seed_gives_the_same_groups_names_and_trust(planted):
    prof, _ = planted
    a, b = cluster_profiles(prof, seed=3), cluster_profiles(prof, seed=3)
    assert a.members["group"].tolist() == b.members["group"].tolist()
    assert a.groups.equals(b.groups)
    assert (a.silhouette, a.stability) == (b.silhouette, b.stability)
    assert np.allclose(a.members[["x", "y"]], b.members[["x", "y"]])


def test_clear_planted_groups_are_trusted(planted):
    result = cluster_profiles(planted[0])
    assert result.silhouette_word == "clear" and result.stability_word == "clear"
    assert result.trust_sentence().startswith("Trust in these groups: clear.")


def test_noise_without_groups_is_not_trusted():
    rng = np.random.default_rng(0)
    prof, _ = synthetic_profiles(80, seed=2, groups=1)
    for column in ("night_share", "weekend_share", "risk_cce", "risk_missing"):
        prof[column] = rng.uniform(0, 1, len(prof))
    result = cluster_profiles(prof)
    assert result.trust_word in ("weak", "moderate")
    assert result.silhouette < 0.5


def test_a_set_number_of_groups_is_used(planted):
    result = cluster_profiles(planted[0], k=5)
    assert result.k == 5 and not result.k_chosen and len(result.groups) == 5
    assert result.groups["places"].sum() == len(planted[0])


def test_groups_are_lettered_largest_first(planted):
    sizes = cluster_profiles(planted[0]).groups["places"].tolist()
    assert sizes == sorted(sizes, reverse=True)


def test_groups_are_named_from_what_sets_them_apart(planted):
    names = " | ".join(cluster_profiles(planted[0]).groups["name"])
    assert "night-time transport hubs with criminal exploitation" in names
    school = next(n for n in names.split(" | ") if "schools and colleges" in n)
    assert "harmful sexual behaviour" in school and "abuse in relationships" in school
    assert "weekend parks and open spaces with sexual exploitation" in names


def test_profile_has_a_row_per_group_and_a_column_per_feature_used(planted):
    result = cluster_profiles(planted[0])
    assert list(result.profile.index) == list("ABC")
    assert list(result.profile.columns) == list(result.features)
    # Risk types no place carries separate nothing and are left out.
    assert "Trafficking" not in result.features and "Criminal exploitation" in result.features


def test_places_with_too_few_incidents_are_left_out_and_counted(planted):
    prof = planted[0].copy()
    prof.loc[:4, "incidents"] = clustering.MIN_INCIDENTS_TO_GROUP - 1
    prof.loc[5, "incidents"] = clustering.MIN_INCIDENTS_TO_GROUP
    result = cluster_profiles(prof)
    assert result.left_out == 5 and len(result.members) == len(prof) - 5
    assert "S00005" in set(result.members["context_id"])
    assert result.coverage_sentence() == (
        f"{len(prof) - 5} places with at least 10 incidents are grouped; 5 places with fewer "
        "are left out (too few incidents to show a pattern).")


def test_too_few_places_are_not_grouped():
    prof, _ = synthetic_profiles(clustering.MIN_CONTEXTS - 1, seed=1)
    with pytest.raises(ValueError, match=f"grouping needs at least {clustering.MIN_CONTEXTS}"):
        cluster_profiles(prof)


def test_places_that_do_not_differ_cannot_be_grouped():
    prof, _ = synthetic_profiles(12, seed=1, groups=1, noise=0)
    for column in prof.columns:
        if pd.api.types.is_numeric_dtype(prof[column]):
            prof[column] = prof[column].iloc[0]
    with pytest.raises(ValueError, match="do not differ"):
        cluster_profiles(prof)


def test_the_callers_frame_is_unchanged(planted):
    prof = planted[0]
    before = prof.copy()
    cluster_profiles(prof)
    pd.testing.assert_frame_equal(prof, before)


def test_area_crime_is_a_feature_only_when_loaded(planted):
    prof = planted[0].copy()
    _, features = clustering.feature_frame(prof)
    assert clustering.CRIME_FEATURE not in features
    prof["area_crime"] = np.arange(len(prof))
    _, features = clustering.feature_frame(prof)
    assert clustering.CRIME_FEATURE in features


def test_the_estimator_follows_scikit_learn_conventions():
    X = np.concatenate([np.linspace(0, 1, 10), np.linspace(5, 6, 10)]).reshape(-1, 1)
    model = ContextClusterer(n_clusters=2, n_bootstrap=5)
    assert not hasattr(model, "labels_")
    assert clone(model).get_params() == model.get_params()
    fitted = model.fit(X)
    assert fitted is model
    assert model.labels_.tolist() == [0] * 10 + [1] * 10
    assert model.cluster_centers_.shape == (2, 1)
    assert len(model.stability_by_resample_) == 5 and model.stability_ == 1.0


def test_an_unknown_method_or_a_bad_k_is_refused_plainly():
    X = np.arange(20, dtype=float).reshape(10, 2)
    with pytest.raises(ValueError, match="method must be one of"):
        ContextClusterer(method="dbscan").fit(X)
    with pytest.raises(ValueError, match="from 2 to 6; 9 was asked for"):
        ContextClusterer(n_clusters=9).fit(X)


def test_agglomerative_is_limited_to_a_size_that_fits_in_memory(monkeypatch):
    monkeypatch.setattr(clustering, "AGGLOMERATIVE_MAX", 10)
    X = np.random.default_rng(0).normal(size=(11, 2))
    with pytest.raises(ValueError, match="limited to 10 places; use k-means"):
        ContextClusterer(method="agglomerative").fit(X)


@pytest.mark.parametrize(("value", "word"), [
    (0.5, "clear"), (0.4999, "moderate"), (0.25, "moderate"), (0.2499, "weak"), (-0.3, "weak"),
])
def test_silhouette_words_at_their_thresholds(value, word):
    assert trust_word(value, clustering.SILHOUETTE_WORDS) == word


@pytest.mark.parametrize(("value", "word"), [(0.8, "clear"), (0.79, "moderate"), (0.6, "moderate"),
                                             (0.59, "weak")])
def test_stability_words_at_their_thresholds(value, word):
    assert trust_word(value, clustering.STABILITY_WORDS) == word


def test_a_name_needs_a_feature_at_least_half_a_standard_deviation_out():
    features = (clustering.BASE_FEATURES[2], clustering.RISK_FEATURES[0])
    types = pd.Series(["park", "park", "school"])
    assert name_group(pd.Series({"night_share": 0.5, "risk_cse": 0.49}), features, types) == (
        "night-time parks and open spaces")
    assert name_group(pd.Series({"night_share": -0.6, "risk_cse": 0.7}), features, types) == (
        "daytime parks and open spaces with sexual exploitation")
    mixed = pd.Series(["park", "school", "street"])
    assert name_group(pd.Series({"night_share": 0.1, "risk_cse": 0.0}), features, mixed) == (
        "places close to the average")


@pytest.mark.parametrize("n", [60, 2_500])
def test_silhouette_from_one_distance_matrix_equals_sklearns_on_the_same_places(n):
    from sklearn.metrics import silhouette_score

    rng = np.random.default_rng(3)
    z = rng.normal(size=(n, 4)) + np.repeat(rng.normal(scale=4, size=(3, 4)), -(-n // 3),
                                            axis=0)[:n]
    model = clustering.ContextClusterer(silhouette_sample=2_000)
    distances = model._distances(z)
    for k in (2, 3, 4):
        labels = clustering.KMeans(n_clusters=k, n_init=2, random_state=0).fit_predict(z)
        sample = clustering._even_sample(n, 2_000)  # the same evenly spaced places every time
        expected = silhouette_score(z[sample], labels[sample])
        assert model._silhouette(z, labels, distances) == pytest.approx(expected, abs=1e-12)


def _groups_by_place(result) -> dict[str, str]:
    return dict(zip(result.members["context_id"], result.members["group"], strict=True))


@pytest.mark.parametrize("method", ["kmeans", "agglomerative"])
def test_the_same_places_in_any_order_and_with_any_seed_give_the_same_groups(method):
    # overlapping groups, where random starts used to disagree on k and on the groups
    prof, _ = synthetic_profiles(150, seed=4, groups=4, noise=0.25)
    first = cluster_profiles(prof, method=method, seed=0)
    rng = np.random.default_rng(99)
    for seed in (1, 7, 42):
        shuffled = prof.iloc[rng.permutation(len(prof))].reset_index(drop=True)
        again = cluster_profiles(shuffled, method=method, seed=seed)
        assert again.k == first.k
        assert _groups_by_place(again) == _groups_by_place(first)
        assert again.silhouette == pytest.approx(first.silhouette, abs=1e-12)
        assert again.stability == pytest.approx(first.stability, abs=1e-12)
        assert (again.trust_word, again.stability_word) == (first.trust_word,
                                                            first.stability_word)


def test_the_demos_groups_do_not_move_with_the_seed_or_the_row_order(demo_store):
    from datetime import date

    from analytics.contexts.contexts import profiles
    from analytics.store.filters import Filters

    prof = profiles(demo_store.cursor(), Filters(start=date(2025, 1, 1), end=date(2026, 10, 31),
                                                 period="custom"))
    first = cluster_profiles(prof, seed=0)
    for seed in (3, 11):
        shuffled = prof.sample(frac=1, random_state=seed).reset_index(drop=True)
        again = cluster_profiles(shuffled, seed=seed)
        assert (again.k, again.stability_word) == (first.k, first.stability_word)
        assert _groups_by_place(again) == _groups_by_place(first)


def test_stability_is_reported_with_the_spread_of_its_resamples(planted):
    result = cluster_profiles(planted[0])
    low, high = result.stability_range
    assert low <= result.stability <= high
    assert f"from {low:.2f} to {high:.2f}" in result.trust_sentence()


def test_the_groups_can_come_first_and_their_stability_after_the_same(planted):
    prof = planted[0]
    first = cluster_profiles(prof, n_bootstrap=0)
    assert not first.measured and first.stability_word == ""
    later = clustering.with_stability(first)
    whole = cluster_profiles(prof)
    assert later.measured and first.model is not None and later.model is None
    assert (later.stability, later.stability_range, later.trust_word) == (
        whole.stability, whole.stability_range, whole.trust_word)
    assert later.trust_sentence() == whole.trust_sentence()
    assert not first.measured  # measuring it left the first answer as it was


def test_a_page_asks_for_the_groups_then_for_their_stability(demo_store):
    from analytics.store.filters import Filters

    con, filters = demo_store.cursor(), Filters(period="all")
    quick = clustering.cluster_contexts(con, filters, stability=False)
    assert not quick.measured and quick.model is None  # nothing heavy to keep in a cache
    with pytest.raises(ValueError, match="group them again"):
        clustering.with_stability(quick)
    whole = clustering.cluster_contexts(con, filters)
    assert whole.measured and whole.k == quick.k
    assert _groups_by_place(whole) == _groups_by_place(quick)
