"""Narrative (W3): a true story about a moment that changed something."""

from .shapes import StudentWork, TaskContent, draft, prose, rated, returned, submitted

TASK = TaskContent(
    code="W3",
    title="The moment everything changed: a personal narrative",
    stages=(3, 4),
    instructions=prose(
        """
        Think of a **small, true moment** that changed something for you: the first time you
        did something brave, a mistake that turned out well, a day you saw someone
        differently. Small moments make the best stories — not “my summer”, but “the ten
        seconds on the diving board”.

        ## Plan it

        - Jot down the moment in three boxes: before, the moment itself, after.
        - Circle the part that matters most. That is where your story will **slow down**.

        ## Write it

        - **Draw your reader in** from the first sentence: start in the middle of the
          action, with a sound or a line of dialogue, not with “One day”.
        - Tell it from one **point of view** — yours — all the way through.
        - Slow down the important moment: what did you see, hear, feel and think, second by
          second? Move quickly through the parts that matter less.
        - Use precise, sensory words, and transitions that show when time or place shifts
          (*by the time*, *back at home*, *three days later*).
        - End with what the moment meant to you, or how it changed what you do now.

        Read your draft to a partner before you submit: where did they lean in, and where
        did they drift?
        """
    ),
    options=(
        "Write the story",
        "Tell it as an audio story (record it and hand in your text)",
        "Make a comic strip, with a written caption for each panel",
    ),
    author="Birch Studio",
    given_to=("Birch Studio",),
    opened=60,
    due=-25,
    shared=True,
)

AMARA = StudentWork(
    task="W3",
    stage=3,
    option="Write it as diary entries, one for each part of the day",
    login=True,
    ages=(5,),
    steps=(
        draft(
            """
            **Saturday, 8:15 in the morning**

            Dear Diary, today is the swim test. If I pass I can go in the deep end with
            Chioma. If I don't pass I have to stay in the shallow end with the little kids
            AGAIN. My stomach feels like it is full of bubbles.

            **Saturday, 10:40**

            Dear Diary, I am writing this in the car. I want to tell you about the moment on
            the diving board slowly, the way Ms. Márquez said, because it was the most
            important part. The board was rough under my feet and it bounced a little every
            time I breathed. The water looked

            (I still need to finish the jump and write the ending.)
            """
        ),
    ),
)

WORKS = (
    AMARA,
    StudentWork(
        task="W3",
        stage=3,
        option=0,
        ages=(4, 5),
        steps=(
            submitted(
                """
                One day me and my dad went to the park with my dog Biscuit. I threw the ball
                and Biscuit ran after it. Then she didn't come back. We looked everywhere for
                like an hour. I was really scared. Then a lady came and she had Biscuit. She
                was by the pond. We said thank you and went home. It was the scariest day of my
                life. The end.
                """,
                2,
                "My story has a beginning, a middle and an end.",
            ),
            returned(
                2,
                """
                Your story has a clear order of events, and the reader feels how worried you
                were when Biscuit did not come back.
                """,
                """
                Right now the scariest part goes by in one sentence, and the ending arrives
                fast. Slow down the moment you realised Biscuit was gone: what did you see,
                hear and think, second by second? Then move quickly through the parts that
                matter less, and end with what you learned or felt afterwards.
                """,
            ),
            submitted(
                """
                # Biscuit

                I threw the tennis ball as hard as I could, and Biscuit shot after it like a
                brown rocket. Dad and I laughed. That was the last normal moment of the
                afternoon.

                I waited for her to trot back with the ball in her mouth. She didn't. I called
                “Biscuit!” and my voice sounded small in the big field. I called again, louder.
                A crow flew up out of the grass, but no dog. My heart was banging so hard I
                could feel it in my ears. I kept thinking about the road on the other side of
                the trees.

                We searched the playground, the parking lot and the path by the woods. Dad
                asked everyone we passed. Forty minutes later, which felt like forty hours, a
                lady in a yellow raincoat walked toward us. At the end of her scarf, tied like
                a leash, was a muddy, happy Biscuit. She had been chasing ducks at the pond.

                I hugged Biscuit so tight she squeaked. Now I always keep her on the long leash
                at the park, and every time I throw the ball I watch it all the way to the end.
                """,
                3,
                """
                I slowed down the part where Biscuit didn't come back and I went fast through
                the searching. My ending says what I do differently now.
                """,
            ),
            rated(
                3,
                """
                You slow down exactly the right moment — your small voice, the crow, your
                heartbeat — and then move quickly through the search. The ending follows from
                the experience and shows how it changed you. “Forty minutes later, which felt
                like forty hours” is a great line.
                """,
                """
                Ready for the next step: try an opening that pulls the reader in before
                anything happens, and use transitions (“By the time…”, “Back at the car…”) to
                signal shifts in time and place.
                """,
            ),
        ),
    ),
    StudentWork(
        task="W3",
        stage=4,
        option=0,
        ages=(6,),
        steps=(
            submitted(
                """
                The smoke alarm went off at exactly 6:12, three minutes before my family was
                supposed to sit down to the first dinner I had ever cooked by myself.

                It had started as a good idea. Mom was working late, Grandpa's knee was sore,
                and my little brother had announced that he was going to starve. “I'll make
                dinner,” I said, before I could think about it. I chose Grandpa's rice and
                beans, because I had watched him make them a hundred times from the stool by
                the stove.

                Watching, it turns out, is not the same as cooking. The onions hissed and spat
                when they hit the oil. I chopped the garlic too slowly, and by the time it went
                in, the onions had gone from golden to dark brown. I turned the heat down, then
                up, then down again. The rice looked like it was doing nothing, so I lifted the
                lid every two minutes to check.

                By six o'clock the kitchen smelled of garlic and, faintly, of something
                burning. At 6:12 the alarm shrieked. Grandpa limped in, waved a dish towel at
                the ceiling, and looked into the pot. I waited for him to tell me it was
                ruined.

                Instead he scraped the bottom, tasted a spoonful and said, “Pegao. Crispy rice.
                In Puerto Rico we fight over this part.”

                That night my brother asked for seconds. I still lift the lid too often, but
                now I know that a mistake in the kitchen is sometimes the best part of the
                meal.
                """,
                3,
                """
                I started with the smoke alarm to draw the reader in and then went back to
                explain how it happened. I used sensory words like hissed and shrieked.
                """,
            ),
        ),
    ),
    StudentWork(
        task="W3",
        stage=4,
        option=1,
        ages=(5, 6),
        steps=(
            submitted(
                """
                My audio story: The Bus

                This story is about when I moved to a new school in fourth grade. On the first
                day I got on the bus and nobody would let me sit down. Everyone put their
                backpack on the seat. Then a girl named Lina moved her bag and said I could sit
                with her. We talked about dogs the whole way. Now she's my best friend. I
                learned that one small thing can change someone's whole day.
                """,
                3,
                "My story has a lesson at the end.",
                files=("bus-story",),
            ),
            returned(
                2,
                """
                This is a story worth telling, and your last line says clearly why it
                mattered to you.
                """,
                """
                Draw your listener in from the first sentence: start on the bus, in the
                moment, instead of telling us what the story is about. Then use precise and
                sensory words (what did the bus smell like? what did the backpacks look like?)
                so we feel how long that walk down the aisle was, and add a transition when
                the story jumps to “now”.
                """,
            ),
        ),
    ),
    StudentWork(
        task="W3",
        stage=3,
        option=0,
        ages=(4,),
        steps=(
            draft(
                """
                I was so exited for my first sleepover at my cousins house. We were going to
                watch a movie and make popcorn. But then when it got dark I
                """
            ),
        ),
    ),
    StudentWork(
        task="W3",
        stage=3,
        option=0,
        ages=(5, 6),
        steps=(
            submitted(
                """
                # The Hill

                First my brother said I should try riding down the big hill. I said no because
                I was scared. Then he said he would hold the bike. Then I got on and he pushed
                me and then he let go!! I went really fast. I was going so fast. The wind was in
                my face. Then I crashed into a bush at the bottom. I got a scratch on my arm but
                I was ok. Then my brother came running down and he said I did it. I felt proud.
                Then we went home and had ice cream.
                """,
                3,
                "I used lots of time words and I told how I felt.",
            ),
            rated(
                2,
                """
                You tell the events in a clear order and show how you felt at the end. The
                wind in your face puts the reader right on the bike.
                """,
                """
                Your ride down the hill goes by as fast as the bike did! Slow that moment down
                with more of what you saw, heard and thought, and move quickly through the ice
                cream at the end. Try replacing some of the “then”s with transitions that show
                time passing.
                """,
            ),
        ),
    ),
    StudentWork(
        task="W3",
        stage=4,
        option=0,
        ages=(6,),
        steps=(
            submitted(
                """
                The whistle was so loud it seemed to stop the whole field. Penalty. And Coach
                was pointing at me.

                I walked to the ball slowly, because my legs had suddenly forgotten how to
                walk. The grass was wet and smelled like it had just been cut. Behind the goal,
                my mom was holding up her phone with both hands, and I remember thinking that
                if I missed, there would be a video of it forever.

                The goalkeeper was taller than me and bounced from foot to foot. I put the ball
                on the spot, stepped back four steps, and looked at the left corner. Then I
                looked at the right corner, just in case she was watching my eyes.

                I ran. I kicked. The ball went exactly where I did not aim: straight down the
                middle. The keeper had already dived to the left.

                Later, in the car, my mom showed me the video. You can hear her screaming, and
                you can see me with my hands on my head, not celebrating at all, just
                surprised. I still don't know how to aim a penalty. But I know now that being
                scared and doing it anyway counts for something.
                """,
                3,
                """
                I started in the moment with the whistle and slowed down the walk to the ball.
                I used smells and sounds.
                """,
            ),
        ),
    ),
    StudentWork(
        task="W3",
        stage=3,
        option=2,
        ages=(4, 5),
        steps=(
            submitted(
                """
                # The Tooth (my comic)

                - Panel 1: I was eating an apple at lunch and I felt my tooth wiggle and then
                  it came out!
                - Panel 2: I dropped it in the grass. Me and my friends looked everywhere. I
                  was scared the tooth fairy wouldn't come.
                - Panel 3: Sam found it. It was stuck in the apple the whole time! We laughed
                  so hard.
                """,
                2,
                "I drew three panels and wrote a caption for each one.",
                files=("tooth-comic",),
            ),
            rated(
                2,
                """
                Your comic tells the events in order, and the surprise in the last panel (the
                tooth was in the apple the whole time!) made me laugh.
                """,
                """
                Slow down the most important moment: add a panel between 2 and 3 that shows
                how you felt while everyone searched, and finish with a caption that tells how
                the day ended for you.
                """,
            ),
        ),
    ),
    StudentWork(
        task="W3",
        stage=3,
        option=0,
        ages=(5,),
        steps=(
            draft(
                """
                The lights went out in the middle of dinner. First the fridge stopped humming,
                then everything was dark and quiet, and my little sister grabbed my arm so hard
                it hurt.
                """
            ),
        ),
    ),
    StudentWork(
        task="W3",
        stage=3,
        option=0,
        ages=(5, 6),
        steps=(
            submitted(
                """
                When we moved to our new house I was sad. I had to leave my room and my
                friends. The moving truck came and took all our stuff. We drove for 3 hours.
                The new house was big. I got my own room. Then I met my neighbor Ava and we
                played. Now I like my new house.
                """,
                2,
                "I told the whole day from the start to the end.",
            ),
            returned(
                2,
                """
                You tell the events of moving day in order and let the reader know how your
                feelings changed.
                """,
                """
                Choose the one moment that mattered most (leaving your old room for the last
                time, or meeting Ava?) and slow it down with what you saw, heard and thought.
                Keep the drive short, and make your ending follow from that moment.
                """,
            ),
            submitted(
                """
                # The Empty Room

                Moving day started early. By eight o'clock the truck was in our driveway, and
                two men were carrying out our couch like it weighed nothing.

                I went upstairs to my room one last time. Without my bed and my posters it
                didn't look like mine anymore. I could see the square on the wall where my map
                used to be, brighter than the rest of the paint. I put my hand on it. I
                whispered “bye” even though nobody was there, and my throat felt tight.

                The drive took three hours, and I slept through most of it.

                At the new house, a girl with a scooter was waiting on the sidewalk next door.
                “Are you the new kid?” she asked. Her name was Ava. She let me try her scooter,
                and I fell off, and we both laughed.

                That night I put my map up on my new wall. It covered a square of paint there
                too, and I decided that this room could be mine.
                """,
                3,
                """
                I slowed down the part in my old room and made the drive fast. My ending
                connects back to the map.
                """,
            ),
        ),
    ),
)
