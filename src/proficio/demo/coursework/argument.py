"""Argument (W1): make the case for one change at school."""

from .shapes import StudentWork, TaskContent, draft, prose, rated, returned, submitted

TASK = TaskContent(
    code="W1",
    title="Make the case: one change for our school",
    stages=(3, 4),
    instructions=prose(
        """
        Pick **one change** you believe would make our school a better place to learn — a
        longer recess, a school garden, a quiet reading corner, a later start — and convince
        a real audience that it is worth doing.

        ## What to do

        1. **Choose your audience.** Who could actually make this change happen? The
           principal, the parent council, our studio?
        2. **Gather evidence.** Find at least two facts, numbers or examples from something
           you have read, or from a survey of your classmates. Write down where each one
           came from.
        3. **Plan your reasons** in an order that builds: start with the reason your
           audience will accept most easily and save the strongest for last.
        4. **Answer the other side.** What would someone who disagrees say? Say it fairly,
           then explain why your idea still holds.
        5. **Draft, read it aloud, and revise.**

        ## What I will look for

        - A clear claim in your first paragraph.
        - Reasons in a logical order, each backed by a fact, a number or an example — and a
          sentence explaining *how* it supports your claim.
        - Linking words that show your thinking: *consequently*, *specifically*, *for
          instance*, *in addition*.
        - An ending that returns to your claim and tells your audience what to do.

        Choose from the choice board how you make your case. Whatever you choose, hand in
        your written text: for a speech, your script.
        """
    ),
    options=(
        "Write a letter to the principal or the parent council",
        "Give a persuasive speech (record it and hand in your script)",
        "Design a poster with a short written argument beside it",
    ),
    author="Birch Studio",
    given_to=("Birch Studio",),
    opened=150,
    due=-110,
    shared=True,
)

AMARA = StudentWork(
    task="W1",
    stage=4,
    option=1,
    login=True,
    ages=(5,),
    steps=(
        draft(
            """
            Our school should have a garden. Gardens are good for kids. We could grow
            tomatoes and beans and sunflowers. I think everybody would like it.
            """
        ),
        submitted(
            """
            # Why Cedar Grove needs a garden

            Good morning everyone. I think our school should have a garden, because gardens
            are really good for kids.

            First of all, gardens are healthy. Kids who grow vegetables eat more vegetables.
            My cousin's school has a garden and she says everybody eats the salad now.

            Second, a garden would be fun. Lots of kids get bored at recess and a garden
            would give them something to do.

            Third, we could learn science in the garden, like how plants grow and what bugs
            do.

            So that is why we should have a garden. Thank you for listening!
            """,
            2,
            """
            I have three reasons and I practised my speech two times. I'm not sure if my
            cousin counts as evidence.
            """,
        ),
        returned(
            2,
            """
            You state your claim right at the start and give three clear reasons, and your
            speech sounds like you — a real strength when you read it aloud.
            """,
            """
            Your reasons need evidence a listener can trust. Your cousin's school is a story,
            not yet evidence: find one fact or number from a source we have read (the garden
            article in our studio library is a good start), say where it comes from, and
            explain in your own words how it proves your reason. Try it for your first
            reason, then the others.
            """,
        ),
        submitted(
            """
            # Why Cedar Grove needs a garden

            Good morning, everyone. Today I want to convince you that Cedar Grove should
            build a school garden, where every studio grows something.

            My first reason is that a garden helps students eat better. In the article
            *Growing Minds* from our studio library, the writer describes a school where
            students who helped grow vegetables chose more vegetables at lunch. This matters
            because many of us skip the salad bar. If we grew the lettuce ourselves, we would
            want to taste it.

            My second reason is that a garden is a place to learn science by doing it. Right
            now we read about seeds and soil in books. Specifically, in a garden we could
            measure how fast beans grow in the sun and in the shade, which is an experiment we
            cannot do on a worksheet.

            My third and most important reason is that a garden gives everyone a job. Some
            people think a garden would be too much work over the summer. However, the parent
            council wrote in its newsletter that families could sign up to water it for one
            week each, so no one would have to do everything.

            Consequently, a garden would make us healthier, help us learn, and bring our
            school together. Please vote yes for the garden at the student council meeting
            on Friday. Thank you!
            """,
            3,
            """
            This time I used a source from the studio library and explained why each fact
            matters. I also answered what people say about the summer. My recording is a bit
            fast in the middle, so next time I'll slow down.
            """,
            files=("garden-speech",),
        ),
        rated(
            3,
            """
            Big growth from your first draft: each reason now has evidence from a named
            source, and you explain why it matters (“If we grew the lettuce ourselves, we
            would want to taste it”). Answering the worry about the summer made your argument
            much stronger.
            """,
            """
            Next, describe the opposing claim more fully before you answer it, and use
            transitions such as “on the other hand” or “even so” so your listener hears how
            claim and counterclaim connect.
            """,
        ),
    ),
)

WORKS = (
    AMARA,
    StudentWork(
        task="W1",
        stage=4,
        option="Make a one-minute video advert for the parent council",
        approved=False,
        ages=(6, 7),
        steps=(),
    ),
    StudentWork(
        task="W1",
        stage=3,
        option=0,
        ages=(4, 5),
        steps=(
            submitted(
                """
                Dear Principal,

                I think recess should be longer. Recess is only fifteen minutes and thats not
                enough time. Also we get tired in the afternoon. Also kids need to run around
                alot. Also the big kids always get the field first and by the time we get
                there its time to go in. Please make recess longer.

                From {name}
                """,
                3,
                "I gave four reasons so I think it is good.",
            ),
            returned(
                2,
                """
                Your opinion is clear from the first sentence, and every one of your reasons
                really does support it.
                """,
                """
                Right now each reason starts with “also”, so they read like a list. Put them in
                an order that builds — perhaps start with the field and end with your
                strongest reason, being tired in the afternoon — and add a fact or an example
                to each. Words like “because” and “consequently” will show how they connect.
                """,
            ),
            submitted(
                """
                Dear Principal,

                I am writing to ask you to make our lunch recess twenty-five minutes instead
                of fifteen.

                First, fifteen minutes is not enough time to play. Specifically, by the time
                we get our coats on and walk to the field, about five minutes are gone. I
                timed it with my watch on three different days.

                Second, the field is shared by two studios. Because the older students get
                there first, the younger ones often only get to play for a few minutes before
                the bell.

                Most importantly, we need to move so we can focus. In our health unit we read
                that exercise helps your brain pay attention. Consequently, after a short
                recess a lot of us are tired and fidgety in afternoon studio, and we get less
                done.

                A longer recess would give everyone a fair turn on the field and help us learn
                better in the afternoon. Please think about trying it for one month and asking
                the teachers what they notice.

                Sincerely,

                {name}
                """,
                3,
                """
                I put my reasons in order and saved the most important one for last. I added
                the timing I did with my watch.
                """,
            ),
            rated(
                3,
                """
                Your reasons now build on each other and end with the strongest one, and
                timing the walk to the field with your watch is exactly the kind of detail that
                convinces a reader. “Consequently” shows the link between recess and the
                afternoon.
                """,
                """
                Ready for the next step: find a source your principal would trust — an article,
                or a survey of your studio — and explain how it supports your claim, instead of
                telling what you remember from the health unit.
                """,
            ),
        ),
    ),
    StudentWork(
        task="W1",
        stage=4,
        option=0,
        ages=(6, 7),
        steps=(
            submitted(
                """
                Dear members of the parent council,

                I am writing to argue that our school day should start at 8:45 instead of
                8:05, because students would be better rested and would learn more.

                Sleep scientists agree that young people need more sleep than adults. The
                American Academy of Sleep Medicine recommends nine to twelve hours of sleep a
                night for children aged six to twelve. In a survey I ran in our studio, 19 out
                of 27 students said they sleep less than nine hours on school nights. This
                shows that most of us are not getting the sleep doctors recommend, and going
                to bed earlier is hard when homework, sports and family dinner all happen in
                the evening.

                Moreover, being tired affects learning. When I asked my classmates which part
                of the day they find hardest to focus in, 16 answered “the first lesson”. A
                later start would mean the first lesson happens when we are actually awake.

                Some people worry that a later start would be hard for parents who work early.
                This is a fair point, so the school could keep the building open from 8:00
                with a quiet reading room for students who need to arrive early.

                For these reasons, I urge the council to propose a later start for next year.

                Sincerely,

                {name}
                """,
                3,
                """
                I used a real recommendation and my own survey, and I answered the worry about
                parents. I wasn't sure whether my survey counts as credible evidence, because
                it is only one studio.
                """,
            ),
        ),
    ),
    StudentWork(
        task="W1",
        stage=4,
        option=0,
        ages=(5, 6),
        steps=(
            submitted(
                """
                Our school should get water bottle refill stations. Plastic bottles are really
                bad for the environment. According to the internet, a million plastic bottles
                are bought every minute. That is a lot. Also the fountains are gross. Refill
                stations are better. We should get them.
                """,
                2,
                "I have a claim and a fact but I think I need more.",
            ),
            returned(
                2,
                "Your claim is clear, and you chose a striking number to support it.",
                """
                “According to the internet” does not tell your reader whether to trust the
                fact. Find the source (who published it?), check that it is credible, then
                explain how a million bottles a minute connects to our school. Your point
                about the fountains needs evidence too: what did you see?
                """,
            ),
            submitted(
                """
                # Refill stations, not plastic bottles

                Our school should replace two of its old drinking fountains with water bottle
                refill stations.

                The first reason is the amount of plastic we throw away. The United Nations
                Environment Programme reports that about one million plastic drinking bottles
                are bought around the world every minute. Our school is a small part of that,
                but last Tuesday our studio counted 63 plastic bottles in the recycling bins of
                one hallway alone. If students could refill their own bottles, many of those
                would never be bought.

                The second reason is that students would drink more water. During one lunch
                break I watched the fountain by the gym: 11 students walked up to it, and 5 of
                them walked away without drinking because the water was warm or the pressure
                was too low. A refill station gives cold water quickly, so more students would
                actually use it.

                Refill stations cost money, which is the main argument against them. However,
                the parent council has a fund for projects that make the school healthier, and
                this project fits that purpose exactly.

                In conclusion, refill stations would cut our plastic waste and help students
                drink more water. I think this is worth proposing to the council.
                """,
                3,
                """
                I found out who published the bottle fact and did two counts of my own. I
                answered the problem of cost.
                """,
            ),
        ),
    ),
    StudentWork(
        task="W1",
        stage=3,
        option=2,
        ages=(4, 5),
        steps=(
            draft(
                """
                Poster plan

                - Title: Bring back the library bus!
                - Reason 1: not everyone has lots of books at home
                - Reason 2: when the bus came to our street kids read more (I need a fact for
                  this)
                - Reason 3:
                - Picture: a bus full of books with kids reading on the steps
                """
            ),
        ),
    ),
    StudentWork(
        task="W1",
        stage=3,
        option=0,
        ages=(5, 6),
        steps=(
            submitted(
                """
                Dear Principal,

                Our studio should get a class pet, like a guinea pig or a fish. I have three
                reasons.

                One reason is that a pet teaches responsibility because we would have to feed
                it and clean the cage every day. Another reason is that pets make people calm.
                When I am upset I hold my cat and I feel better. The last reason is that we
                could learn about animals for science.

                Some people might say pets are messy, but we would make a job chart so the
                cage stays clean.

                That is why our studio should get a class pet.

                From {name}
                """,
                3,
                "I used linking words and I answered the problem about mess.",
            ),
            rated(
                2,
                """
                You give three reasons that really support your opinion, and you thought
                ahead about the mess: a job chart is a practical answer.
                """,
                """
                Next time, put your reasons in an order that builds toward the strongest, and
                support them with facts rather than only your own experience: what does an
                animal shelter or our science book say about caring for a guinea pig?
                """,
            ),
        ),
    ),
    StudentWork(
        task="W1",
        stage=3,
        option=0,
        ages=(4, 5),
        steps=(
            submitted(
                """
                Dear Principal,

                I think our playground needs a buddy bench. A buddy bench is a bench where you
                sit if you have nobody to play with, and then other kids come and ask you to
                play.

                My first reason is that some kids are lonely at recess. I see the same two or
                three kids walking around by themselves almost every day.

                My second reason is that it helps kids be kind. For example, my cousin's school
                got a buddy bench and now the older kids check it every recess.

                My last reason is that it does not cost much. We could even paint an old bench
                in art class.

                Consequently, a buddy bench would make recess better for everyone. Please let
                us try one.

                From {name}
                """,
                3,
                """
                I used “for example” and “consequently”. My reasons go from the problem to how
                to fix it.
                """,
            ),
        ),
    ),
    StudentWork(
        task="W1",
        stage=4,
        option=1,
        ages=(6,),
        steps=(
            submitted(
                """
                # Swimming lessons for every student

                Imagine being at a lake with your friends and being the only one who cannot go
                in past your knees. For some students in our studio that is not imaginary: in
                our class survey, 6 of 29 students said they cannot swim one length of a pool.

                I believe our school should give every student in grades 4 to 6 a term of
                swimming lessons at the community pool.

                The most important reason is safety. The World Health Organization lists
                drowning among the leading causes of death for children around the world, and
                it recommends teaching school-age children basic swimming and water safety. A
                skill that can save a life should not depend on whether your family can pay
                for private lessons.

                A second reason is fairness. Private lessons at the community pool cost $90
                for eight classes, which many families cannot afford. If the school organises
                them, every student gets the same chance.

                Some people will say there is no time in the school week. However, the lessons
                could replace one term of physical education, so no other subject loses time.

                Swimming is a skill for life. Let's make sure everyone leaves our school able
                to swim.
                """,
                3,
                """
                I started with a picture to hook the listener and used the WHO for my most
                important reason. I answered the problem of time.
                """,
                files=("swim-speech",),
            ),
            rated(
                3,
                """
                Your opening puts the listener at the lake, your survey shows the problem is
                real in our own studio, and the WHO recommendation is a credible source that
                you explain rather than just quote. The price of private lessons makes your
                reason about fairness concrete.
                """,
                """
                Next stage: give the strongest objection its full weight (what would a
                principal worried about cost and buses say?) and answer it with evidence, not
                only a suggestion.
                """,
            ),
        ),
    ),
    StudentWork(
        task="W1",
        stage=3,
        option=0,
        ages=(5,),
        steps=(
            draft(
                """
                Dear Parent Council,

                I want to ask for new books for our studio library, because the ones we have
                are old and some of them have pages missing. Also
                """
            ),
        ),
    ),
    StudentWork(
        task="W1",
        stage=3,
        option=2,
        ages=(4,),
        steps=(
            submitted(
                """
                STOP LITTERING!

                Litter is bad. It is ugly. Animals eat it. Put it in the bin!!
                """,
                2,
                "My poster has big letters so people can read it from far away.",
            ),
            returned(
                1,
                """
                Your poster is bold and easy to read from across the hall, and your opinion is
                impossible to miss.
                """,
                """
                Choose your two best reasons and give each one a “because”: why is litter bad
                for animals? Can you find a fact, maybe from our visit to the nature centre?
                Then add a sentence at the bottom that tells people what to do, and why.
                """,
            ),
        ),
    ),
)
