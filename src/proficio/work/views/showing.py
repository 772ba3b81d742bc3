"""How a submission's revisions are shown on its pages: each with its files (and how each
previews), its self-assessment, and the reviews it received."""

from dataclasses import dataclass, field

from proficio.evidence.api import Evidence, EvidenceSource, evidence_of
from proficio.lib.files.kinds import family_of
from proficio.work.models import Review, Revision, RevisionFile, Submission


@dataclass
class ShownFile:
    file: RevisionFile
    family: str  # image, audio, video, pdf, office, text

    @property
    def plays_as_audio(self) -> bool:
        """A recording made in the page is audio in a WebM box: play it as audio."""
        return self.family == "audio" or (
            self.family == "video" and self.file.name.startswith("recording")
        )


@dataclass
class ShownRating:
    """A rating as the page words it: "2 · Developing"."""

    evidence: Evidence
    level_words: str


@dataclass
class ShownReview:
    review: Review
    ratings: list[ShownRating]


@dataclass
class ShownRevision:
    revision: Revision
    files: list[ShownFile]
    reviews: list[ShownReview]
    self_assessment: list[ShownRating] = field(default_factory=list)


class _LevelWords:
    """The words of each level on each competency's scale, read once per competency."""

    def __init__(self) -> None:
        self.scales: dict[int, dict] = {}

    def __call__(self, evidence: Evidence) -> ShownRating:
        competency = evidence.competency
        if competency.pk not in self.scales:
            self.scales[competency.pk] = {
                level.value: level.label for level in competency.effective_scale.levels.all()
            }
        label = self.scales[competency.pk].get(evidence.level, "")
        number = f"{evidence.level.normalize():f}"
        return ShownRating(evidence, f"{number} · {label}" if label else number)


def revisions_shown(submission: Submission) -> list[ShownRevision]:
    """Every revision of the submission, oldest first, read from its prefetched rows plus one
    query for the student's self-assessments."""
    revisions = list(submission.revisions.all())
    submitted_at = {r.submitted_at for r in revisions if r.submitted_at is not None}
    own: dict = {}
    if submitted_at:
        for row in evidence_of(student=submission.student).filter(
            source=EvidenceSource.SELF, observed_at__in=submitted_at
        ):
            own.setdefault(row.observed_at, []).append(row)
    words = _LevelWords()
    return [
        ShownRevision(
            revision=revision,
            files=[ShownFile(kept, family_of(kept.content_type)) for kept in revision.files.all()],
            reviews=[
                ShownReview(review, [words(row) for row in review.evidence.all()])
                for review in revision.reviews.all()
            ],
            self_assessment=[words(row) for row in own.get(revision.submitted_at, [])],
        )
        for revision in revisions
    ]
