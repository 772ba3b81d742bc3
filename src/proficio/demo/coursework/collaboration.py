"""Collaboration (COL): build a paper bridge as a team, then show how you worked together."""

from .shapes import StudentWork, TaskContent, draft, prose, rated, returned, submitted

TASK = TaskContent(
    code="COL",
    title="Bridge-building challenge: build it together",
    stages=(3, 4),
    instructions=prose(
        """
        In teams of four, design and build a bridge from **20 sheets of paper and one metre
        of tape** that spans a 30 cm gap between two desks. We test each bridge by hanging a
        paper cup from its middle and adding coins, one at a time, until it falls.

        ## Roles

        Every team shares four roles, and you switch roles after the first test:

        - **Facilitator**: makes sure every voice is heard and the team sticks to its plan.
        - **Recorder**: keeps the build log — designs tried, coins held, what changed.
        - **Materials manager**: looks after the paper and tape and counts what is left.
        - **Timekeeper**: keeps us to the 40-minute build clock and calls the check-ins.

        ## What to hand in (your own, not your team's)

        After the final test, show how **you** worked in your team. Choose how from the
        choice board; whatever you choose, answer these questions:

        1. Describe one moment when you built on a teammate's idea instead of only adding
           your own. What did they suggest, and what did you add?
        2. Which roles did you take, and what did you do in them that helped the team?
        3. When did your team get stuck or fall behind, and what did someone do about it?
        4. What feedback did your team give you, and what will you do differently next time?

        The rubric is about collaboration, not about how many coins your bridge held.
        """
    ),
    options=(
        "Write a reflection on how your team worked",
        "Keep a build log with a chart of your tests",
        "Record a team debrief (hand in your notes too)",
    ),
    author="Birch Studio",
    given_to=("Birch Studio",),
    opened=20,
    due=10,
)

AMARA = StudentWork(
    task="COL",
    stage=4,
    option=1,
    login=True,
    ages=(5,),
    steps=(
        submitted(
            """
            **Build log: Team 3 (Amara, Diego, Mei and Sam)**

            - Test 1: a flat bridge, 4 sheets thick. Held 12 coins.
            - Test 2: we folded the paper into a zigzag like Mei said. Held 41 coins!
            - Test 3: we added tubes under the zigzag. Held 58 coins.

            My chart shows all three tests and my drawing shows how we tested. I was the
            recorder for tests 1 and 2 and the timekeeper for test 3. Our team worked well
            together.
            """,
            3,
            "I kept the log for every test and I made a chart.",
            files=("bridge-chart", "bridge-setup"),
        ),
        returned(
            2,
            """
            Your log is complete and accurate, and your chart shows clearly how each change
            made the bridge stronger. You noticed that Mei's zigzag made the biggest
            difference.
            """,
            """
            This task is about how you worked together, so tell me more: what did you do as
            recorder and as timekeeper that helped your team plan who does what, and by when?
            When did your team fall behind the 40-minute clock, and did you speak up? Answer
            questions 2 to 4 in your next version.
            """,
        ),
        draft(
            """
            **What I did in my roles**

            As recorder I wrote down every design and the number of coins it held, so when we
            argued about whether tubes or zigzags were stronger we could look at the numbers
            instead of guessing. As timekeeper for test 3 I called a check-in at 20 minutes
            because we had only built half of the deck. We agreed that Sam and I would finish
            the deck while Diego and Mei made the tubes, and we finished with four minutes
            left.

            **Feedback from my team**

            Diego said I sometimes
            """,
            files=("bridge-chart",),
        ),
    ),
)

WORKS = (
    AMARA,
    StudentWork(
        task="COL",
        stage=3,
        option=0,
        ages=(4, 5),
        steps=(
            submitted(
                """
                # How my team worked

                My team was me, Jaylen, Anika and Oscar. At first everyone wanted to build
                their own idea and we were just talking over each other. Then Anika said we
                should each draw our idea and pick the best parts. I liked Jaylen's idea of
                rolling the paper into tubes, and I added that we could tape the tubes together
                in triangles because triangles are strong. Jaylen said that was a good idea and
                we used it.

                I was the materials manager. I counted the paper so we would not run out. When
                we had only 6 sheets left I told the team, so we would not waste them on the
                railings.

                When we got stuck, it was because the tape kept coming off. Oscar said to fold
                the ends of the paper over before taping them, and it worked.

                My team said I was good at listening but I should share my ideas sooner. Next
                time I will say my idea in the first five minutes instead of waiting.
                """,
                3,
                """
                I built on Jaylen's tube idea and I wrote down the feedback from my team and
                what I will do with it.
                """,
            ),
            rated(
                3,
                """
                You describe clearly how you built on Jaylen's tubes with your triangles, and
                how your team used Anika's idea to draw and combine plans. You took your
                group's feedback seriously and made a concrete plan from it.
                """,
                """
                Ready for the next step: at the start of the next project, help your team plan
                who does what and by when, and try a role you haven't done yet, such as
                facilitator.
                """,
            ),
        ),
    ),
    StudentWork(
        task="COL",
        stage=4,
        option=0,
        ages=(6,),
        steps=(
            submitted(
                """
                # Team 5 reflection

                **Building on an idea.** Our first bridge collapsed at 9 coins because the deck
                sagged in the middle. Tomás suggested adding a second layer of paper. Instead of
                just agreeing, I asked whether we could fold the second layer into an accordion
                so it would be stiff as well as thicker. We tested both, and the accordion deck
                held 37 coins compared with 15 for the flat double layer.

                **My roles.** I was the facilitator for the first build. At the start I asked
                everyone to say one idea before we voted, because in our last project two
                people made all the decisions. We wrote a plan on the whiteboard: Tomás and Lea
                on the deck, Kofi on the supports, me on testing. After the switch I became
                the timekeeper.

                **Falling behind.** At the 25-minute check-in we still had no supports, because
                Kofi was waiting for the deck to be finished. I suggested he build the supports
                separately and attach them at the end. We finished with two minutes to spare.

                **Feedback.** Lea told me that when I am the facilitator I sometimes answer my
                own questions before anyone else can. Next time I will count to five after I
                ask a question.
                """,
                3,
                """
                I think I planned roles well and spoke up when we fell behind. I am still
                working on leaving space for other people to answer.
                """,
            ),
        ),
    ),
    StudentWork(
        task="COL",
        stage=3,
        option=2,
        ages=(5, 6),
        steps=(
            submitted(
                """
                Debrief notes (we recorded this together after the last test):

                - what went well: our bridge held 44 coins!!
                - what was hard: we argued about the design
                - I did the tape and I was the timekeeper
                - next time: listen more
                """,
                3,
                "We talked about everything on the list.",
                files=("bridge-debrief",),
            ),
            rated(
                2,
                """
                Your recording shows your team talking honestly about what was hard, and you
                did your share of the build.
                """,
                """
                Next time, tell me about one moment when you built on someone else's idea: what
                did they say, and what did you add? And when you argued about the design, what
                helped you move on?
                """,
            ),
        ),
    ),
    StudentWork(
        task="COL",
        stage=4,
        option=0,
        ages=(5, 6),
        steps=(
            draft(
                """
                I was the recorder for our team. I wrote down everything we tried. Our first
                bridge fell at 9 coins because
                """
            ),
        ),
    ),
    StudentWork(
        task="COL",
        stage=4,
        option=0,
        ages=(6,),
        steps=(
            submitted(
                """
                # How Team 2 worked

                **Building on an idea.** Marisol wanted to make the bridge an arch. I liked
                that, but I noticed that our arch kept flattening when we added coins, so I
                suggested tying the two ends together with a strip of tape underneath, like the
                string on a bow. That change took us from 18 coins to 33.

                **My roles.** I was the materials manager first. I split our 20 sheets into
                piles for the deck, the arch and spares, so we wouldn't use everything on the
                first try. After the switch I was the recorder.

                **Getting stuck.** Halfway through, Ben and Marisol disagreed about whether to
                start over. I asked them each to explain their idea in one minute, and then we
                voted. We kept the arch.

                **Feedback.** Ben said I am good at keeping things organised but that I should
                let other people hold the tape sometimes. He's right. Next time I will hand
                over jobs instead of doing them all myself.
                """,
                3,
                """
                I built on Marisol's arch and I helped when Ben and Marisol disagreed. I need
                to share jobs more.
                """,
            ),
        ),
    ),
    StudentWork(
        task="COL",
        stage=3,
        option=0,
        ages=(4, 5),
        steps=(
            draft(
                """
                My team was me, Nora, Eli and Jack. Our bridge held 26 coins. I was the
                timekeeper. At first
                """
            ),
        ),
    ),
    StudentWork(
        task="COL",
        stage=3,
        option=1,
        ages=(5,),
        steps=(
            submitted(
                """
                Build log

                - Test 1: 20 coins
                - Test 2: 31 coins
                - Test 3: it broke at 8 coins because we ran out of tape
                """,
                3,
                "I wrote down all our tests.",
            ),
            returned(
                2,
                """
                Your log records every test, and you noticed why test 3 failed: you ran out
                of tape.
                """,
                """
                The task asks how you worked with your team. Add who did what in each test,
                one idea from a teammate that you built on, and what your team could have done
                so you did not run out of tape.
                """,
            ),
        ),
    ),
)
