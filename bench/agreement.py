"""Agreement statistics at calibration scale (issue 15): a units × raters matrix of 10,000 ×
20 with a tenth of the ratings missing, each statistic's seconds (target: under 1 s).

    python -m bench.agreement
"""

import json
import random
import time

from proficio.engine.agreement import (
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha,
    percent_agreement,
)

UNITS, RATERS = 10_000, 20
MISSING = 0.1


def matrix(seed: int = 15) -> list[list[int | None]]:
    """Raters who mostly agree: each unit's true level, read one level off now and then."""
    rng = random.Random(seed)
    rows = []
    for _ in range(UNITS):
        truth = rng.randint(1, 4)
        rows.append(
            [
                None
                if rng.random() < MISSING
                else min(4, max(1, truth + rng.choice((0, 0, 0, 0, -1, 1))))
                for _ in range(RATERS)
            ]
        )
    return rows


def _seconds(call) -> tuple[float, object]:
    began = time.perf_counter()
    value = call()
    return round(time.perf_counter() - began, 3), value


def run() -> dict:
    ratings = matrix()
    first = [row[0] for row in ratings]
    second = [row[1] for row in ratings]
    figures = {}
    for name, call in {
        "krippendorff_alpha_ordinal": lambda: krippendorff_alpha(ratings, "ordinal"),
        "krippendorff_alpha_interval": lambda: krippendorff_alpha(ratings, "interval"),
        "fleiss_kappa": lambda: fleiss_kappa(ratings),
        "percent_agreement_adjacent": lambda: percent_agreement(ratings, tolerance=1),
        "cohen_kappa_quadratic_pair": lambda: cohen_kappa(first, second, "quadratic"),
    }.items():
        seconds, value = _seconds(call)
        figures[name] = {"seconds": seconds, "value": round(value, 4), "under_1_s": seconds < 1}
    return {"units": UNITS, "raters": RATERS, "missing": MISSING, **figures}


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
