"""The demo's playlists: for each competency, one for each of the stages most students work
at (2 to 4), written by the teacher whose section needs it most. Plain data, as a teacher
would write it: readings, short videos, practice, a face-to-face workshop and, where the
demo's coursework has a task at the stage, that performance task.

An item opens from the start, once the item before it is done (`after_previous`), or once
the stages it `needs` are mastered — of another competency, as a challenge that builds on
what a student has shown elsewhere. Links go to well-known public resources, or nowhere
for what happens in class."""

from dataclasses import dataclass


@dataclass(frozen=True)
class ItemContent:
    kind: str  # reading, video, practice, lesson, workshop or task
    title: str  # for a task, its title
    minutes: int
    mode: str = "online"
    url: str = ""
    focus: str = "core"
    after_previous: bool = False
    needs: tuple[tuple[str, int], ...] = ()  # (competency code, stage): opens once mastered

    @property
    def unlock(self) -> str:
        if self.needs:
            return "after_mastery"
        return "after_previous" if self.after_previous else "open"


@dataclass(frozen=True)
class PlaylistContent:
    code: str  # the competency
    stage: int
    title: str
    description: str  # Markdown
    author: str  # the section whose teacher writes it
    shared: bool  # in the district's library; otherwise offered to the author's students only
    items: tuple[ItemContent, ...]


def reading(title: str, minutes: int, url: str = "", **rest) -> ItemContent:
    return ItemContent("reading", title, minutes, url=url, **rest)


def video(title: str, minutes: int, url: str, **rest) -> ItemContent:
    return ItemContent("video", title, minutes, url=url, **rest)


def practice(title: str, minutes: int, **rest) -> ItemContent:
    return ItemContent("practice", title, minutes, **rest)


def lesson(title: str, minutes: int, **rest) -> ItemContent:
    return ItemContent("lesson", title, minutes, **rest)


def workshop(title: str, minutes: int, **rest) -> ItemContent:
    """Face to face, with a teacher: the teacher marks it done for those who came."""
    return ItemContent("workshop", title, minutes, mode="in_person", **rest)


def task(minutes: int = 120, **rest) -> ItemContent:
    """The demo's performance task on the playlist's competency (coursework), titled as
    the task is."""
    return ItemContent("task", "", minutes, **rest)


TED_ED = "https://ed.ted.com/lessons/"
RWT = "https://www.readwritethink.org/classroom-resources/student-interactives/"
OWL = "https://owl.purdue.edu/owl/general_writing/academic_writing/essay_writing/"
PROJECT_ZERO = "https://pz.harvard.edu/thinking-routines"

ARGUMENT = (
    PlaylistContent(
        code="W1",
        stage=2,
        title="Back up every reason",
        description=(
            "For writers who give good reasons and now need to **prove** them. Work through "
            "it in order; the workshop runs twice a week in the studio."
        ),
        author="Maple Studio",
        shared=True,
        items=(
            reading(
                "Mentor text: “Why our class needs a reading corner” — underline each reason "
                "and circle the facts that back it up",
                15,
                mode="in_person",
            ),
            practice(
                "Persuasion Map: plan one opinion with three reasons and two facts for each",
                20,
                url=f"{RWT}persuasion-map-30034",
                after_previous=True,
            ),
            workshop(
                "Grouping ideas, and linking them with “for instance” and “in addition”",
                25,
                after_previous=True,
            ),
            practice(
                "Revise one paragraph: swap a reason you said twice for a fact you found",
                20,
                after_previous=True,
            ),
            reading(
                "Pick an animal on National Geographic Kids and collect three facts for an "
                "opinion about it",
                15,
                url="https://kids.nationalgeographic.com/animals",
                focus="additional",
            ),
        ),
    ),
    PlaylistContent(
        code="W1",
        stage=3,
        title="Put your reasons in an order that builds",
        description=(
            "Each reason should lead to the next, and the strongest should come last. Finish "
            "with the performance task; the challenge opens once your explanations have a "
            "structure of their own (informative writing, stage 3)."
        ),
        author="Birch Studio",
        shared=True,
        items=(
            reading(
                "Mentor text: a letter to the town council about a safer crossing — number "
                "the reasons and say why they come in that order",
                15,
                mode="in_person",
            ),
            lesson(
                "Words that show your logic: consequently, specifically, as a result",
                10,
            ),
            practice(
                "Rank your reasons from weakest to strongest, then convince a partner of the order",
                20,
                mode="in_person",
                after_previous=True,
            ),
            workshop(
                "Writing conference: read your plan aloud and test the order",
                20,
                after_previous=True,
            ),
            task(after_previous=True),
            practice(
                "Find a text that supports your claim and quote one fact from it, with where "
                "it came from",
                25,
                focus="challenge",
                needs=(("W2", 3),),
            ),
        ),
    ),
    PlaylistContent(
        code="W1",
        stage=4,
        title="From opinion to argument: claims, evidence, explanation",
        description=(
            "An argument states a claim, backs it with evidence from sources a reader can "
            "trust, and explains how the evidence proves it. The debate challenge opens "
            "once your explanations are organised in a formal style (informative writing, "
            "stage 4)."
        ),
        author="Birch Studio",
        shared=True,
        items=(
            video(
                "TED-Ed: How to use rhetoric to get what you want",
                5,
                f"{TED_ED}how-to-use-rhetoric-to-get-what-you-want-camille-a-langston",
            ),
            reading(
                "Purdue OWL: argumentative essays — read the part on claims and evidence",
                15,
                url=f"{OWL}argumentative_essays.html",
            ),
            workshop(
                "Is this source credible? Sort five sources on school gardens together",
                30,
                after_previous=True,
            ),
            task(after_previous=True),
            practice(
                "Explain, don't just quote: write the “this shows that…” sentence for three "
                "pieces of evidence, in a formal style",
                20,
                after_previous=True,
            ),
            practice(
                "Debate prep: argue both sides of one question on Britannica ProCon, then "
                "choose yours",
                40,
                url="https://www.procon.org/",
                focus="challenge",
                needs=(("W2", 4),),
            ),
        ),
    ),
)

INFORMATIVE = (
    PlaylistContent(
        code="W2",
        stage=2,
        title="Explain it clearly: paragraphs, headings and the right words",
        description=(
            "A reader should find what they need at a glance. Start with a Wonder of the Day "
            "and notice how it is built."
        ),
        author="Heron Studio",
        shared=True,
        items=(
            reading(
                "Wonder of the Day: read one Wonder and notice how each paragraph answers one "
                "question",
                15,
                url="https://wonderopolis.org/",
            ),
            practice(
                "Sort the facts: group sticky notes into sections and give each a heading",
                20,
                mode="in_person",
                after_previous=True,
            ),
            lesson("Subject words: build a word bank before you write, and use five of them", 15),
            workshop(
                "Small-group lesson: quotations and examples that develop a topic",
                25,
                after_previous=True,
            ),
            practice(
                "Add a labelled diagram where it helps your reader",
                20,
                focus="additional",
            ),
        ),
    ),
    PlaylistContent(
        code="W2",
        stage=3,
        title="Pick the structure that fits your topic",
        description=(
            "Compare and contrast, cause and effect, problem and solution: choose the one "
            "your topic asks for. For Birch Studio, alongside *How does it work?*"
        ),
        author="Birch Studio",
        shared=False,
        items=(
            lesson(
                "Three text structures in ten minutes: compare and contrast, cause and effect, "
                "problem and solution",
                10,
            ),
            reading(
                "Read two National Geographic Kids articles and name the structure of each",
                20,
                url="https://kids.nationalgeographic.com/",
                after_previous=True,
            ),
            practice(
                "Compare & Contrast Map: plan an explanation of two things you know well",
                20,
                url=f"{RWT}compare-contrast-30066",
                after_previous=True,
            ),
            workshop(
                "Opening moves: a general observation, then a clear focus",
                20,
                after_previous=True,
            ),
            task(after_previous=True),
            practice(
                "Turn your explanation into an argument: what should change, and why?",
                30,
                focus="challenge",
                needs=(("W1", 3),),
            ),
        ),
    ),
    PlaylistContent(
        code="W2",
        stage=4,
        title="Define, classify, compare: organising ideas formally",
        description=(
            "Deliberate strategies for organising what you know, in a formal style and an "
            "objective tone."
        ),
        author="Birch Studio",
        shared=False,
        items=(
            reading(
                "Purdue OWL: expository essays — how an explanation is organised",
                15,
                url=f"{OWL}expository_essays.html",
            ),
            practice(
                "Classify it: sort twenty facts about the water cycle into categories and "
                "name each one",
                20,
                mode="in_person",
            ),
            lesson(
                "Formal style and an objective tone: spot the opinions and rewrite them",
                15,
                after_previous=True,
            ),
            task(after_previous=True),
            practice(
                "Write a glossary entry for a subject word a younger student would need",
                20,
                focus="challenge",
                needs=(("W1", 4),),
            ),
        ),
    ),
)

NARRATIVE = (
    PlaylistContent(
        code="W3",
        stage=2,
        title="Bring the scene to life: dialogue, senses and time words",
        description="Show what your characters say and feel, and let the reader see the place.",
        author="Maple Studio",
        shared=True,
        items=(
            video(
                "Storyline Online: listen to a picture book read aloud and notice what the "
                "characters say",
                15,
                "https://storylineonline.net/",
            ),
            practice(
                "Five-senses chart: describe the lunch hall with one detail for each sense",
                15,
                mode="in_person",
            ),
            video(
                "TED-Ed: Three anti-social skills to improve your writing",
                5,
                f"{TED_ED}three-anti-social-skills-to-improve-your-writing-nadia-kalman",
                after_previous=True,
            ),
            workshop(
                "Act it out: play a scene from your story, then write down what was said",
                30,
                after_previous=True,
            ),
            practice(
                "Time-word ladder: put a jumbled story back in order with first, later, "
                "meanwhile and finally",
                10,
                focus="additional",
            ),
        ),
    ),
    PlaylistContent(
        code="W3",
        stage=3,
        title="Slow down the moment that matters",
        description=(
            "Stretch the important second, hurry through the rest, and tell it all from one "
            "point of view."
        ),
        author="Osprey Studio",
        shared=True,
        items=(
            video(
                "TED-Ed: How to make your writing suspenseful",
                5,
                f"{TED_ED}how-to-make-your-writing-suspenseful-victoria-smith",
            ),
            lesson(
                "Pacing: stretch one second into a paragraph, sum up an hour in a sentence",
                15,
                after_previous=True,
            ),
            practice(
                "Whose eyes? Rewrite a paragraph from another character's point of view, then back",
                20,
                after_previous=True,
            ),
            workshop(
                "Story circle: read your ending aloud — does it follow from what happened?",
                25,
                after_previous=True,
            ),
            task(after_previous=True),
            video(
                "StoryCorps: listen to one animated story and mark where the teller slows down",
                10,
                "https://storycorps.org/animation/",
                focus="additional",
            ),
        ),
    ),
    PlaylistContent(
        code="W3",
        stage=4,
        title="Openings that pull the reader in",
        description=(
            "The first lines decide whether anyone reads on. The challenge, a scene that "
            "argues without saying so, opens once you write arguments from evidence "
            "(argument, stage 4)."
        ),
        author="Birch Studio",
        shared=True,
        items=(
            video(
                "TED-Ed: The power of a great introduction",
                5,
                f"{TED_ED}the-power-of-a-great-introduction-carolyn-mohr",
            ),
            reading(
                "First lines: sort ten famous opening lines into dialogue, action, setting "
                "and question",
                15,
                mode="in_person",
            ),
            practice(
                "Write three openings for the same story and let a partner choose",
                20,
                after_previous=True,
            ),
            workshop(
                "Shifts in time and place: a flashback in four sentences",
                25,
                after_previous=True,
            ),
            task(after_previous=True),
            practice(
                "Write a short scene that argues a point without ever stating it",
                30,
                focus="challenge",
                needs=(("W1", 4),),
            ),
        ),
    ),
)

PROBLEM_SOLVING = (
    PlaylistContent(
        code="MP1",
        stage=2,
        title="Which strategy fits? Tables, patterns, working backwards",
        description="Choose a strategy on purpose, and switch when it stops working.",
        author="Willow Math Workshop",
        shared=True,
        items=(
            video(
                "Khan Academy: pick a fourth-grade word problem and watch the worked example",
                10,
                "https://www.khanacademy.org/math/cc-fourth-grade-math",
            ),
            practice(
                "Strategy sort: match eight problems to the strategy that fits best",
                20,
                mode="in_person",
            ),
            workshop(
                "Stuck? Switch: a problem where the first strategy fails on purpose",
                30,
                after_previous=True,
            ),
            practice(
                "Show your steps so a partner can follow them, then swap and check",
                20,
                after_previous=True,
            ),
            practice(
                "Estimation 180: make today's estimate and explain how you got there",
                10,
                url="https://estimation180.com/",
                focus="additional",
            ),
        ),
    ),
    PlaylistContent(
        code="MP1",
        stage=3,
        title="Plan it, estimate it, check it",
        description=(
            "Multi-step problems, planned before they are solved. For the Willow workshop, "
            "alongside *Plan the studio garden*."
        ),
        author="Willow Math Workshop",
        shared=False,
        items=(
            lesson("Break it down: plan the steps of a problem before you start", 15),
            practice(
                "Estimate first: five problems, each estimated, solved and compared",
                20,
                after_previous=True,
            ),
            workshop(
                "Math talk: explain to the group why your strategy works", 25, after_previous=True
            ),
            task(after_previous=True),
            practice(
                "Open Middle with a partner: a puzzle with many ways in and one best answer",
                20,
                url="https://www.openmiddle.com/",
                focus="challenge",
                needs=(("COL", 3),),
            ),
        ),
    ),
    PlaylistContent(
        code="MP1",
        stage=4,
        title="One problem, many representations",
        description=(
            "The same situation as a table, a graph and an expression — and how they match."
        ),
        author="Falcon Math Workshop",
        shared=True,
        items=(
            video(
                "Khan Academy: writing expressions from word problems (sixth grade)",
                10,
                "https://www.khanacademy.org/math/cc-sixth-grade-math",
            ),
            practice(
                "Three ways to show phone-plan prices: a table, a graph and an expression",
                25,
                after_previous=True,
            ),
            practice(
                "GeoGebra: drag the points and watch the table and the graph change together",
                15,
                url="https://www.geogebra.org/",
                focus="additional",
            ),
            workshop(
                "Match-up: find the table, graph and equation that tell the same story",
                30,
                after_previous=True,
            ),
            practice(
                "A two-day problem: design a fair price list for the school fair",
                60,
                mode="in_person",
                focus="challenge",
                after_previous=True,
            ),
        ),
    ),
)

COLLABORATION = (
    PlaylistContent(
        code="COL",
        stage=2,
        title="Be someone your group can count on",
        description="Do your part, ask about others' ideas, and keep the group's agreements.",
        author="Cedar Studio",
        shared=True,
        items=(
            lesson(
                "Working agreements: what does a good group promise each other?",
                15,
                mode="in_person",
            ),
            reading(
                "Project Zero thinking routines: try “Think, Pair, Share” with a partner",
                10,
                url=PROJECT_ZERO,
            ),
            practice(
                "Plan your part: what you will do, by when, and how you will tell the group",
                10,
                after_previous=True,
            ),
            workshop(
                "Question stems: ask a teammate about their idea (“What made you think…?”)",
                20,
            ),
            practice(
                "Look back: did you finish your part without reminders? What helped?",
                10,
                after_previous=True,
            ),
        ),
    ),
    PlaylistContent(
        code="COL",
        stage=3,
        title="Yes, and: building on each other's ideas",
        description=(
            "Add to what others say instead of starting again, and keep the group on its goal."
        ),
        author="Kestrel Studio",
        shared=True,
        items=(
            lesson(
                "Talk moves: “I'd like to add to…”, “Building on what Sam said…”",
                15,
                mode="in_person",
            ),
            practice(
                "Yes, and…: plan a class trip in threes, each turn building on the last",
                20,
                mode="in_person",
                after_previous=True,
            ),
            reading(
                "Project Zero: the “Think, Puzzle, Explore” routine for a group",
                10,
                url=PROJECT_ZERO,
                focus="additional",
            ),
            workshop(
                "Fishbowl: watch a group keep to its goal, then swap in", 30, after_previous=True
            ),
            practice(
                "Feedback loop: ask your group for one thing to change, change it, report back",
                15,
                after_previous=True,
            ),
        ),
    ),
    PlaylistContent(
        code="COL",
        stage=4,
        title="Roles that make a team work",
        description=(
            "Facilitator, recorder, timekeeper, materials: each role done well, and a plan "
            "everyone keeps. For Birch Studio, alongside the bridge-building challenge."
        ),
        author="Birch Studio",
        shared=False,
        items=(
            reading("Role cards: what a facilitator, recorder and timekeeper each do", 10),
            workshop(
                "Practise the roles: a ten-minute build, roles changing every three minutes",
                30,
                after_previous=True,
            ),
            practice("Make a plan: who does what by when, on a shared checklist", 15),
            task(after_previous=True),
            practice(
                "Lead the halfway check-in: ask “are we on track?” and agree what changes",
                15,
                mode="in_person",
                focus="challenge",
                after_previous=True,
            ),
        ),
    ),
)

PLAYLISTS: tuple[PlaylistContent, ...] = (
    *ARGUMENT,
    *INFORMATIVE,
    *NARRATIVE,
    *PROBLEM_SOLVING,
    *COLLABORATION,
)
