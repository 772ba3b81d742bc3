"""Per-group engine calls: evaluations per second for each method on typical histories."""

import random
import time
from datetime import date, timedelta

from proficio.engine import METHODS, evaluate
from proficio.engine.pace import Rating, work_history

GROUPS = 20_000
# Ratings at one stage, never mastered, so each day's replay looks at all of them.
PACE_SIZES = (10, 40, 160, 640)


def run() -> dict:
    rng = random.Random(7)
    histories = []
    for _ in range(GROUPS):
        size = rng.randint(1, 12)
        scores = [float(rng.randint(1, 4)) for _ in range(size)]
        days = [date(2026, 1, 1) + timedelta(days=7 * i) for i in range(size)]
        histories.append((scores, days))
    results = {}
    for method in METHODS:
        start = time.perf_counter()
        for scores, days in histories:
            evaluate(method=method, scores=scores, observed=days, threshold=3.0, minimum_evidence=2)
        elapsed = time.perf_counter() - start
        results[method] = {"evaluations_per_s": round(GROUPS / elapsed)}
    results["work_history_us"] = {str(size): _work_history_us(size) for size in PACE_SIZES}
    return results


def _work_history_us(size: int) -> float:
    """Microseconds to replay `size` ratings at one stage, one a day (pace per student)."""
    ratings = [
        Rating(date(2026, 1, 1) + timedelta(days=day), 1, 2.0 + (day % 2) * 0.5)
        for day in range(size)
    ]
    repeats = max(1, 4000 // size)
    start = time.perf_counter()
    for _ in range(repeats):
        work_history(
            stages=[1, 2, 3],
            ratings=ratings,
            method="mean",
            params={},
            threshold=3.0,
            minimum_evidence=2,
            higher_implies_lower=True,
        )
    return round((time.perf_counter() - start) / repeats * 1e6, 1)
