"""The demo's calibration, through the calibration app's services as teachers use them.

The district's admin sets how drift is flagged (half a level from consensus, over four
ratings at least). Each writing competency gets exemplars at several stages and levels:
handed-in work proposed by the teacher who read it, and pieces the teachers of studios no
writing task went to bring in from their own students; each annotated with the evidence
statements it shows and what is missing, and published when a colleague confirms the
anonymisation. One waits for that second person still.

Three sessions over the last weeks, led by the login teacher for her school or by the
district's admin for the whole district, are rated blind with the disagreement real groups
have (mostly a level apart, now and then two), revealed, and agreed piece by piece; one piece
becomes an exemplar. The teacher of the studio below the login teacher's reads a level more
leniently than the group in every session, so the drift page flags her; the login teacher
sits close to the group. A fourth session is still open: two colleagues have rated, the login
teacher has not. Everything carries the school day it happened.
"""

import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from django.utils import timezone

from proficio.calibration.api import (
    ConsentBasis,
    Exemplar,
    PieceSpec,
    RatingSpec,
    calibration_settings_set,
    consensus_record,
    exemplar_confirm,
    exemplar_propose,
    piece_promote,
    ratings_submit,
    session_open,
    session_reveal,
)
from proficio.frameworks.api import Competency
from proficio.people.api import Person, School
from proficio.work.api import Revision, handed_in_in_district

from . import content
from .coursework.shapes import prose
from .pathways import Pupil

WRITING = tuple(
    competency.code
    for framework in content.FRAMEWORKS
    if framework.code == "WRITING"
    for competency in framework.competencies
)
LABELS = {spec.value: spec.label for spec in content.LEVELS}
VALUES = sorted(LABELS)  # a level's rank is its place here
TOP = len(VALUES) - 1

DRIFT_THRESHOLD = Decimal("0.5")
DRIFT_MINIMUM = 4
PER_COMPETENCY = 4  # published exemplars of a competency, at most
# Exemplars from handed-in work, besides the piece the first session (on argument) promotes.
FROM_WORK = {"W1": 1, "W2": 2, "W3": 2}
CALIBRATION_BEGAN = 60  # school days ago: the first exemplars

BIRCH, MAPLE, CEDAR = "Birch Studio", "Maple Studio", "Cedar Studio"
HERON, OSPREY, KESTREL = "Heron Studio", "Osprey Studio", "Kestrel Studio"
WILLOW = "Willow Math Workshop"
CEDAR_GROVE = content.SCHOOLS[0]
# The teacher who reads a level above the group: Maple's, the studio below the login teacher's.
LENIENT = MAPLE


def _at(day: date, hour: int, minute: int = 15) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _after(days: Sequence[date], day: date, count: int = 1) -> date:
    """The `count`-th school day after `day`, or the last one."""
    later = [d for d in days if d > day]
    return later[min(count, len(later)) - 1] if later else days[-1]


# ---- written pieces ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Written:
    """A piece of work a studio's teacher brings in as an exemplar, from a student of a
    studio no writing task went to. `{name}` is the student's first name (anonymised on the
    way in)."""

    code: str
    stage: int
    level: int
    studio: str  # the student's studio, whose teacher proposes it
    title: str
    text: str
    annotation: str
    missing: str
    shows: tuple[int, ...]  # the stage's evidence statements it shows, by position
    confirmer: str | None  # the studio whose teacher confirms it; None: waiting still
    days_ago: int
    consent: str = ConsentBasis.AUTHOR
    consent_note: str = "The family agreed on the sharing form sent home in September."


WRITTEN = (
    _Written(
        code="W1",
        stage=2,
        level=3,
        studio=MAPLE,
        title="Our school should start a chess club",
        text=prose(
            """
            Dear Principal,

            Our school should start a chess club at lunchtime on Wednesdays.

            First, chess helps you think ahead. For instance, before you move a piece you have
            to guess what the other player will do next. My uncle taught me that good players
            think three moves ahead.

            In addition, a chess club would give kids something calm to do at lunch. Right now
            the playground is very loud and some kids just sit on the bench. The library has
            four chess sets that nobody uses, so the club would not cost any money.

            Also, anybody can play chess. You do not have to be fast or tall or good at sports.
            In our studio at least eight people already know how to play and five more want to
            learn.

            That is why a chess club would be good for our school. I would help teach the new
            players, and our studio teacher could be in charge.

            From {name}
            """
        ),
        annotation=prose(
            """
            Proficient at this stage: each reason is backed by a fact or a detail instead of
            being repeated (the four unused chess sets, the count of players in the studio,
            what thinking ahead means in a game). Related ideas stay together in their own
            paragraph, the reasons are linked with “for instance” and “in addition”, and the
            last paragraph returns to the opinion.
            """
        ),
        missing=prose(
            """
            The first reason rests on what an uncle said more than on a fact, and the reasons
            come in no particular order. Ordering them so each builds on the last is the next
            stage's work.
            """
        ),
        shows=(0, 1, 2, 3),
        confirmer=BIRCH,
        days_ago=58,
    ),
    _Written(
        code="W1",
        stage=5,
        level=2,
        studio=CEDAR,
        title="Phones belong in lockers",
        text=prose(
            """
            # Phones belong in lockers

            Cedar Grove should require students to keep their phones in their lockers from
            the first bell to the last. Phones distract students from learning, and they make
            lunch and recess less social.

            The first reason is attention. A survey by our student council found that 41 of
            the 60 students asked had checked their phone during a lesson in the past week.
            When a phone buzzes, it takes time to get back to what you were doing, so the
            whole lesson suffers.

            The second reason is that phones change how we spend breaks. At lunch, many
            tables are silent because everyone is scrolling. Without phones, people would
            talk, play games and meet students from other studios.

            Some people say students need their phones for emergencies. But the office has a
            phone and parents can call the school.

            In conclusion, phones should stay in lockers. Students would learn more and talk
            to each other more, and the school would be a better place.
            """
        ),
        annotation=prose(
            """
            Developing at this stage: the claim is clear, and the first reason is supported
            with evidence from a named source that the writer explains in their own words.
            The writer names an opposing claim (phones for emergencies) and answers it,
            which is the step this stage asks for.
            """
        ),
        missing=prose(
            """
            The counterclaim gets one sentence and a one-sentence reply: it is not described
            fairly (why families want their children to have a phone) and the answer gives no
            reasoning or evidence. “Some people say” and “but” do not yet show how claim,
            counterclaim and evidence relate.
            """
        ),
        shows=(0,),
        confirmer=BIRCH,
        days_ago=52,
        consent=ConsentBasis.POLICY,
        consent_note="",
    ),
    _Written(
        code="W2",
        stage=4,
        level=3,
        studio=OSPREY,
        title="Why ponds freeze from the top down",
        text=prose(
            """
            # Why ponds freeze from the top down

            In winter, a pond can be covered in ice thick enough to stand on while fish keep
            swimming in the water below. This happens because water behaves differently from
            almost every other liquid as it cools.

            ## Density

            Density is how much matter is packed into a given space. Most liquids become
            denser as they get colder, so the coldest liquid sinks. Water follows this rule
            only until it reaches about 4 °C. Below that temperature its molecules begin to
            arrange themselves in an open pattern, and the water becomes less dense.

            ## What happens in a pond

            As the air cools in autumn, the surface water cools and sinks, and warmer water
            rises to take its place. Once the whole pond reaches 4 °C, this mixing stops. The
            surface water keeps cooling, but now it is lighter than the water beneath it, so
            it stays on top and freezes first.

            ## Why it matters

            The ice acts as insulation. According to *Freshwater Habitats*, the water at the
            bottom of a frozen pond usually stays close to 4 °C all winter. As a result,
            fish, frogs and insects survive until spring.
            """
        ),
        annotation=prose(
            """
            Proficient: the explanation is organised on purpose, a definition of density
            first, then cause and effect in the order it happens in the pond. The facts are
            the ones the explanation needs (4 °C, the open pattern of the molecules, the
            temperature at the bottom), one comes from a named source, and the tone stays
            formal and objective throughout.
            """
        ),
        missing=prose(
            """
            Going beyond the stage would mean bringing in a second source and previewing the
            structure in the introduction: the next stage's work.
            """
        ),
        shows=(0, 1, 2),
        confirmer=HERON,
        days_ago=55,
    ),
    _Written(
        code="W2",
        stage=2,
        level=2,
        studio=HERON,
        title="Sea turtles",
        text=prose(
            """
            # Sea Turtles

            Sea turtles are reptiles that live in the ocean. There are seven kinds of sea
            turtles.

            ## Where they live

            Sea turtles live in warm oceans all over the world. They swim a lot. Some swim
            really far.

            ## What they eat

            Green sea turtles eat sea grass. Leatherbacks eat jellyfish. Some turtles eat
            crabs and stuff.

            ## Nests

            The mother turtle comes up the beach at night and digs a hole with her flippers.
            She lays about 100 eggs that look like ping pong balls. When the babies hatch
            they go to the water.

            Sea turtles are cool and we should protect them.
            """
        ),
        annotation=prose(
            """
            Developing: the information is organised into sections with headings that help
            the reader, and the section on nests develops its topic with concrete details
            (the flippers, about 100 eggs, the ping-pong-ball comparison). Some subject words
            are used well: reptiles, hatch, the names of two kinds of turtle.
            """
        ),
        missing=prose(
            """
            The other sections stay thin and general (“they swim a lot”, “crabs and stuff”),
            there is no quotation or example from a source, and the closing line does not
            follow from what the piece explained. Details in every section, and precise words
            throughout, would make it Proficient.
            """
        ),
        shows=(0,),
        confirmer=OSPREY,
        days_ago=49,
    ),
    _Written(
        code="W3",
        stage=2,
        level=3,
        studio=MAPLE,
        title="The wobbly tooth",
        text=prose(
            """
            # The Wobbly Tooth

            My tooth had been wobbly for a whole week. At breakfast I pushed it with my
            tongue and it wiggled like a door on one hinge.

            “Just pull it,” my big brother said, crunching his cereal.

            “No way!” I said. “It will bleed everywhere.”

            At recess I bit into my apple. Crunch! Something hard and tiny was on my tongue.
            I spat it into my hand. There it was, my tooth, white and small with a little red
            spot on the end. My mouth tasted like metal.

            “{name}, you lost it!” my friend shouted, and everybody crowded around to see.

            After lunch my teacher gave me a tiny envelope shaped like a tooth. I held it
            the whole afternoon so I would not lose it. That night I put it under my pillow,
            and I was not scared of wobbly teeth anymore.
            """
        ),
        annotation=prose(
            """
            Proficient: dialogue shows how the narrator and her brother respond to the
            wobbly tooth, and concrete, sensory details let the reader picture and even taste
            the moment (a door on one hinge, the red spot, the taste of metal). Transitions
            (at breakfast, at recess, after lunch, that night) manage the order of events.
            """
        ),
        missing=prose(
            """
            The ending tells the change (“I was not scared anymore”) instead of showing it,
            and every part of the day gets the same attention: slowing down the moment that
            matters is the next stage's work.
            """
        ),
        shows=(0, 1, 2),
        confirmer=CEDAR,
        days_ago=57,
    ),
    _Written(
        code="W3",
        stage=5,
        level=2,
        studio=CEDAR,
        title="The last game on the old field",
        text=prose(
            """
            # The Last Game on the Old Field

            The whistle blew, and for a second nobody moved. Then everyone ran to the middle
            of the field and we fell over in a pile, laughing and yelling. It was the last
            game we would ever play on the old field behind the school.

            Three years earlier, I had stood on that same field holding a ball I did not know
            how to kick. I was the new kid. Coach put me in goal because nobody else wanted
            to be there, and I let in eleven goals. I remember walking home with grass stains
            on my knees and thinking I would never go back.

            But I did go back. Every Tuesday and Thursday I practised. Slowly I got better,
            and I made friends on the team.

            Now the field is going to be a parking lot for the new gym. After the game I
            walked to the goal and stood there one more time. The net still had the hole in
            it that had been there since I was nine.

            That field taught me that you can get better at anything if you keep going. I
            will miss it.
            """
        ),
        annotation=prose(
            """
            Developing: the writer chooses a flashback on purpose (the story jumps three
            years back to the first game in goal), and the shifts in time are clearly
            signalled (“Three years earlier”, “Now”). The closing paragraph tries to say what
            the experience meant.
            """
        ),
        missing=prose(
            """
            The reflection is a general lesson (“you can get better at anything”) rather
            than what these moments meant to this narrator, and the middle sums up three
            years in three sentences. Reflection woven into the events, and a conclusion that
            looks back on them, would make it Proficient. The hole in the net is a detail
            worth returning to.
            """
        ),
        shows=(1,),
        confirmer=MAPLE,
        days_ago=46,
    ),
    # Waiting for a second person: the login teacher may confirm it.
    _Written(
        code="W2",
        stage=5,
        level=3,
        studio=CEDAR,
        title="Why the river floods in spring",
        text=prose(
            """
            # Why the River Floods in Spring

            Every April the river at the edge of town rises over the walking path, and some
            years it reaches the sports fields. This report explains the three causes that
            work together to flood it (melting snow, spring rain and frozen ground) and what
            the town is doing about it.

            ## Melting snow

            According to the county's *Watershed Guide*, most of the river's water in spring
            comes from snow melting in the hills upstream. When a warm week follows a snowy
            winter, all of that water arrives at once.

            ## Rain on frozen ground

            Snowmelt alone rarely floods the town. The weather service's flood records show
            that the worst floods came when heavy rain fell at the same time. In addition,
            the ground is often still frozen in early spring, so instead of soaking in, the
            rain runs straight into the river. In other words, the three causes add up.

            ## What the town is doing

            The town council's flood plan describes a wetland park beside the river. A
            wetland works like a sponge: it holds flood water and lets it out slowly.
            Together with the *Watershed Guide*, the plan suggests the park could lower
            spring floods, though not stop them.

            The river floods when snowmelt, rain and frozen ground come together, and
            understanding those causes is what makes a solution like the wetland possible.

            {name}, Cedar Studio
            """
        ),
        annotation=prose(
            """
            Proficient: the introduction previews the three causes and the solution, three
            sources (the Watershed Guide, the flood records, the town's plan) are combined
            into one explanation, and transitions such as “in addition” and “in other words”
            show how the causes relate.
            """
        ),
        missing=prose(
            """
            The sources are named but not weighed: going beyond the stage would mean saying
            which one the explanation relies on most, and why.
            """
        ),
        shows=(0, 1, 2),
        confirmer=None,
        days_ago=6,
    ),
)


# ---- the words of a reading -------------------------------------------------------------

_VOICE = (
    ("I am", "they are"),
    ("I have", "they have"),
    ("I", "they"),
    ("myself", "themselves"),
    ("my", "their"),
    ("mine", "theirs"),
    ("me", "them"),
)


def _can(statement: str) -> str:
    """An evidence statement as what the writer can do: "I can give reasons that support my
    opinion." → "give reasons that support their opinion"."""
    text = statement.strip().removeprefix("I can ").rstrip(".")
    for first, third in _VOICE:
        text = re.sub(rf"\b{first}\b", third, text)
    return text


def _and(parts: Sequence[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


@dataclass(frozen=True)
class _Stage:
    """A stage's evidence statements, and what the writer can do by each, with the next
    stage's."""

    statements: list
    cans: list[str]
    following: list[str]


def _stage_of(competency: Competency, ordinal: int) -> _Stage:
    stages = {stage.ordinal: stage for stage in competency.stages.all()}
    statements = list(stages[ordinal].evidence_statements.all())
    following = list(stages[ordinal + 1].evidence_statements.all()) if ordinal + 1 in stages else []
    return _Stage(statements, [_can(s.text) for s in statements], [_can(s.text) for s in following])


def _annotated(stage: _Stage, level: Decimal) -> tuple[str, str, list]:
    """Why work read at `level` sits there, what is missing, and the statements it shows."""
    rank = VALUES.index(level)
    cans, count = stage.cans, len(stage.cans)
    if rank == 0:
        shown = 1
        why = (
            "Placed at Beginning: the start of the stage shows, with support. "
            f"The writer can {cans[0]}."
        )
    elif rank == 1:
        shown = (count + 1) // 2
        why = (
            "Placed at Developing: most of the stage is on its way, not yet consistently. "
            f"The writer can {_and(cans[:shown])}."
        )
    else:
        shown = count
        why = (
            f"Placed at {LABELS[level]}: the whole stage shows, without help. "
            f"The writer can {_and(cans)}."
        )
    if shown < count:
        missing = f"Not yet: {_and(cans[shown:])}."
    elif rank < TOP and stage.following:
        missing = f"Going beyond the stage, the writer would begin to {stage.following[0]}."
    else:
        missing = ""
    return why, missing, stage.statements[:shown]


def _rationale(rng: random.Random, stage: _Stage, rank: int) -> str:
    """A rater's short reason for their level."""
    first, second = rng.sample(stage.cans, 2) if len(stage.cans) > 1 else (stage.cans * 2)
    if rank == 0:
        options = (
            f"Beginning: the writer tries to {first}, but needs a lot of support throughout.",
            f"Only the start of the stage shows. I looked for where the writer can {second} "
            "and did not find it.",
        )
    elif rank == 1:
        options = (
            f"Developing: the writer can {first}, but not yet {second}.",
            f"On the way. In places the writer can {first}; they cannot yet {second}.",
            f"Most of the stage is there. I held back because the writer cannot yet {second}.",
        )
    elif rank == 2:
        options = (
            f"Proficient: the writer can {first} and {second}, without help.",
            f"The whole stage shows. The clearest sign: the writer can {first}.",
            f"Independent and consistent: I would point to how the writer can {second}.",
        )
    else:
        reach = stage.following[0] if stage.following else first
        options = (
            f"Advanced: beyond the stage, with choices of their own. The writer already "
            f"begins to {reach}.",
            f"Goes beyond the stage with confidence: the writer can {first}, and starts to "
            f"{reach}.",
        )
    return rng.choice(options)


def _readings(count: int) -> str:
    return "reading" if count == 1 else "readings"


def _agreed(rng: random.Random, stage: _Stage, level: Decimal, given: Sequence[Decimal]) -> str:
    """The group's reason for its consensus, after the reveal."""
    low, high = min(given), max(given)
    opening = (
        f"Everyone read it at {LABELS[level]}."
        if low == high
        else f"First readings ran from {LABELS[low]} to {LABELS[high]}."
    )
    why, missing, _shown = _annotated(stage, level)
    reason = why.split(": ", 1)[1]
    parts = [opening, f"Agreed at {LABELS[level]}: {reason}"]
    if missing:
        parts.append(missing)
    above = sum(value > level for value in given)
    below = sum(value < level for value in given)
    if above:
        parts.append(
            rng.choice(
                (
                    f"The higher {_readings(above)} credited what the writer was reaching for; "
                    "the group rated what is on the page.",
                    "We agreed the effort shows, but the stage asks for it throughout.",
                )
            )
        )
    if below:
        parts.append(
            rng.choice(
                (
                    f"The lower {_readings(below)} looked for the next stage's work.",
                    f"The lower {_readings(below)} weighed the spelling, which the stage does "
                    "not ask for.",
                )
            )
        )
    return " ".join(parts)


# ---- handed-in work ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Work:
    """A handed-in revision of writing, and the teacher's reading of it, if read."""

    revision: Revision
    competency: Competency
    stage: int
    level: Decimal | None
    reader: Person | None
    read_at: datetime | None


def _handed_in(
    district_id: int,
    competencies: Mapping[str, Competency],
    working: Mapping[int, Mapping[str, int]],
    login: Person,
) -> list[_Work]:
    """Every handed-in revision of a writing task, oldest first, but the login student's."""
    revisions = (
        handed_in_in_district(district_id=district_id)
        .filter(submission__task__alignments__stage__competency__code__in=WRITING)
        .exclude(submission__student=login)
        .distinct()
        .select_related("submission__task", "submission__student")
        .prefetch_related(
            "reviews__reviewer",
            "reviews__evidence__stage",
            "reviews__evidence__competency",
            "submission__task__alignments__stage__competency",
        )
        .order_by("submitted_at", "pk")
    )
    found = []
    for revision in revisions:
        readings = sorted(
            (
                (review.created_at, review.pk, review, evidence)
                for review in revision.reviews.all()
                for evidence in review.evidence.all()
                if evidence.competency.code in WRITING
            ),
            key=lambda reading: reading[:2],
        )
        aligned = [a.stage for a in revision.submission.task.alignments.all()]
        code = aligned[0].competency.code
        if readings:
            read_at, _pk, review, evidence = readings[-1]
            stage, level, reader = evidence.stage.ordinal, evidence.level, review.reviewer
        else:
            read_at, level, reader = None, None, None
            ordinals = sorted(s.ordinal for s in aligned)
            now = working.get(revision.submission.student_id, {}).get(code)
            stage = now if now in ordinals else ordinals[0]
        found.append(_Work(revision, competencies[code], stage, level, reader, read_at))
    return found


def _title(text: str) -> str:
    """A piece's title from its own words: its heading, or how it begins."""
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("#"):
            return line.lstrip("# ").strip()
        if line and not line.startswith(("Dear", "**")):
            words = re.sub(r"[*_]", "", line).split()
            return "“" + " ".join(words[:7]) + ("…”" if len(words) > 7 else "”")
    return ""


# ---- the loader ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    """A calibration session: its pieces (of `codes` first), who rates, and when."""

    title: str
    codes: tuple[str, ...]
    size: int
    opened: int  # school days ago
    raters: tuple[str, ...]  # the studios whose teachers are invited
    school: str | None = None  # the login teacher's school, which she leads; None: the district's
    stray: int = 1  # how many of each rater's readings stray a level from the consensus
    two_apart: str | None = None  # the studio whose teacher once reads two levels off
    rated_by: tuple[str, ...] | None = None  # still open: who has rated so far


PLANS = (
    _Plan(
        "Argument at stages 3 and 4: what counts as evidence?",
        ("W1",),
        size=4,
        opened=34,
        raters=(BIRCH, MAPLE, CEDAR, WILLOW),
        school=CEDAR_GROVE,
        two_apart=CEDAR,
    ),
    _Plan(
        "District moderation: informative writing",
        ("W2",),
        size=4,
        opened=23,
        raters=(BIRCH, MAPLE, CEDAR, HERON, OSPREY),
        two_apart=OSPREY,
    ),
    _Plan(
        "Narrative: pacing, point of view and the opening",
        ("W3",),
        size=4,
        opened=12,
        raters=(BIRCH, MAPLE, CEDAR),
        school=CEDAR_GROVE,
        stray=0,
    ),
    _Plan(
        "Before the winter reports: recent writing",
        ("W3", "W2", "W1"),
        size=3,
        opened=3,
        raters=(BIRCH, MAPLE, HERON, KESTREL),
        rated_by=(MAPLE, KESTREL),
    ),
)


def load_calibration(
    *,
    rng: random.Random,
    days: Sequence[date],
    admin: Person,
    schools: Mapping[str, School],
    teachers: Mapping[str, Person],
    competencies: Mapping[str, Competency],
    pupils: Sequence[Pupil],
    working: Mapping[int, Mapping[str, int]],
    login: Person,
) -> None:
    calibration_settings_set(
        actor=admin,
        district=admin.district,
        drift_threshold=DRIFT_THRESHOLD,
        drift_minimum=DRIFT_MINIMUM,
        calibrate_first=False,
    )
    loader = _Loader(rng, days, admin, schools, teachers, competencies)
    works = _handed_in(admin.district_id, competencies, working, login)
    for written in sorted(WRITTEN, key=lambda written: -written.days_ago):
        loader.written(written, pupils, working, login)
    for code in WRITING:
        loader.from_work(code, works)
    sessions = [loader.session(plan, works) for plan in PLANS]
    loader.promote(sessions[:-1])


@dataclass
class _Session:
    plan: _Plan
    facilitator: Person
    agreed_at: datetime | None
    pieces: list  # (piece, its consensus level, the spread of its readings, from work)


class _Loader:
    def __init__(self, rng, days, admin, schools, teachers, competencies):
        self.rng = rng
        self.days = list(days)
        self.admin = admin
        self.schools = schools
        self.teachers = teachers
        self.competencies = competencies
        self.stages: dict[tuple[str, int], _Stage] = {}
        self.published: list[Exemplar] = []
        self.sources: set[int] = set()  # submissions whose work is an exemplar
        self.seen: set[int] = set()  # submissions whose work was a piece
        self.rated: set[int] = set()  # revisions that were pieces
        self.anchored: list[Exemplar] = []  # exemplars that were pieces

    def stage(self, code: str, ordinal: int) -> _Stage:
        if (code, ordinal) not in self.stages:
            self.stages[(code, ordinal)] = _stage_of(self.competencies[code], ordinal)
        return self.stages[(code, ordinal)]

    def count(self, code: str) -> int:
        return sum(exemplar.competency.code == code for exemplar in self.published)

    def places(self, code: str) -> set[tuple[int, Decimal]]:
        """The (stage, level) of each published exemplar of a competency."""
        return {
            (exemplar.stage.ordinal, exemplar.level)
            for exemplar in self.published
            if exemplar.competency.code == code
        }

    def confirm(self, exemplar: Exemplar, by: Person, at: datetime) -> None:
        exemplar_confirm(actor=by, exemplar=exemplar, anonymised=True, at=at)
        self.published.append(exemplar)

    # exemplars

    def written(self, written: _Written, pupils, working, login: Person) -> None:
        """A studio's teacher brings in a piece of a student working at its stage."""
        studio = [
            pupil
            for pupil in pupils
            # The studio the teacher leads, not a larger district's further studios of the same
            # name, whose students are another teacher's.
            if pupil.studio.name == written.studio and pupil.person != login
        ]
        at_stage = [
            p for p in studio if working.get(p.person.pk, {}).get(written.code) == written.stage
        ]
        student = self.rng.choice(at_stage or studio).person
        day = self.days[-written.days_ago]
        exemplar = exemplar_propose(
            actor=self.teachers[written.studio],
            competency=self.competencies[written.code],
            stage=written.stage,
            level=Decimal(written.level),
            title=written.title,
            text=written.text.replace("{name}", student.first_name),
            student=student,
            annotation=written.annotation,
            missing=written.missing,
            statements=[
                self.stage(written.code, written.stage).statements[n] for n in written.shows
            ],
            consent=written.consent,
            consent_note=written.consent_note,
            at=_at(day, 16),
        )
        if written.confirmer is not None:
            confirmed = _after(self.days, day, self.rng.randint(1, 3))
            self.confirm(exemplar, self.teachers[written.confirmer], _at(confirmed, 8, 40))

    def from_work(self, code: str, works: Sequence[_Work]) -> None:
        """Handed-in work the teacher who read it proposes, at the level they read it: one
        piece of each student, each at a stage and level of its own; a colleague confirms."""
        latest: dict[int, _Work] = {}
        for work in works:
            if work.competency.code == code and work.level is not None:
                latest[work.revision.submission_id] = work
        candidates = list(latest.values())
        self.rng.shuffle(candidates)
        candidates.sort(key=lambda work: work.level != VALUES[2])  # Proficient ones first
        places = self.places(code)
        proposed = 0
        for work in candidates:
            if proposed == FROM_WORK[code] or self.count(code) >= PER_COMPETENCY:
                break
            if (work.stage, work.level) in places:
                continue
            places.add((work.stage, work.level))
            proposed += 1
            self.sources.add(work.revision.submission_id)
            why, missing, shown = _annotated(self.stage(code, work.stage), work.level)
            began = self.days[-CALIBRATION_BEGAN]
            day = max(_after(self.days, work.read_at.date()), began)
            consent = self.rng.choice(
                (ConsentBasis.POLICY, ConsentBasis.POLICY, ConsentBasis.AUTHOR)
            )
            exemplar = exemplar_propose(
                actor=work.reader,
                competency=work.competency,
                stage=work.stage,
                level=work.level,
                title=_title(work.revision.text) or work.revision.submission.task.title,
                revision=work.revision,
                annotation=why,
                missing=missing,
                statements=shown,
                consent=consent,
                consent_note=(
                    "The student and their family agreed when we talked about the piece."
                    if consent == ConsentBasis.AUTHOR
                    else ""
                ),
                at=_at(day, 16, 30),
            )
            colleagues = [self.teachers[CEDAR], self.teachers[MAPLE], self.admin]
            by = self.rng.choice([person for person in colleagues if person != work.reader])
            confirmed = _after(self.days, day, self.rng.randint(1, 2))
            self.confirm(
                exemplar, by, _at(confirmed, 12, 5) if confirmed > day else _at(day, 17, 45)
            )

    # sessions

    def session(self, plan: _Plan, works: Sequence[_Work]) -> _Session:
        """Open the session, rate it blind, and (unless it is still open) reveal it and agree
        on every piece."""
        day = self.days[-plan.opened]
        opened_at = _at(day, 15, 30)
        facilitator = self.teachers[content.TEACHER_SECTION] if plan.school else self.admin
        chosen = self.pieces(plan, works, opened_at)
        raters = [self.teachers[studio] for studio in plan.raters]
        session = session_open(
            actor=facilitator,
            title=plan.title,
            school=self.schools[plan.school] if plan.school else None,
            pieces=[spec for spec, _level, _work in chosen],
            raters=raters,
            at=opened_at,
        )
        pieces = list(session.pieces.select_related("competency", "stage"))
        truth = [level for _spec, level, _work in chosen]
        readings = self.readings(plan, [VALUES.index(level) for level in truth])
        rating_days = [_after(self.days, day, 1), _after(self.days, day, 2)]
        for studio, ranks in readings.items():
            if plan.rated_by is not None and studio not in plan.rated_by:
                continue
            ratings_submit(
                actor=self.teachers[studio],
                session=session,
                ratings={
                    piece: RatingSpec(
                        VALUES[rank],
                        _rationale(
                            self.rng, self.stage(piece.competency.code, piece.stage.ordinal), rank
                        ),
                    )
                    for piece, rank in zip(pieces, ranks, strict=True)
                },
                at=_at(
                    self.rng.choice(rating_days),
                    self.rng.randint(15, 19),
                    self.rng.choice((0, 20, 40)),
                ),
            )
        if plan.rated_by is not None:
            return _Session(plan, facilitator, None, [])
        met = _after(self.days, day, 3)
        session_reveal(actor=facilitator, session=session, at=_at(met, 15, 35))
        agreed = []
        for n, (piece, level, (_spec, _truth, work)) in enumerate(
            zip(pieces, truth, chosen, strict=True)
        ):
            given = [VALUES[ranks[n]] for ranks in readings.values()]
            consensus_record(
                actor=facilitator,
                piece=piece,
                level=level,
                rationale=_agreed(
                    self.rng, self.stage(piece.competency.code, piece.stage.ordinal), level, given
                ),
                at=_at(met, 15, 40 + 3 * n),
            )
            spread = VALUES.index(max(given)) - VALUES.index(min(given))
            agreed.append((piece, level, spread, work))
        return _Session(plan, facilitator, _at(met, 16, 30), agreed)

    def pieces(self, plan: _Plan, works: Sequence[_Work], before: datetime):
        """(spec, the level the group will agree, the work) for each piece: handed-in work of
        the session's competencies, one piece of each student, across the levels (Beginning to
        Proficient; work no one has read yet is agreed where the session lacks a level); then
        of the other writing competencies; then published exemplars. Work that is an exemplar
        is never a piece; a revision is rated in one session only, and a student's other
        revisions come after everyone else's work."""
        eligible = [
            work
            for work in works
            if work.revision.submitted_at < before
            and work.revision.submission_id not in self.sources
            and work.revision.pk not in self.rated
        ]
        self.rng.shuffle(eligible)
        eligible.sort(
            key=lambda work: (
                work.competency.code not in plan.codes,
                work.revision.submission_id in self.seen,
                # An open session reads the newest work, which no teacher has read yet.
                plan.rated_by is not None and work.level is not None,
            )
        )
        chosen: list[tuple[PieceSpec, Decimal, _Work | None]] = []
        students: set[int] = set()
        levels: list[Decimal] = []
        for spread in (True, False):  # first a piece at each level, then any
            for work in eligible:
                if len(chosen) == plan.size:
                    break
                if work.revision.submission_id in students:
                    continue
                if work.level is not None:
                    level = min(work.level, VALUES[TOP - 1])
                else:
                    lacking = [value for value in VALUES[:TOP] if value not in levels]
                    level = lacking[0] if lacking else self.rng.choice(VALUES[1:TOP])
                if spread and (level in levels or work.competency.code not in plan.codes):
                    continue
                students.add(work.revision.submission_id)
                levels.append(level)
                spec = PieceSpec(
                    competency=work.competency,
                    stage=work.stage,
                    revision=work.revision,
                    title=_title(work.revision.text),
                )
                chosen.append((spec, level, work))
            if spread:  # an exemplar of the session's competencies anchors a level it lacks
                chosen += self.anchors(plan, before, plan.size - len(chosen), lacking=levels)
        chosen += self.anchors(plan, before, plan.size - len(chosen))
        # A small district: an exemplar another session read already.
        chosen += self.anchors(
            plan,
            before,
            plan.size - len(chosen),
            again=[spec.exemplar for spec, _level, _work in chosen if spec.exemplar],
        )
        for _spec, _level, work in chosen:
            if work is not None:
                self.rated.add(work.revision.pk)
                self.seen.add(work.revision.submission_id)
        return chosen

    def anchors(
        self,
        plan: _Plan,
        before: datetime,
        room: int,
        lacking: list[Decimal] | None = None,
        again: list[Exemplar] | None = None,
    ):
        """Published exemplars as pieces, up to `room`: of the session's competencies at a
        level it lacks (beside those `lacking`, which is extended), or any; those no session
        has read yet, or, `again`, any but those of this session."""
        found = []
        for exemplar in sorted(
            (
                e
                for e in self.published
                if e.published_at < before
                and (e not in self.anchored if again is None else e not in again)
            ),
            key=lambda e: e.competency.code not in plan.codes,
        ):
            level = min(exemplar.level, VALUES[TOP - 1])
            if len(found) == room:
                break
            if lacking is not None:
                if level in lacking or exemplar.competency.code not in plan.codes:
                    continue
                lacking.append(level)
            self.anchored.append(exemplar)
            spec = PieceSpec(
                competency=exemplar.competency,
                stage=exemplar.stage.ordinal,
                exemplar=exemplar,
                title=exemplar.title,
            )
            found.append((spec, level, None))
        return found

    def readings(self, plan: _Plan, truth: list[int]) -> dict[str, list[int]]:
        """Each rater's readings (ranks) of the pieces: the lenient teacher a level above the
        group's consensus, the login teacher a little harsher, the others around it; each
        piece's consensus stays the middle of its readings."""
        best, fewest = None, None
        for _attempt in range(40):
            readings = {}
            for studio in plan.raters:
                if studio == LENIENT:
                    bag = [1] * len(truth)
                    if len(truth) > 4:  # now and then she reads one as the group does
                        bag[0] = 0
                elif studio == content.TEACHER_SECTION:  # a shade harsher than the group
                    bag = [-1] * min(plan.stray, 1)
                elif studio == plan.two_apart:
                    sign = self.rng.choice((1, -1))
                    bag = [2 * sign, -sign]
                else:
                    sign = self.rng.choice((1, -1))
                    bag = [sign * (-1) ** n for n in range(plan.stray)]
                readings[studio] = [
                    rank + offset
                    for rank, offset in zip(truth, self._placed(truth, bag), strict=True)
                ]
            pieces = [[ranks[n] for ranks in readings.values()] for n in range(len(truth))]
            # The pieces whose consensus is off the middle of their readings, or whose readings
            # lie more than two levels apart; then those two apart, past one in three.
            faults = (
                sum(
                    not self._middle(agreed, ranks)
                    for agreed, ranks in zip(truth, pieces, strict=True)
                ),
                max(0, sum(max(ranks) - min(ranks) >= 2 for ranks in pieces) - len(truth) // 3),
            )
            if fewest is None or faults < fewest:
                best, fewest = readings, faults
            if faults == (0, 0):
                break
        return best

    def _placed(self, truth: list[int], bag: list[int]) -> list[int]:
        """`bag`'s offsets over the pieces, each where it keeps the reading on the scale."""
        offsets = (bag + [0] * len(truth))[: len(truth)]
        self.rng.shuffle(offsets)

        def fits(n: int, offset: int) -> bool:
            return 0 <= truth[n] + offset <= TOP

        for n in range(len(offsets)):
            if fits(n, offsets[n]):
                continue
            swap = next(
                (m for m in range(len(offsets)) if fits(n, offsets[m]) and fits(m, offsets[n])),
                None,
            )
            if swap is None:
                offsets[n] = max(-truth[n], min(TOP - truth[n], offsets[n]))
            else:
                offsets[n], offsets[swap] = offsets[swap], offsets[n]
        return offsets

    @staticmethod
    def _middle(agreed: int, ranks: list[int]) -> bool:
        """The consensus is the middle of the readings, which lie at most two levels apart."""
        half = len(ranks) // 2
        return (
            sum(r > agreed for r in ranks) <= half
            and sum(r < agreed for r in ranks) <= half
            and max(ranks) - min(ranks) <= 2
        )

    def promote(self, sessions: list[_Session]) -> None:
        """A piece of handed-in work from the earliest session that has one becomes an
        exemplar at its consensus; a colleague confirms it the next school day."""
        for session in sessions:
            candidates = [
                (
                    (piece.stage.ordinal, level) in self.places(piece.competency.code),
                    level == VALUES[0],
                    -VALUES.index(level),
                    spread,
                    n,
                    piece,
                )
                for n, (piece, level, spread, work) in enumerate(session.pieces)
                if work is not None and self.count(piece.competency.code) < PER_COMPETENCY
            ]
            if not candidates:
                continue
            # A place in the library no exemplar holds yet, the higher the level and the
            # closer the readings the better.
            *_key, piece = min(candidates, key=lambda c: c[:5])
            level_of = {piece.pk: level for piece, level, _spread, _work in session.pieces}
            stage = self.stage(piece.competency.code, piece.stage.ordinal)
            why, missing, shown = _annotated(stage, level_of[piece.pk])
            exemplar = piece_promote(
                actor=session.facilitator,
                piece=piece,
                annotation=f"Agreed in calibration. {why}",
                missing=missing,
                statements=shown,
                consent=ConsentBasis.POLICY,
                at=session.agreed_at,
            )
            colleague = self.teachers[CEDAR]
            confirmed = _after(self.days, session.agreed_at.date())
            self.confirm(exemplar, colleague, _at(confirmed, 8, 50))
            return
