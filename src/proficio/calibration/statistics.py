"""What a session's ratings say: the spread of each piece, agreement between the raters
(exact, adjacent, quadratic-weighted κ for each pair, Krippendorff's α ordinal overall and
per stage), and each teacher's drift from the group's consensus over time.

Levels are read as their rank on the stage's scale (first level 0, the next 1, …), so
"adjacent" means one level apart on any scale, and a difference of 1 is one level."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import combinations

from django.utils.translation import gettext as _

from proficio.calibration.models import CalibrationSession, PieceRating, SessionPiece
from proficio.engine.agreement import (
    alpha_words,
    cohen_kappa,
    krippendorff_alpha,
    percent_agreement,
)
from proficio.frameworks.api import Competency, ScaleLevel
from proficio.people.api import Person


class Levels:
    """Each competency's scale levels, in order, read once per competency."""

    def __init__(self) -> None:
        self._levels: dict[int, list[ScaleLevel]] = {}

    def of(self, competency: Competency) -> list[ScaleLevel]:
        if competency.pk not in self._levels:
            self._levels[competency.pk] = list(competency.effective_scale.levels.order_by("value"))
        return self._levels[competency.pk]

    def rank(self, competency: Competency, value: Decimal) -> int:
        """The level's rank on the scale (first 0); a value no longer on it, the nearest."""
        values = [level.value for level in self.of(competency)]
        if value in values:
            return values.index(value)
        return min(range(len(values)), key=lambda n: abs(values[n] - value), default=0)

    def rated(self, rating: PieceRating) -> int:
        """A rating's rank as kept when it was given."""
        if rating.rank is not None:
            return rating.rank
        return self.rank(rating.piece.competency, rating.level)

    def agreed(self, piece: SessionPiece) -> int:
        if piece.consensus_rank is not None:
            return piece.consensus_rank
        return self.rank(piece.competency, piece.consensus_level)

    def label(self, competency: Competency, value: Decimal | None) -> str:
        if value is None:
            return ""
        found = next((level for level in self.of(competency) if level.value == value), None)
        return str(found) if found else str(value.normalize())


@dataclass(frozen=True)
class LevelCount:
    level: ScaleLevel
    count: int
    percent: int


@dataclass(frozen=True)
class PieceSpread:
    piece: SessionPiece
    ratings: list[PieceRating]
    counts: list[LevelCount]
    # Levels between the lowest and the highest rating (0: everyone agreed).
    spread: int
    consensus_label: str

    @property
    def agreed(self) -> bool:
        return self.spread == 0


@dataclass(frozen=True)
class PairAgreement:
    first: Person
    second: Person
    kappa: float | None
    exact: float | None
    pieces: int


@dataclass(frozen=True)
class StageAgreement:
    competency: Competency
    stage: int
    pieces: int
    alpha: float | None
    reading: str


@dataclass(frozen=True)
class SessionAgreement:
    raters: list[Person]
    pieces: list[PieceSpread]
    exact: float | None
    adjacent: float | None
    alpha: float | None
    reading: str
    pairs: list[PairAgreement]
    stages: list[StageAgreement]


def session_agreement(session: CalibrationSession) -> SessionAgreement:
    """The agreement among the raters who submitted, over the session's pieces."""
    levels = Levels()
    pieces = list(
        session.pieces.select_related("competency__scale", "competency__framework__scale", "stage")
    )
    submitted = list(
        session.raters.filter(submitted_at__isnull=False).select_related("person").order_by("pk")
    )
    raters = [rater.person for rater in submitted]
    column = {person.pk: n for n, person in enumerate(raters)}
    ratings = PieceRating.objects.filter(piece__in=pieces, rater_id__in=column).select_related(
        "rater"
    )
    by_piece: dict[int, list[PieceRating]] = defaultdict(list)
    for rating in ratings.order_by("piece_id", "rater__last_name", "rater__first_name"):
        by_piece[rating.piece_id].append(rating)
    matrix: list[list[float | None]] = []
    spreads = []
    for piece in pieces:
        row: list[float | None] = [None] * len(raters)
        for rating in by_piece[piece.pk]:
            rating.piece = piece
            row[column[rating.rater_id]] = levels.rated(rating)
        matrix.append(row)
        spreads.append(_spread(piece, by_piece[piece.pk], levels))
    alpha = krippendorff_alpha(matrix, level="ordinal") if raters else None
    return SessionAgreement(
        raters=raters,
        pieces=spreads,
        exact=percent_agreement(matrix) if raters else None,
        adjacent=percent_agreement(matrix, tolerance=1) if raters else None,
        alpha=alpha,
        reading=alpha_words(alpha),
        pairs=_pairs(raters, matrix, pieces, levels),
        stages=_stages(pieces, matrix),
    )


def _spread(piece: SessionPiece, ratings: list[PieceRating], levels: Levels) -> PieceSpread:
    scale = levels.of(piece.competency)
    counts = {level.value: 0 for level in scale}
    for rating in ratings:
        counts[rating.level] = counts.get(rating.level, 0) + 1
    ranks = [levels.rated(rating) for rating in ratings]
    return PieceSpread(
        piece=piece,
        ratings=ratings,
        counts=[
            LevelCount(
                level=level,
                count=counts[level.value],
                percent=round(100 * counts[level.value] / len(ratings)) if ratings else 0,
            )
            for level in scale
        ],
        spread=max(ranks) - min(ranks) if ranks else 0,
        consensus_label=levels.label(piece.competency, piece.consensus_level),
    )


def _pairs(raters, matrix, pieces, levels: Levels) -> list[PairAgreement]:
    """Quadratic-weighted κ for each two raters over the pieces both rated; the labels are
    every rank of the longest scale among the pieces, so a level no one chose still counts."""
    labels = list(range(max((len(levels.of(piece.competency)) for piece in pieces), default=0)))
    pairs = []
    for (i, first), (j, second) in combinations(enumerate(raters), 2):
        a = [row[i] for row in matrix]
        b = [row[j] for row in matrix]
        both = [(x, y) for x, y in zip(a, b, strict=True) if x is not None and y is not None]
        pairs.append(
            PairAgreement(
                first=first,
                second=second,
                kappa=cohen_kappa(a, b, weights="quadratic", labels=labels) if both else None,
                exact=sum(x == y for x, y in both) / len(both) if both else None,
                pieces=len(both),
            )
        )
    return pairs


def _stages(pieces: list[SessionPiece], matrix) -> list[StageAgreement]:
    groups: dict[tuple[int, int], list[int]] = defaultdict(list)
    for n, piece in enumerate(pieces):
        groups[(piece.competency_id, piece.stage.ordinal)].append(n)
    found = []
    for (_competency_id, stage), rows in groups.items():
        # One piece tells nothing about how a stage is read: α needs two or more.
        alpha = (
            krippendorff_alpha([matrix[n] for n in rows], level="ordinal")
            if len(rows) > 1
            else None
        )
        found.append(
            StageAgreement(
                competency=pieces[rows[0]].competency,
                stage=stage,
                pieces=len(rows),
                alpha=alpha,
                reading=alpha_words(alpha),
            )
        )
    return found


@dataclass(frozen=True)
class DriftExample:
    rating: PieceRating
    difference: int
    rating_label: str
    consensus_label: str


@dataclass
class Drift:
    """How one teacher's ratings sat against the consensus: the mean signed difference in
    levels (below 0: harsher than the group; above: more lenient), exact and adjacent rates."""

    ratings: int = 0
    total: int = 0
    exact: int = 0
    adjacent: int = 0
    # Within this many levels of the consensus on average, a teacher reads in line with it.
    in_line: float = 0.25

    def add(self, difference: int) -> None:
        self.ratings += 1
        self.total += difference
        self.exact += difference == 0
        self.adjacent += abs(difference) <= 1

    @property
    def mean(self) -> float | None:
        return self.total / self.ratings if self.ratings else None

    @property
    def exact_rate(self) -> float | None:
        return self.exact / self.ratings if self.ratings else None

    @property
    def adjacent_rate(self) -> float | None:
        return self.adjacent / self.ratings if self.ratings else None

    @property
    def direction(self) -> str:
        mean = self.mean
        if mean is None:
            return ""
        if mean <= -self.in_line:
            return _("harsher than the group")
        if mean >= self.in_line:
            return _("more lenient than the group")
        return _("in line with the group")


@dataclass
class TeacherDrift:
    teacher: Person
    overall: Drift = field(default_factory=Drift)
    by_competency: dict[Competency, Drift] = field(default_factory=dict)
    # (session, its mean difference), oldest first: the trend.
    by_session: list[tuple[CalibrationSession, float]] = field(default_factory=list)
    examples: list[DriftExample] = field(default_factory=list)
    flagged: bool = False


def teachers_drift(
    ratings: list[PieceRating], *, threshold: Decimal, minimum: int, examples: int = 5
) -> list[TeacherDrift]:
    """Each teacher's drift over `ratings` (ratings of pieces with a consensus, with their
    piece, session and competency read), flagged past `threshold` levels over at least
    `minimum` ratings; the teachers who drift most first."""
    levels = Levels()
    band = min(0.25, float(threshold))

    def new() -> Drift:
        return Drift(in_line=band)

    found: dict[int, TeacherDrift] = {}
    sessions: dict[tuple[int, int], Drift] = defaultdict(new)
    session_of: dict[int, CalibrationSession] = {}
    ordered = sorted(ratings, key=lambda r: (r.piece.session.created_at, r.piece.position))
    for rating in ordered:
        piece = rating.piece
        difference = levels.rated(rating) - levels.agreed(piece)
        drift = found.setdefault(rating.rater_id, TeacherDrift(teacher=rating.rater, overall=new()))
        drift.overall.add(difference)
        drift.by_competency.setdefault(piece.competency, new()).add(difference)
        sessions[(rating.rater_id, piece.session_id)].add(difference)
        session_of[piece.session_id] = piece.session
        if difference:
            drift.examples.append(
                DriftExample(
                    rating=rating,
                    difference=difference,
                    rating_label=levels.label(piece.competency, rating.level),
                    consensus_label=levels.label(piece.competency, piece.consensus_level),
                )
            )
    for (teacher_id, session_id), drift in sessions.items():
        found[teacher_id].by_session.append((session_of[session_id], drift.mean or 0.0))
    for drift in found.values():
        drift.examples = drift.examples[-examples:][::-1]
        mean = drift.overall.mean or 0.0
        drift.flagged = drift.overall.ratings >= minimum and abs(mean) >= float(threshold)
    return sorted(
        found.values(),
        key=lambda d: (-d.flagged, -abs(d.overall.mean or 0), d.teacher.last_name),
    )
