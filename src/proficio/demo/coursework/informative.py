"""Informative and explanatory writing (W2): explain how a process or a system works."""

from .shapes import StudentWork, TaskContent, draft, prose, rated, returned, submitted

TASK = TaskContent(
    code="W2",
    title="How does it work? Explain a process or a system",
    stages=(3, 4),
    instructions=prose(
        """
        Choose something that works in steps or in parts — how water gets to our taps, how
        bees make honey, why we have seasons, how a bicycle's gears work, what happens to
        our recycling — and explain it so clearly that a younger student could follow.

        ## Before you write

        - Read about your topic in **at least two sources** (our studio library, the
          encyclopedia, a museum website) and note where each fact comes from.
        - Decide on a **structure that fits your topic**: a sequence for a process, cause
          and effect, compare and contrast, or problem and solution. Sketch it as a plan.

        ## As you write

        - Open with a general observation that makes your focus clear.
        - Use headings for the parts, and a diagram if it helps your reader.
        - Use the precise words of the subject, and explain the ones your reader may not
          know.
        - Link your sections with phrases such as *in contrast*, *as a result* and
          *especially*.
        - Keep a calm, formal tone: you are the expert here.

        You may hand in **up to three versions**: your first submission and two revisions.
        """
    ),
    options=(
        "Write an illustrated explainer with headings",
        "Draw a labelled diagram with a caption for every step",
        "Record a “how it works” podcast episode (hand in your script)",
    ),
    author="Birch Studio",
    given_to=("Birch Studio",),
    opened=105,
    due=-70,
    revision_policy="max",
    max_revisions=2,
)

AMARA = StudentWork(
    task="W2",
    stage=3,
    option=1,
    login=True,
    ages=(5,),
    steps=(
        submitted(
            """
            # How water gets to our taps

            Every time you turn on a tap, the water has already travelled a long way. This
            explainer follows it step by step, from the river to our school's sinks. My
            diagram shows the whole journey, and the captions below explain each stop.

            **1. The river intake.** Water is pumped out of the river through a screen that
            stops fish, leaves and branches.

            **2. Settling.** At the treatment plant, a chemical called alum is added. It makes
            tiny bits of dirt clump together into heavier “flocs” that sink to the bottom of
            a tank.

            **3. Filtering.** The water then trickles through layers of sand, gravel and
            charcoal, which catch the smaller particles that did not sink.

            **4. Disinfecting.** A small amount of chlorine is added to kill germs. In contrast
            to the earlier steps, you cannot see this one working, but it is especially
            important because germs are invisible.

            **5. The water tower.** Clean water is stored in a tall tower. Because the tower is
            high, gravity pushes the water through the pipes under the streets.

            **6. Our taps.** The pipes branch and branch again until they reach our school.

            So the water in our sinks is the end of a chain: each step removes something the
            step before it could not.
            """,
            3,
            """
            I chose a sequence because water goes through the steps in order, and I used “in
            contrast” and “especially” to link my ideas. My diagram has a label for every
            step. I learned about alum from the city water report.
            """,
            files=("water-diagram",),
        ),
    ),
)

WORKS = (
    AMARA,
    StudentWork(
        task="W2",
        stage=3,
        option=0,
        ages=(4, 5),
        steps=(
            submitted(
                """
                Bees make honey. First they go to flowers and get nectar. Then they fly back to
                the hive. Bees have two stomachs. Honey is sticky and sweet. Then they put it
                in the honeycomb and fan it with their wings. People like honey on toast. Bees
                are important for flowers too.
                """,
                2,
                "I wrote the steps but I think some facts are in the wrong place.",
            ),
            returned(
                2,
                """
                You know your topic: the nectar, the honey stomach and the fanning are all
                accurate and interesting details.
                """,
                """
                Some sentences interrupt the steps (honey on toast, bees and flowers). Open
                with a general sentence that tells your reader what you will explain, keep the
                steps in order with sequence words, and move the extra facts into a section of
                their own with a heading such as “Why it matters”.
                """,
            ),
            submitted(
                """
                # From flower to jar: how bees make honey

                Honey is made by thousands of bees working together in steps, and each step
                changes the nectar a little more.

                ## Collecting nectar

                First, a forager bee visits flowers and sucks up nectar with its long tongue.
                It keeps the nectar in a special “honey stomach”, which is separate from the
                stomach it uses for its own food. A bee can visit more than a hundred flowers
                on one trip.

                ## Passing it on

                Next, the forager flies back to the hive and passes the nectar to a house bee.
                The house bees pass it from mouth to mouth, and enzymes in their bodies begin
                to change the nectar into honey.

                ## Drying it out

                Then the bees spread the nectar in the wax cells of the honeycomb and fan it
                with their wings. In contrast to nectar, which is mostly water, honey is thick,
                because the fanning dries most of the water out. Finally, the bees seal each
                cell with a cap of wax.

                ## Why it matters

                Honey is the bees' food for the winter. It is especially important for us too:
                while bees collect nectar they carry pollen from flower to flower, which helps
                plants make fruit and seeds.
                """,
                3,
                """
                I made a heading for each part and put the steps in order. I moved the facts
                about pollen into a Why it matters section.
                """,
            ),
            rated(
                3,
                """
                Your opening tells the reader exactly what to expect, the headings follow the
                order of the process, and “in contrast to nectar” explains the change clearly.
                The details — the honey stomach, the enzymes — are precise.
                """,
                """
                Ready for the next step: name the sources of your facts (the bee book from our
                library, a website you checked), and choose the two or three facts that matter
                most for each step rather than every fact you found.
                """,
            ),
        ),
    ),
    StudentWork(
        task="W2",
        stage=4,
        option=0,
        ages=(6,),
        steps=(
            submitted(
                """
                # Why Earth has seasons

                Many people believe that summer happens because Earth is closer to the Sun. In
                fact, the seasons are caused by the tilt of Earth's axis. This explainer
                compares the two ideas to show why the tilt is the correct explanation.

                ## The distance idea

                Earth's orbit is almost a circle. According to NASA, Earth is closest to the
                Sun in early January, which is winter in the Northern Hemisphere. If distance
                caused the seasons, January would be the hottest month everywhere, but it is
                not.

                ## The tilt idea

                Earth's axis is tilted by about 23.5 degrees. As Earth travels around the Sun,
                the Northern Hemisphere leans toward the Sun for part of the year and away from
                it for the rest. When a hemisphere leans toward the Sun, sunlight hits it more
                directly and the days are longer. As a result, the ground absorbs more energy
                and the temperature rises.

                ## Comparing the evidence

                The tilt explanation also accounts for something the distance explanation
                cannot: when it is summer in Canada, it is winter in Argentina. Both countries
                are the same distance from the Sun at the same moment, so only the tilt can
                explain why their seasons are opposite.

                ## Conclusion

                Seasons are an effect of Earth's tilt, not of its distance from the Sun.
                Knowing the cause explains why the two hemispheres always have opposite
                seasons.
                """,
                3,
                """
                I used compare and contrast and also cause and effect. I tried to keep a
                formal tone and not say “I think”.
                """,
            ),
            rated(
                3,
                """
                You organise the piece around a comparison of two explanations and use cause
                and effect inside it: a deliberate structure that suits the topic. The Canada
                and Argentina example is well chosen, and the tone stays formal and objective
                all the way through.
                """,
                """
                Next stage: bring information from more than one source together, and preview
                your structure in the introduction so readers know you will test each
                explanation against the evidence.
                """,
            ),
        ),
    ),
    StudentWork(
        task="W2",
        stage=4,
        option=2,
        ages=(5, 6),
        steps=(
            submitted(
                """
                Hey everyone and welcome to How Stuff Works Junior! Today we're talking about
                bike gears. So basically, you know how when you go up a hill it's super hard?
                Gears fix that. There's the big gear and the little gear and a chain. When you
                switch gears it gets easier or harder. My bike has 21 gears which is awesome.
                Okay that's it for today, bye!
                """,
                2,
                """
                I recorded it in one take. I think I need to explain the big and little gears
                better.
                """,
                files=("gears-podcast",),
            ),
            returned(
                2,
                """
                Your podcast has a real listener in mind and a good opening question:
                everyone knows how hard a hill feels.
                """,
                """
                Explain *why* changing gear makes pedalling easier: what happens when the
                chain moves to a bigger gear at the back? Organise the episode as cause and
                effect, define “gear ratio” in a sentence, and trade the chatty phrases (“so
                basically”, “super hard”) for precise words.
                """,
            ),
            draft(
                """
                Welcome to How Stuff Works Junior. In this episode I will explain how the gears
                on a bicycle make hills easier to climb.

                A bicycle has gears at the front, by the pedals, and at the back, on the wheel.
                A chain connects them. The gear ratio compares the number of teeth on the front
                gear with the number on the back gear.

                When you shift to a bigger gear at the back, the back wheel turns fewer times
                for every turn of the pedals. As a result, each push is easier, but you travel
                less far.

                (Still to do: what happens on a flat road, and my conclusion.)
                """
            ),
        ),
    ),
    StudentWork(
        task="W2",
        stage=3,
        option=1,
        ages=(4,),
        steps=(
            draft(
                """
                Notes for my diagram

                - egg, then tadpole, then tadpole with legs, then froglet, then frog
                - captions still to write: what a tadpole eats, when the tail goes away
                - maybe compare it with a butterfly's life cycle?
                """
            ),
        ),
    ),
    StudentWork(
        task="W2",
        stage=3,
        option=0,
        ages=(5, 6),
        steps=(
            submitted(
                """
                # What happens to our recycling

                When we put things in the blue bin, a truck takes them to a sorting centre
                called a MRF. At the MRF there are lots of machines. There is a magnet that
                picks up steel cans. There are screens that shake and let the paper go one way
                and the bottles go another way. Also there is a machine with air that blows
                plastic. Also workers pick out things that are not supposed to be there like
                plastic bags. Plastic bags are bad because they get stuck in the machines. Then
                everything is squished into big blocks and sold to factories that make new
                stuff.

                That is what happens to recycling.
                """,
                3,
                "I explained all the machines.",
            ),
            rated(
                2,
                """
                You explain the journey in the order it happens, and you know many precise
                details: the magnet for steel cans, the shaking screens and the jets of air.
                """,
                """
                Open with a general observation that makes your focus clear (why should a
                reader care what happens after the blue bin?). Then choose a structure, such as
                problem and solution for the plastic bags, and link your sections with phrases
                like “in contrast” or “especially” instead of “also”.
                """,
            ),
        ),
    ),
    StudentWork(
        task="W2",
        stage=3,
        option=0,
        ages=(5,),
        steps=(
            submitted(
                """
                # Why volcanoes erupt

                A volcano can be quiet for hundreds of years and then erupt in a single day.
                This happens because of what is going on deep underground, in a chain of
                causes and effects.

                ## Melting rock

                Deep under the Earth's crust it is so hot that some rock melts. Melted rock
                underground is called magma. Magma is lighter than the solid rock around it, so
                it slowly rises, especially where the plates of the Earth's crust meet.

                ## Pressure builds

                The magma collects in a chamber under the volcano. It is full of gases, like
                the bubbles in a bottle of soda. As more magma comes in, the pressure in the
                chamber grows.

                ## The eruption

                When the pressure is stronger than the rock on top, the magma bursts out. Once
                it reaches the surface it is called lava. In contrast to the slow, runny
                eruptions in Hawaii, some volcanoes explode, because their magma is thick and
                traps the gas.

                That is why some volcanoes ooze and others explode.
                """,
                3,
                """
                I used cause and effect and headings. I compared Hawaii with the volcanoes
                that explode.
                """,
            ),
        ),
    ),
    StudentWork(
        task="W2",
        stage=4,
        option=0,
        ages=(5, 6),
        steps=(
            submitted(
                """
                # Compost

                Composting is when food scraps turn into soil. You need greens and browns.
                Greens are like banana peels and grass. Browns are like leaves and cardboard.
                Worms and bacteria eat it. You have to turn it with a shovel so air gets in. It
                gets hot inside, like up to 60 degrees! After a few months it turns into
                compost which is really good for gardens. My grandma has a compost bin and her
                tomatoes are huge.
                """,
                3,
                "I explained greens and browns and why you turn it.",
            ),
            rated(
                2,
                """
                You know the important parts of composting — greens and browns, air, heat —
                and the temperature inside the pile is a striking detail.
                """,
                """
                Organise your explanation with a strategy: you could classify what goes in
                (greens, browns, never compost) and then explain the process as cause and
                effect. Keep the tone formal: your grandma's tomatoes are lovely, but an
                explainer needs facts from sources, such as the city's composting guide.
                """,
            ),
        ),
    ),
    StudentWork(
        task="W2",
        stage=3,
        option=2,
        ages=(4, 5),
        steps=(
            draft(
                """
                Podcast script (draft)

                Did you know that spider silk is stronger than a steel wire of the same
                thickness? Today on my podcast I am going to explain how spiders build their
                webs.

                ## Part 1: where the silk comes from

                Spiders have spinnerets at the back of their body.

                ## Part 2: building the web
                """
            ),
        ),
    ),
    StudentWork(
        task="W2",
        stage=4,
        option=0,
        ages=(6,),
        steps=(
            submitted(
                """
                # How the heart pumps blood

                The heart is a muscle about the size of a fist, and its job is to move blood
                around the body without ever stopping. It is easiest to understand as two
                pumps side by side.

                ## Two sides, two jobs

                The right side of the heart receives blood that has already delivered its
                oxygen to the body and pumps it to the lungs. The left side receives fresh,
                oxygen-rich blood from the lungs and pumps it out to the rest of the body.
                Because the left side has to push blood much further, its wall is thicker and
                stronger.

                ## Chambers and valves

                Each side has two chambers: an atrium at the top, which collects blood, and a
                ventricle below, which pumps it out. Valves between the chambers work like
                one-way doors, so blood cannot flow backwards. The “lub-dub” of a heartbeat is
                the sound of these valves closing.

                ## Why it matters

                When the heart beats faster during exercise, it delivers oxygen to the muscles
                more quickly. This explains why our pulse rises when we run.
                """,
                3,
                """
                I used classification for the two sides and cause and effect at the end. My
                source was the body book in our library.
                """,
            ),
        ),
    ),
)
