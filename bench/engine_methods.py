"""Per-group engine calls: evaluations per second for each method on typical histories."""

import random
import time
from datetime import date, timedelta

from proficio.engine import METHODS, evaluate

GROUPS = 20_000


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
    return results
