"""Problem solving (MP1): plan the studio garden on a budget."""

from .shapes import StudentWork, TaskContent, draft, prose, rated, returned, submitted

TASK = TaskContent(
    code="MP1",
    title="Plan the studio garden",
    stages=(3, 4),
    instructions=prose(
        """
        Our studios want to build raised garden beds this spring, and the parent council has
        given us **$150**. Your job is to plan how to spend it, and to convince the council
        that your plan adds up.

        ## The prices

        | item | price | needed for one bed |
        |---|---|---|
        | raised bed kit | $32 | 1 |
        | bag of soil | $2.50 | 8 |
        | packet of seeds | $1.75 | 4 |

        ## The questions

        1. **Estimate first.** About how many beds can we afford? Write your estimate down
           before you calculate anything.
        2. How many beds can we build with $150, and how much money is left over? Show every
           step.
        3. The parent council will **double** whatever we raise at the bake sale. How much do
           we need to raise to build **four** beds?
        4. Compare your answer with your estimate. Was your estimate reasonable? Why?

        ## Show your thinking

        Use any representation that helps: a table, an expression or an equation, a graph, a
        diagram. If you get stuck, try a different strategy and tell us what you changed.
        Explain *why* your strategy works, so that someone else could check it.

        You can revise until you have mastered both stages of this task.
        """
    ),
    options=(
        "Write up your solution step by step",
        "Make a table and a graph of the costs",
        "Record yourself explaining your strategy (hand in your notes too)",
    ),
    author="Willow Math Workshop",
    given_to=("Willow Math Workshop",),
    opened=90,
    due=-55,
    revision_policy="until_mastered",
)

AMARA = StudentWork(
    task="MP1",
    stage=3,
    option=1,
    login=True,
    ages=(5,),
    steps=(
        submitted(
            """
            **Estimate:** one bed is about $30 + $20 + $10 = $60, so about 2 beds, because
            3 × $60 = $180 is too much.

            **Step 1: the cost of one bed**

            - soil: 8 × $2.50 = $20
            - seeds: 4 × $1.75 = $7
            - kit: $32
            - one bed: $32 + $20 + $7 = **$59**

            **Step 2: my table**

            | beds | cost |
            |---|---|
            | 1 | $59 |
            | 2 | $118 |
            | 3 | $177 |
            | 4 | $236 |

            Two beds cost $118, which is under $150, but three beds cost $177, which is over.
            So we can build **2 beds** and have $150 − $118 = **$32** left over. That is
            exactly enough for one more kit, but not for its soil and seeds.

            **Step 3: the bake sale**

            Four beds cost $236. We have $150, so we need $236 − $150 = $86 more. The council
            doubles what we raise, so we only need to raise half of it: $86 ÷ 2 = **$43**.

            **Check:** $43 + $43 = $86 and $150 + $86 = $236. My estimate of 2 beds was right,
            because I only rounded $59 up to $60.

            My graph shows the cost for each number of beds with a line at $150, so you can
            see that only the first two bars fit under it.
            """,
            3,
            """
            I estimated first and checked at the end. The table helped me see where the money
            runs out.
            """,
            files=("garden-graph",),
        ),
        rated(
            3,
            """
            You broke the problem into clear parts, estimated before solving and checked your
            answer against the estimate. Your table and graph make it easy to see where the
            budget runs out, and the check at the end proves the bake sale answer.
            """,
            """
            Next stage: write an expression for the cost of b beds (59 × b) and show how your
            table, your graph and your expression all describe the same thing.
            """,
        ),
    ),
)

WORKS = (
    AMARA,
    StudentWork(
        task="MP1",
        stage=3,
        option=0,
        ages=(4, 5),
        steps=(
            submitted(
                """
                A bed costs $32 + $2.50 + $1.75 = $36.25.

                $150 ÷ $36.25 = about 4.

                So we can build 4 beds. 4 × $36.25 = $145, so $5 is left.

                We don't need a bake sale because we can already build 4 beds.
                """,
                3,
                "I divided to find how many beds.",
            ),
            returned(
                2,
                """
                You found a cost for one bed and used division to see how many fit in the
                budget: a sensible strategy, and your calculations are correct.
                """,
                """
                Reread the table: each bed needs 8 bags of soil and 4 packets of seeds, not one
                of each. Break the problem into parts (the kit, the soil, the seeds), write an
                estimate before you calculate, and check whether your answer makes sense —
                could four beds really cost less than $150?
                """,
            ),
            submitted(
                """
                I made a mistake the first time because I only counted one bag of soil and one
                packet of seeds. This time I broke it into parts.

                **Estimate:** soil is about 8 × $3 = $24, seeds about 4 × $2 = $8, and the kit
                is $32. That is about $64, so maybe 2 beds.

                **Parts of one bed:**

                - kit = $32
                - soil = 8 × $2.50 = $20
                - seeds = 4 × $1.75 = $7
                - total = $59

                **How many beds:** 2 × $59 = $118 and 3 × $59 = $177. $177 is more than $150,
                so we can build 2 beds, and $150 − $118 = $32 is left.

                **Bake sale:** 4 beds = 4 × $59 = $236, and $236 − $150 = $86. The council
                doubles what we raise, so we need half of $86, which is $43.

                My estimate ($64 a bed, 2 beds) was close. It was a bit more than the real
                answer because I rounded up.
                """,
                3,
                """
                My estimate showed me my first answer was wrong. Breaking it into parts helped.
                """,
            ),
            rated(
                3,
                """
                Your estimate caught your own mistake, which is exactly what estimating is for.
                You broke the problem into parts, planned their order, and explained why you
                only need to raise half of $86.
                """,
                """
                Next stage: represent the situation another way too, such as a table or the
                inequality 59 × b ≤ 150, and explain how it matches your steps.
                """,
            ),
        ),
    ),
    StudentWork(
        task="MP1",
        stage=4,
        option=0,
        ages=(6,),
        steps=(
            submitted(
                """
                **Estimate.** One bed costs roughly $32 + $20 + $7 ≈ $60, so $150 should buy
                between 2 and 3 beds.

                **Model.** Let b be the number of beds. The cost is C = 59b, because each bed
                needs a $32 kit, 8 × $2.50 = $20 of soil and 4 × $1.75 = $7 of seeds.

                **How many beds?** We need 59b ≤ 150, so b ≤ 150 ÷ 59 ≈ 2.54. We cannot build
                part of a bed, so b = 2. The cost is 59 × 2 = $118, and $32 is left.

                **Four beds.** C = 59 × 4 = 236. The gap is 236 − 150 = 86. If we raise r
                dollars and the council doubles it, the bake sale brings in 2r, so 2r = 86 and
                r = 43. We need to raise **$43**.

                **Connecting the representations.** In a table of b and C, the cost goes up by
                59 in every row. On a graph the points lie on a straight line through (0, 0)
                with a slope of 59, and the line C = 150 crosses it between b = 2 and b = 3 —
                the same answer as the inequality.

                **Is it reasonable?** My estimate said 2 or 3 beds, and the exact answer is 2,
                so yes. I assumed the prices include tax. If tax were added, the $32 left over
                might not be enough for anything extra.
                """,
                3,
                """
                I wrote an equation and an inequality and explained how the table and the graph
                match them. I stated my assumption about tax.
                """,
            ),
        ),
    ),
    StudentWork(
        task="MP1",
        stage=4,
        option=2,
        ages=(5, 6),
        steps=(
            submitted(
                """
                Notes for my recording (the photo is my notebook page):

                - 59 per bed
                - 150 ÷ 59 = 2 r 32
                - 2 beds, $32 left
                - 4 beds = 236, need 86 more, so the bake sale needs 43
                """,
                3,
                "I got all the right answers.",
                files=("garden-strategy", "garden-notes"),
            ),
            returned(
                2,
                "All your answers are correct, and your recording is calm and clear.",
                """
                Your notes show the answers but not the model behind them. Represent the
                situation with an expression or an equation (what does 59 stand for?), connect
                it to a table or a graph, and explain in your recording how the representations
                match.
                """,
            ),
            draft(
                """
                Let b = the number of beds. Cost = 59 × b.

                I'm going to make a table for b = 0 to 4 and then graph it, so I can show where
                it crosses $150.
                """
            ),
        ),
    ),
    StudentWork(
        task="MP1",
        stage=3,
        option=0,
        ages=(4,),
        steps=(
            draft(
                """
                Estimate: $150 ÷ $32 = about 4 beds?

                Wait, I forgot the soil and the seeds. Start again.
                """
            ),
        ),
    ),
    StudentWork(
        task="MP1",
        stage=3,
        option=0,
        ages=(5, 6),
        steps=(
            submitted(
                """
                First I found the cost of one bed: 32 + 20 + 7 = 59. (I did 8 × 2.50 = 20 and
                4 × 1.75 = 7.)

                Then I added: 59 + 59 = 118, and 118 + 59 = 177. 177 is too much, so we can
                build 2 beds. 150 − 118 = 32 is left.

                For 4 beds I did 59 + 59 + 59 + 59 = 236, and 236 − 150 = 86. So we need to
                raise $86.
                """,
                3,
                "I added bed by bed until it was too much.",
            ),
            rated(
                2,
                """
                Adding one bed at a time is a clear strategy, and your costs for one, two and
                three beds are correct.
                """,
                """
                Reread question 3: the council doubles what we raise, so do we really need to
                raise all $86? Write an estimate before you start, and check each answer
                against it.
                """,
            ),
        ),
    ),
    StudentWork(
        task="MP1",
        stage=4,
        option=1,
        ages=(6,),
        steps=(
            submitted(
                """
                I made a table:

                | beds | kits | soil | seeds | total |
                |---|---|---|---|---|
                | 1 | $32 | $20 | $7 | $59 |
                | 2 | $64 | $40 | $14 | $118 |
                | 3 | $96 | $60 | $21 | $177 |

                Every row goes up by $59, so the total is 59 × the number of beds: the
                expression 59b. 59b has to be 150 or less, so b = 2 (59 × 3 = 177 is too big).
                Left over: 150 − 118 = $32.

                For the bake sale I worked backwards. Four beds cost 59 × 4 = 236. Take away
                what we have: 236 − 150 = 86. That 86 is the money we raise plus the council's
                money, which is the same amount, so it is two equal parts: 86 ÷ 2 = $43.

                The table and the expression match because each row of the table is 59 more
                than the row before, and the 59 in the expression is the cost of one bed.
                """,
                3,
                """
                I made a table and found the pattern, then I wrote it as an expression. I
                worked backwards for the bake sale.
                """,
            ),
            rated(
                3,
                """
                Your table shows where the 59 comes from, and you connect it clearly to the
                expression 59b. Working backwards for the bake sale is a smart choice, and
                “two equal parts” explains it well.
                """,
                """
                Add a graph and explain how it shows the same pattern, and say what you
                assumed (for example, that the prices include tax).
                """,
            ),
        ),
    ),
    StudentWork(
        task="MP1",
        stage=3,
        option=0,
        ages=(4, 5),
        steps=(
            draft(
                """
                Estimate: a bed is about $60. 2 beds is $120. 3 beds is $180, too much. So
                about 2 beds.
                """
            ),
        ),
    ),
)
