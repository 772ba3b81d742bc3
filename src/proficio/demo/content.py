"""What the demo district teaches: its scale, frameworks, trajectories, courses and sections.

Plain data, written to be read by teachers. The writing trajectories follow the
progression of the Common Core anchor standards W.1–W.3 from grade 3 to grade 8;
the other two are in the same spirit for problem solving and collaboration.
Evidence statements are in the student's voice ("I can …") so they read well on a
student's page and turn into feedback ("you can …") without rewording.
"""

from dataclasses import dataclass
from decimal import Decimal

from proficio.frameworks.api import CompetencyKind, LevelSpec, StageSpec

DISTRICT = "Riverside Unified"
PASSWORD = "proficio-demo"

SCALE_NAME = "Four levels of proficiency"
# Calm colours with at least 5:1 contrast against white, used as text or as a fill
# under white text; every level also carries its label, so colour is never the only signal.
LEVELS = (
    LevelSpec(
        Decimal(1),
        "Beginning",
        "#a0522d",
        description="Starting out: parts of the stage show, with a lot of support.",
    ),
    LevelSpec(
        Decimal(2),
        "Developing",
        "#8a6a00",
        description="On the way: most of the stage shows, not yet consistently or independently.",
    ),
    LevelSpec(
        Decimal(3),
        "Proficient",
        "#2b6e4a",
        is_mastery=True,
        description="Shows the whole stage independently and consistently.",
    ),
    LevelSpec(
        Decimal(4),
        "Advanced",
        "#2b5f9e",
        is_mastery=True,
        description="Goes beyond the stage with confidence and choice.",
    ),
)


@dataclass(frozen=True)
class CompetencyContent:
    code: str
    title: str
    statement: str
    kind: CompetencyKind
    subject: str
    stages: tuple[StageSpec, ...]


@dataclass(frozen=True)
class FrameworkContent:
    code: str
    title: str
    description: str
    competencies: tuple[CompetencyContent, ...]


ARGUMENT = CompetencyContent(
    code="W1",
    title="Argument",
    statement="Write arguments that support claims with clear reasons and relevant evidence.",
    kind=CompetencyKind.ACADEMIC,
    subject="Writing",
    stages=(
        StageSpec(
            label="Opinion with reasons",
            typical_grade=3,
            descriptor=(
                "The writer states an opinion about a topic or a text and supports it with "
                "reasons. Opinion and reasons are joined with simple linking words (because, "
                "since, for example), and the piece ends with a sentence that returns to the "
                "opinion."
            ),
            evidence_statements=(
                "I can state my opinion about a topic or a text in a clear sentence.",
                "I can give reasons that support my opinion.",
                "I can use linking words such as because, since and for example to connect "
                "my opinion and my reasons.",
                "I can end with a concluding sentence that returns to my opinion.",
            ),
        ),
        StageSpec(
            label="Reasons backed by facts and details",
            typical_grade=4,
            descriptor=(
                "Each reason is now backed by facts and details rather than restated. Related "
                "ideas are grouped so the writer's purpose is clear, reasons are linked with "
                "phrases such as for instance and in addition, and a concluding section "
                "connects back to the opinion."
            ),
            evidence_statements=(
                "I can back up each reason with facts and details.",
                "I can group related ideas together so my reasons are easy to follow.",
                "I can link my reasons with phrases such as for instance and in addition.",
                "I can write a concluding section that connects back to my opinion.",
            ),
        ),
        StageSpec(
            label="Reasons in a logical order",
            typical_grade=5,
            descriptor=(
                "Reasons are ordered logically so that each builds on the last, and they are "
                "supported by facts and details drawn from texts the writer has read. Words "
                "and clauses such as consequently and specifically make the logic visible."
            ),
            evidence_statements=(
                "I can put my reasons in a logical order so each one builds on the last.",
                "I can support my reasons with facts and details from texts I have read.",
                "I can connect my opinion and reasons with words such as consequently and "
                "specifically.",
            ),
        ),
        StageSpec(
            label="Claims with relevant evidence",
            typical_grade=6,
            descriptor=(
                "The writer moves from opinion to argument: a claim is introduced and "
                "supported with clear reasons and relevant evidence from credible sources. "
                "The writer explains how the evidence supports each reason instead of only "
                "quoting it, and keeps a formal style."
            ),
            evidence_statements=(
                "I can introduce a claim and organise my reasons and evidence clearly.",
                "I can choose evidence from credible sources that is relevant to my claim.",
                "I can explain how my evidence supports my reasons, not just quote it.",
                "I can keep a formal style throughout my argument.",
            ),
        ),
        StageSpec(
            label="Acknowledging counterclaims",
            typical_grade=7,
            descriptor=(
                "The argument acknowledges opposing claims fairly and responds to them with "
                "logical reasoning and accurate evidence. Transitions make clear how claims, "
                "counterclaims, reasons and evidence relate to one another."
            ),
            evidence_statements=(
                "I can describe an opposing claim fairly and respond to it.",
                "I can use logical reasoning to show why my claim is stronger than the "
                "alternatives.",
                "I can use transitions that show how my claims, reasons and evidence relate.",
            ),
        ),
        StageSpec(
            label="Rebutting with evaluated sources",
            typical_grade=8,
            descriptor=(
                "The writer distinguishes the claim from opposing claims and rebuts them with "
                "evidence. Sources are evaluated for credibility and relevance before they are "
                "used, and the conclusion follows from the argument and shows why it matters."
            ),
            evidence_statements=(
                "I can distinguish my claim from opposing claims and rebut them with evidence.",
                "I can judge how credible and relevant a source is before I use it.",
                "I can write a conclusion that follows from my argument and shows why it matters.",
            ),
        ),
    ),
)

INFORMATIVE = CompetencyContent(
    code="W2",
    title="Informative and explanatory writing",
    statement=(
        "Write informative and explanatory texts that examine a topic and convey ideas "
        "clearly and accurately."
    ),
    kind=CompetencyKind.ACADEMIC,
    subject="Writing",
    stages=(
        StageSpec(
            label="Facts grouped around a topic",
            typical_grade=3,
            descriptor=(
                "The writer introduces a topic, groups related information together and "
                "develops it with facts, definitions and details. Simple linking words (also, "
                "another, but) connect ideas, and a closing sentence ends the piece."
            ),
            evidence_statements=(
                "I can introduce my topic and group related information together.",
                "I can develop my topic with facts, definitions and details.",
                "I can use words such as also, another and but to connect my ideas.",
            ),
        ),
        StageSpec(
            label="Paragraphs, headings and subject words",
            typical_grade=4,
            descriptor=(
                "Information is organised into paragraphs and sections, with headings or "
                "illustrations where they help the reader. The topic is developed with "
                "concrete details, quotations and examples, and the writer uses precise words "
                "and the vocabulary of the subject."
            ),
            evidence_statements=(
                "I can organise information into paragraphs and sections, with headings when "
                "they help the reader.",
                "I can use concrete details, quotations and examples to develop my topic.",
                "I can use precise words and the vocabulary of the subject I am writing about.",
            ),
        ),
        StageSpec(
            label="A structure that fits the topic",
            typical_grade=5,
            descriptor=(
                "The piece opens with a general observation and a clear focus. The writer "
                "chooses a structure that suits the topic (compare and contrast, cause and "
                "effect, problem and solution) and links ideas across categories with phrases "
                "such as in contrast and especially."
            ),
            evidence_statements=(
                "I can open with a general observation and make my focus clear.",
                "I can choose a structure, such as compare and contrast or cause and effect, "
                "that fits my topic.",
                "I can link ideas across sections with phrases such as in contrast and especially.",
            ),
        ),
        StageSpec(
            label="Organising ideas in a formal style",
            typical_grade=6,
            descriptor=(
                "Ideas, concepts and information are organised with deliberate strategies: "
                "definition, classification, comparison, cause and effect. The writer selects "
                "the most relevant facts and quotations and keeps a formal style and an "
                "objective tone."
            ),
            evidence_statements=(
                "I can organise my ideas using definition, classification, comparison or "
                "cause and effect.",
                "I can select the most relevant facts and quotations to develop my topic.",
                "I can keep a formal style and an objective tone.",
            ),
        ),
        StageSpec(
            label="Bringing several sources together",
            typical_grade=7,
            descriptor=(
                "The introduction previews what is to follow. The writer combines relevant "
                "information from several sources into one explanation, and transitions "
                "create cohesion by showing how ideas relate. The conclusion follows from the "
                "information presented."
            ),
            evidence_statements=(
                "I can preview what is to follow in my introduction so readers know where I "
                "am going.",
                "I can combine information from several sources to explain a topic.",
                "I can use transitions that show how my ideas relate to each other.",
            ),
        ),
        StageSpec(
            label="Explaining complex ideas precisely",
            typical_grade=8,
            descriptor=(
                "The writer explains a complex idea with well-chosen, sufficient facts, "
                "details and examples, cites sources accurately and explains why the "
                "information matters. The conclusion draws out the implications of what has "
                "been explained."
            ),
            evidence_statements=(
                "I can select facts, details and examples that are enough to explain a "
                "complex idea.",
                "I can cite my sources accurately and explain why the information matters.",
                "I can write a conclusion that draws out what my explanation means.",
            ),
        ),
    ),
)

NARRATIVE = CompetencyContent(
    code="W3",
    title="Narrative",
    statement=(
        "Write narratives to develop real or imagined experiences or events using effective "
        "technique, well-chosen details and well-structured event sequences."
    ),
    kind=CompetencyKind.ACADEMIC,
    subject="Writing",
    stages=(
        StageSpec(
            label="A sequence of events",
            typical_grade=3,
            descriptor=(
                "The writer sets up a situation with a narrator or characters and tells "
                "events in a natural order, using time words (first, then, later). Characters' "
                "actions, thoughts and feelings are described, and the story has a sense of "
                "closure."
            ),
            evidence_statements=(
                "I can introduce a narrator or characters and the situation they are in.",
                "I can tell events in an order that makes sense, using words such as first, "
                "then and later.",
                "I can describe what my characters do, think and feel.",
                "I can give my story an ending that feels finished.",
            ),
        ),
        StageSpec(
            label="Dialogue and description",
            typical_grade=4,
            descriptor=(
                "Dialogue and description show how characters respond to events. Concrete "
                "words and sensory details help the reader picture the scene, and "
                "transitional words and phrases manage the order of events."
            ),
            evidence_statements=(
                "I can use dialogue to show how my characters respond to events.",
                "I can use concrete words and sensory details to help my reader picture the scene.",
                "I can use transitional words and phrases to manage the order of events.",
            ),
        ),
        StageSpec(
            label="Pacing and point of view",
            typical_grade=5,
            descriptor=(
                "The writer controls pacing, slowing down the moments that matter and moving "
                "quickly through the rest, and keeps a clear point of view. The conclusion "
                "follows from the experiences in the story."
            ),
            evidence_statements=(
                "I can slow down important moments and move quickly through less important ones.",
                "I can keep a clear point of view all the way through my story.",
                "I can write a conclusion that follows from the experiences in my story.",
            ),
        ),
        StageSpec(
            label="Drawing the reader in",
            typical_grade=6,
            descriptor=(
                "The opening engages the reader and establishes a context and point of view. "
                "Events unfold naturally and logically, precise words and sensory language "
                "capture the action, and transitions signal shifts in time or setting."
            ),
            evidence_statements=(
                "I can open my story in a way that draws the reader in and sets up the context.",
                "I can choose precise words and sensory language that capture the action.",
                "I can use transitions to signal a shift in time or setting.",
            ),
        ),
        StageSpec(
            label="Reflection and deliberate technique",
            typical_grade=7,
            descriptor=(
                "The writer uses reflection to show what an experience meant, and chooses "
                "techniques such as flashback or foreshadowing on purpose. Shifts between "
                "time frames and settings are clear, and the conclusion reflects on the "
                "events narrated."
            ),
            evidence_statements=(
                "I can use reflection to show what an experience meant to my narrator.",
                "I can use techniques such as flashback or foreshadowing on purpose.",
                "I can write a conclusion that reflects on the events of my story.",
            ),
        ),
        StageSpec(
            label="Structure and voice that carry a theme",
            typical_grade=8,
            descriptor=(
                "A theme develops through what the characters do and how they change. The "
                "writer shapes the structure, for example with parallel plot lines, to create "
                "tension or surprise, and revises word choice so the narrator's voice stays "
                "consistent and convincing."
            ),
            evidence_statements=(
                "I can develop a theme through what my characters do and how they change.",
                "I can shape the structure of my story, for example with parallel plot lines, "
                "to create tension or surprise.",
                "I can revise my word choices so my narrator's voice stays consistent.",
            ),
        ),
    ),
)

PROBLEM_SOLVING = CompetencyContent(
    code="MP1",
    title="Problem solving",
    statement="Make sense of problems and persevere in solving them.",
    kind=CompetencyKind.ACADEMIC,
    subject="Mathematics",
    stages=(
        StageSpec(
            label="Understanding the problem",
            typical_grade=3,
            descriptor=(
                "The student explains in their own words what a problem is asking, separates "
                "what is known from what is asked, represents the problem with a drawing, "
                "objects or a diagram, and checks whether the answer makes sense."
            ),
            evidence_statements=(
                "I can explain in my own words what a problem is asking.",
                "I can show a problem with a drawing, objects or a diagram.",
                "I can check whether my answer makes sense.",
            ),
        ),
        StageSpec(
            label="Choosing a strategy",
            typical_grade=4,
            descriptor=(
                "The student chooses a strategy that fits the problem (make a table, look for "
                "a pattern, work backwards), switches approach when stuck, and records the "
                "steps so that someone else can follow the thinking."
            ),
            evidence_statements=(
                "I can choose a strategy, such as making a table or working backwards, that "
                "fits the problem.",
                "I can try a different approach when my first one does not work.",
                "I can show my steps so someone else can follow my thinking.",
            ),
        ),
        StageSpec(
            label="Planning multi-step solutions",
            typical_grade=5,
            descriptor=(
                "The student breaks a multi-step problem into parts and plans their order, "
                "estimates before solving and compares the estimate with the result, and "
                "explains why the chosen strategy works."
            ),
            evidence_statements=(
                "I can break a multi-step problem into smaller parts and plan their order.",
                "I can estimate an answer before I solve and compare it with my result.",
                "I can explain why my strategy works.",
            ),
        ),
        StageSpec(
            label="Representing with equations and models",
            typical_grade=6,
            descriptor=(
                "The student represents a situation with an expression, an equation, a table "
                "or a graph, connects different representations of the same problem, and "
                "keeps working on a problem that takes more than one sitting."
            ),
            evidence_statements=(
                "I can represent a situation with an expression, a table or a graph.",
                "I can connect different representations of the same problem and explain how "
                "they match.",
                "I can keep working on a problem that takes more than one sitting.",
            ),
        ),
        StageSpec(
            label="Comparing approaches",
            typical_grade=7,
            descriptor=(
                "The student compares solution methods for efficiency and clarity, finds and "
                "corrects errors in their own or others' reasoning, and states the "
                "assumptions behind an answer."
            ),
            evidence_statements=(
                "I can compare two solution methods and explain which is more efficient and why.",
                "I can find an error in a solution, mine or someone else's, and correct it.",
                "I can state the assumptions I made and how they affect my answer.",
            ),
        ),
        StageSpec(
            label="Modelling and generalising",
            typical_grade=8,
            descriptor=(
                "The student builds a mathematical model of a real situation and judges "
                "whether its results are reasonable, generalises a pattern and justifies why "
                "it always holds, and explains the limits of the model."
            ),
            evidence_statements=(
                "I can build a mathematical model of a real situation and judge whether its "
                "results are reasonable.",
                "I can generalise a pattern and justify why it always works.",
                "I can explain the limits of my model and how I would improve it.",
            ),
        ),
    ),
)

COLLABORATION = CompetencyContent(
    code="COL",
    title="Collaboration",
    statement=(
        "Work with others toward shared goals: contribute, listen, share responsibility and "
        "work through differences respectfully."
    ),
    kind=CompetencyKind.SKILL,
    subject="Skills for life",
    stages=(
        StageSpec(
            label="Taking part",
            typical_grade=3,
            descriptor=(
                "The student takes turns, listens when others speak, does their share of a "
                "group task with reminders, and disagrees with kind words."
            ),
            evidence_statements=(
                "I can take turns speaking and listen when others speak.",
                "I can do my share of a group task when I am reminded.",
                "I can use kind words when I disagree.",
            ),
        ),
        StageSpec(
            label="Contributing reliably",
            typical_grade=4,
            descriptor=(
                "The student finishes agreed tasks without reminders, shares ideas and asks "
                "about others' ideas, and follows the group's agreements about how to work."
            ),
            evidence_statements=(
                "I can finish the part of a task I agreed to do without reminders.",
                "I can share my ideas and ask others about theirs.",
                "I can follow the working agreements my group made.",
            ),
        ),
        StageSpec(
            label="Building on others' ideas",
            typical_grade=5,
            descriptor=(
                "The student builds on other people's ideas instead of only adding their own, "
                "helps the group stay focused on its goal, and takes feedback from the group "
                "and uses it."
            ),
            evidence_statements=(
                "I can build on other people's ideas instead of only adding my own.",
                "I can help my group stay focused on our goal.",
                "I can take feedback from my group and use it.",
            ),
        ),
        StageSpec(
            label="Sharing roles and responsibility",
            typical_grade=6,
            descriptor=(
                "The student helps the group plan who does what and by when, takes on "
                "different roles (facilitator, recorder, timekeeper) and does them well, and "
                "speaks up when the group falls behind."
            ),
            evidence_statements=(
                "I can help my group plan who does what and by when.",
                "I can take on different roles, such as facilitator or recorder, and do them well.",
                "I can check on our progress and speak up when we fall behind.",
            ),
        ),
        StageSpec(
            label="Working through disagreement",
            typical_grade=7,
            descriptor=(
                "The student helps the group work through disagreements respectfully, makes "
                "sure quieter members are heard, and changes their mind when given a good "
                "reason."
            ),
            evidence_statements=(
                "I can help my group work through a disagreement respectfully.",
                "I can make sure quieter members of my group are heard.",
                "I can change my mind when someone gives me a good reason.",
            ),
        ),
        StageSpec(
            label="Leading and reflecting",
            typical_grade=8,
            descriptor=(
                "The student leads a group toward a shared goal while sharing decisions, "
                "gives teammates specific and useful feedback, and reflects on how the group "
                "worked to improve the next collaboration."
            ),
            evidence_statements=(
                "I can lead a group toward a shared goal while sharing decisions.",
                "I can give teammates specific, kind and useful feedback.",
                "I can reflect on how my group worked and suggest what to change next time.",
            ),
        ),
    ),
)

FRAMEWORKS = (
    FrameworkContent(
        code="WRITING",
        title="Writing K-12",
        description=(
            "How students grow as writers of arguments, explanations and stories, from a "
            "first opinion with a reason to an argument built on evaluated sources."
        ),
        competencies=(ARGUMENT, INFORMATIVE, NARRATIVE),
    ),
    FrameworkContent(
        code="MATH-PRACTICES",
        title="Mathematical Practices",
        description="The habits of mind of a mathematician, practised across every topic.",
        competencies=(PROBLEM_SOLVING,),
    ),
    FrameworkContent(
        code="SKILLS",
        title="Skills for Life",
        description="Dispositions that carry across subjects and beyond school.",
        competencies=(COLLABORATION,),
    ),
)


@dataclass(frozen=True)
class CourseContent:
    code: str
    title: str
    targets: tuple[tuple[str, int], ...]  # (competency code, stage ordinal)
    next_code: str | None = None


def _writing(grade: int, next_code: str | None) -> CourseContent:
    stage = grade - 2
    return CourseContent(
        code=f"WS{grade}",
        title=f"Writing Studio {grade}",
        targets=(("W1", stage), ("W2", stage), ("W3", stage)),
        next_code=next_code,
    )


COURSES = (
    _writing(4, "WS5"),
    _writing(5, "WS6"),
    _writing(6, "WS7"),
    _writing(7, "WS8"),
    _writing(8, None),
    CourseContent("MW5", "Math Workshop 5", (("MP1", 3),), "MW7"),
    CourseContent("MW7", "Math Workshop 7", (("MP1", 5),)),
)

SCHOOLS = ("Cedar Grove K-8", "Riverbend K-8")


@dataclass(frozen=True)
class SectionContent:
    name: str
    school: str
    course: str
    # Students are placed by readiness, so each section mixes these age-grades.
    age_grades: tuple[int, ...]
    teacher: tuple[str, str]  # first and last name
    writing: bool = True


SECTIONS = (
    SectionContent("Maple Studio", "Cedar Grove K-8", "WS4", (3, 4), ("Hannah", "Kim")),
    SectionContent("Birch Studio", "Cedar Grove K-8", "WS5", (4, 5, 6), ("Elena", "Márquez")),
    SectionContent("Cedar Studio", "Cedar Grove K-8", "WS7", (6, 7, 8), ("Samuel", "Osei")),
    SectionContent("Heron Studio", "Riverbend K-8", "WS4", (3, 4, 5), ("Rosa", "Delgado")),
    SectionContent("Osprey Studio", "Riverbend K-8", "WS6", (5, 6, 7), ("Tom", "Brennan")),
    SectionContent("Kestrel Studio", "Riverbend K-8", "WS8", (7, 8), ("Aisha", "Rahman")),
    SectionContent(
        "Willow Math Workshop",
        "Cedar Grove K-8",
        "MW5",
        (4, 5, 6),
        ("Lucas", "Ferreira"),
        writing=False,
    ),
    SectionContent(
        "Falcon Math Workshop",
        "Riverbend K-8",
        "MW7",
        (6, 7, 8),
        ("Naomi", "Cohen"),
        writing=False,
    ),
)

# The teacher who signs in as `teacher` leads this section, which holds `student`.
TEACHER_SECTION = "Birch Studio"
# A studio or workshop holds at most this many students, as a large one does in a school
# that mixes ages; a district beyond six of them gets more sections, with their own teachers.
MAX_SECTION_SIZE = 500
