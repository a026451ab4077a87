"""How long grouping places takes, including the stability bootstrap, at 300 and 10,000 places.

Run: python -m bench.clustering [--sizes 300 2000 10000] [--repeat 3]
Profiles are synthetic (tests/synthetic_contexts.py: four planted kinds of place), so the timing
covers feature building, standardising, choosing k by silhouette, the bootstrap, naming and PCA:
everything cluster_profiles does after the profile query.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from analytics import clustering
from tests.synthetic_contexts import synthetic_profiles

CASES = (
    ("k-means, k chosen by silhouette (2 to 6)", "kmeans", None),
    ("k-means, k set to 4", "kmeans", 4),
    ("Agglomerative (Ward), k set to 4", "agglomerative", 4),
)


def time_case(n: int, method: str, k: int | None, repeat: int,
              noise: float) -> tuple[float, float, str]:
    """Median and fastest seconds over `repeat` runs, and the trust found (as a check)."""
    prof, _ = synthetic_profiles(n, seed=0, groups=4, noise=noise)
    seconds, trust = [], ""
    for _ in range(repeat):
        start = time.perf_counter()
        result = clustering.cluster_profiles(prof, method=method, k=k)
        seconds.append(time.perf_counter() - start)
        trust = f"k={result.k}, silhouette {result.silhouette:.2f}, stability {result.stability:.2f}"
    return statistics.median(seconds), min(seconds), trust


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[300, 2_000, 10_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--noise", type=float, default=0.06,
                        help="spread around each planted kind; 0.25 blurs the groups")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; "
          f"{clustering.N_BOOTSTRAP} bootstrap resamples; {clustering.THREADS} thread; "
          f"noise {args.noise}")
    for n in args.sizes:
        for label, method, k in CASES:
            if method == "agglomerative" and n > clustering.AGGLOMERATIVE_MAX:
                print(f"{n:>6,} places | {label}: not offered above "
                      f"{clustering.AGGLOMERATIVE_MAX:,} places")
                continue
            median, fastest, trust = time_case(n, method, k, args.repeat, args.noise)
            print(f"{n:>6,} places | {label}: median {median:.2f} s, fastest {fastest:.2f} s "
                  f"({trust})")
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
