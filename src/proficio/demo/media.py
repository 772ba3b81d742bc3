"""The few files demo students hand in: drawings made with Pillow and short audio clips made
with `wave`. Each is small (a few dozen kilobytes) and made the same way every time.

The clips are synthesised tones, not voices: every one is named "…-demo-clip.wav" so no one
mistakes it for a child's recording.
"""

import math
import random
import wave
from array import array
from collections.abc import Callable, Sequence
from io import BytesIO
from itertools import pairwise

from PIL import Image, ImageDraw, ImageFont

PAPER = (252, 250, 244)
RULE = (205, 220, 238)
PENCIL = (60, 60, 70)
CRAYONS = ((214, 96, 77), (76, 139, 196), (108, 170, 92), (230, 170, 60), (150, 110, 180))
RATE = 8000  # samples a second: plenty for a clip of tones, and small


def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=size)


def _paper(width: int, height: int, *, ruled: bool = True) -> tuple[Image.Image, ImageDraw.Draw]:
    image = Image.new("RGB", (width, height), PAPER)
    draw = ImageDraw.Draw(image)
    if ruled:
        for y in range(36, height, 28):
            draw.line((0, y, width, y), fill=RULE, width=1)
    return image, draw


def _shaky(draw: ImageDraw.Draw, rng: random.Random, start, end, **style) -> None:
    """A line drawn by hand: a few segments, each a pixel or two off the ruler."""
    (x0, y0), (x1, y1) = start, end
    points = [
        (
            x0 + (x1 - x0) * k / 6 + rng.uniform(-1.2, 1.2),
            y0 + (y1 - y0) * k / 6 + rng.uniform(-1.2, 1.2),
        )
        for k in range(7)
    ]
    points[0], points[-1] = start, end
    draw.line(points, fill=style.get("fill", PENCIL), width=style.get("width", 2), joint="curve")


def _png(image: Image.Image) -> bytes:
    out = BytesIO()
    image.convert("P", palette=Image.Palette.ADAPTIVE, colors=64).save(out, "PNG", optimize=True)
    return out.getvalue()


def bar_chart(
    title: str,
    labels: Sequence[str],
    values: Sequence[float],
    *,
    axis: str,
    line: tuple[float, str] | None = None,
    seed: int = 0,
) -> bytes:
    """A bar chart as a student draws one on squared paper: a title, a labelled axis, a
    coloured bar with its value for each label, and an optional level line (a budget)."""
    rng = random.Random(seed)
    width, height = 560, 380
    image, draw = _paper(width, height)
    left, bottom, top = 70, height - 60, 70
    draw.text((width // 2, 22), title, font=_font(22), fill=PENCIL, anchor="mt")
    peak = max([*values, line[0] if line else 0]) * 1.1
    scale = (bottom - top) / peak
    _shaky(draw, rng, (left, top - 10), (left, bottom))
    _shaky(draw, rng, (left, bottom), (width - 30, bottom))
    draw.text((18, (top + bottom) // 2), axis, font=_font(14), fill=PENCIL, anchor="lm")
    slot = (width - 30 - left) / len(values)
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        x0 = left + slot * index + slot * 0.2
        x1 = x0 + slot * 0.6
        y = bottom - value * scale
        colour = CRAYONS[index % len(CRAYONS)]
        draw.rectangle((x0, y, x1, bottom - 1), fill=colour)
        for hatch in range(int(x0) + 4, int(x1), 7):  # crayon strokes
            draw.line((hatch, y + 3, hatch - 3, bottom - 3), fill=tuple(c - 30 for c in colour))
        draw.text(((x0 + x1) / 2, y - 6), f"{value:g}", font=_font(16), fill=PENCIL, anchor="mb")
        draw.text(((x0 + x1) / 2, bottom + 10), label, font=_font(16), fill=PENCIL, anchor="mt")
    if line:
        level, text = line
        y = bottom - level * scale
        for x in range(left, width - 30, 14):  # dashed
            draw.line((x, y, x + 8, y), fill=(200, 40, 40), width=2)
        draw.text((left + 8, y - 4), text, font=_font(14), fill=(200, 40, 40), anchor="lb")
    return _png(image)


def labelled_diagram(
    title: str, boxes: Sequence[tuple[str, str]], *, caption: str = "", seed: int = 0
) -> bytes:
    """A flow diagram: a box for each step (a name and a short note), joined by arrows in
    two rows, the way a student lays out a process or a lab setup."""
    rng = random.Random(seed)
    per_row = (len(boxes) + 1) // 2
    width, height = 640, 420
    image, draw = _paper(width, height, ruled=False)
    draw.text((width // 2, 20), title, font=_font(22), fill=PENCIL, anchor="mt")
    box_w, box_h, gap = (width - 40) / per_row - 30, 96, 30
    centres = []
    for index, (name, note) in enumerate(boxes):
        row, column = divmod(index, per_row)
        if row == 1:  # the second row runs back, like a snake
            column = per_row - 1 - column
        x0 = 20 + column * (box_w + gap)
        y0 = 80 + row * (box_h + 90)
        colour = CRAYONS[index % len(CRAYONS)]
        draw.rounded_rectangle((x0, y0, x0 + box_w, y0 + box_h), radius=10, outline=colour, width=3)
        draw.text((x0 + box_w / 2, y0 + 12), name, font=_font(16), fill=PENCIL, anchor="mt")
        draw.multiline_text(
            (x0 + box_w / 2, y0 + 38),
            note,
            font=_font(12),
            fill=PENCIL,
            anchor="ma",
            align="center",
        )
        centres.append((x0, y0, x0 + box_w, y0 + box_h))
    for (ax0, ay0, ax1, ay1), (bx0, by0, bx1, by1) in pairwise(centres):
        if ay0 == by0:
            forward = bx0 > ax0
            start = (ax1 if forward else ax0, (ay0 + ay1) / 2)
            end = (bx0 if forward else bx1, (by0 + by1) / 2)
        else:
            start, end = ((ax0 + ax1) / 2, ay1), ((bx0 + bx1) / 2, by0)
        _shaky(draw, rng, start, end, width=3)
        _arrowhead(draw, start, end)
    if caption:
        draw.text((width // 2, height - 24), caption, font=_font(14), fill=PENCIL, anchor="mm")
    return _png(image)


def _arrowhead(draw: ImageDraw.Draw, start, end) -> None:
    angle = math.atan2(end[1] - start[1], end[0] - start[0])
    tip = end
    wings = [
        (tip[0] - 12 * math.cos(angle + turn), tip[1] - 12 * math.sin(angle + turn))
        for turn in (0.45, -0.45)
    ]
    draw.polygon([tip, *wings], fill=PENCIL)


def bridge_setup(*, seed: int = 0) -> bytes:
    """A labelled drawing of the bridge test: two desks, the paper bridge across the gap, a
    cup of coins hanging from its middle, and what each part is."""
    rng = random.Random(seed)
    width, height = 600, 400
    image, draw = _paper(width, height, ruled=False)
    draw.text(
        (width // 2, 20), "How we tested our bridge", font=_font(22), fill=PENCIL, anchor="mt"
    )
    wood, legs = (196, 150, 104), (150, 110, 76)
    for x0, x1 in ((40, 210), (390, 560)):  # the two desks
        draw.rectangle((x0, 170, x1, 186), fill=wood, outline=legs)
        for leg in (x0 + 12, x1 - 22):
            draw.rectangle((leg, 186, leg + 10, 330), fill=legs)
    deck = [(180, 168), (300, 176), (420, 168)]  # it sags a little under the load
    draw.line(deck, fill=CRAYONS[1], width=8, joint="curve")
    for x in range(196, 410, 18):  # the folds of the accordion deck
        draw.line((x, 164, x + 9, 178), fill=(40, 90, 150), width=2)
    _shaky(draw, rng, (300, 178), (300, 236), width=1)  # the string
    draw.polygon(
        [(280, 236), (320, 236), (314, 276), (286, 276)], fill=(240, 240, 240), outline=PENCIL
    )
    for n in range(4):  # coins in the cup
        draw.ellipse(
            (289 + 6 * (n % 2), 256 - 5 * n, 305 + 6 * (n % 2), 262 - 5 * n), fill=(212, 175, 55)
        )
    draw.line((213, 200, 387, 200), fill=PENCIL, width=1)  # the gap, measured
    for x in (213, 387):
        draw.line((x, 194, x, 206), fill=PENCIL, width=1)
    labels = (
        ("paper bridge: 20 sheets, 1 m of tape", (300, 118), (300, 162)),
        ("30 cm gap", (250, 214), None),
        ("paper cup on a string", (470, 250), (322, 250)),
        ("coins, added\none at a time", (140, 250), (287, 258)),
        ("desk", (125, 118), (125, 166)),
        ("desk", (475, 118), (475, 166)),
    )
    for text, (x, y), target in labels:
        left, top, right, bottom = draw.multiline_textbbox(
            (x, y), text, font=_font(14), anchor="mm", align="center"
        )
        draw.rectangle((left - 4, top - 3, right + 4, bottom + 3), fill=PAPER)
        draw.multiline_text((x, y), text, font=_font(14), fill=PENCIL, anchor="mm", align="center")
        if target is None:
            continue
        if target[1] > bottom + 6:
            start = (x, bottom + 5)
        elif target[1] < top - 6:
            start = (x, top - 5)
        else:
            start = (right + 6, y) if target[0] > x else (left - 6, y)
        _shaky(draw, rng, start, target, width=1)
        _arrowhead(draw, start, target)
    draw.text(
        (width // 2, height - 30),
        "We add coins until the bridge falls, then count them.",
        font=_font(14),
        fill=PENCIL,
        anchor="mm",
    )
    return _png(image)


def _stick_figure(draw: ImageDraw.Draw, x: float, ground: float, *, bend: bool = False) -> None:
    head = (x, ground - 78) if not bend else (x + 14, ground - 56)
    draw.ellipse((head[0] - 11, head[1] - 11, head[0] + 11, head[1] + 11), outline=PENCIL, width=2)
    hips = (x, ground - 30)
    draw.line((head[0], head[1] + 11, *hips), fill=PENCIL, width=2)
    draw.line((*hips, x - 10, ground), fill=PENCIL, width=2)
    draw.line((*hips, x + 10, ground), fill=PENCIL, width=2)
    shoulders = ((head[0] + hips[0]) / 2, (head[1] + hips[1]) / 2 - 6)
    reach = 22 if bend else 18
    draw.line((*shoulders, shoulders[0] - 16, shoulders[1] + reach), fill=PENCIL, width=2)
    draw.line((*shoulders, shoulders[0] + 18, shoulders[1] + reach - 8), fill=PENCIL, width=2)


def comic_strip(panels: Sequence[tuple[str, str, int, bool, bool]], *, seed: int = 0) -> bytes:
    """Panels drawn in pencil, each (bubble, caption, figures, searching, apple): stick
    figures (all but the first bent over when searching), a speech bubble, a caption, and
    maybe an apple in the first figure's hand."""
    rng = random.Random(seed)
    width, height = 660, 300
    image, draw = _paper(width, height, ruled=False)
    panel_w = (width - 40) / len(panels)
    for index, (bubble, caption, figures, searching, apple) in enumerate(panels):
        x0 = 20 + index * panel_w
        box = (x0 + 6, 16, x0 + panel_w - 6, 226)
        draw.rectangle(box, outline=PENCIL, width=3)
        ground = 206
        for blade in range(int(box[0]) + 8, int(box[2]) - 6, 9):  # grass
            draw.line((blade, ground + 14, blade + rng.randint(-3, 3), ground + 4), fill=CRAYONS[2])
        for n in range(figures):
            x = box[0] + panel_w * (n + 1) / (figures + 1) - 4
            _stick_figure(draw, x, ground, bend=searching and n > 0)
            if apple and n == 0:
                draw.ellipse((x + 12, ground - 70, x + 32, ground - 50), fill=CRAYONS[0])
                draw.line((x + 22, ground - 70, x + 24, ground - 76), fill=PENCIL, width=2)
                draw.rectangle((x + 19, ground - 62, x + 24, ground - 57), fill="white")
        if bubble:
            bx = box[0] + 14
            left, top, right, bottom = draw.multiline_textbbox(
                (bx + 8, 28), bubble, font=_font(13), anchor="la"
            )
            draw.rounded_rectangle(
                (left - 8, top - 6, right + 8, bottom + 6), radius=12, fill="white", outline=PENCIL
            )
            draw.multiline_text((bx + 8, 28), bubble, font=_font(13), fill=PENCIL, anchor="la")
        draw.multiline_text(
            ((box[0] + box[2]) / 2, 240),
            caption,
            font=_font(13),
            fill=PENCIL,
            anchor="ma",
            align="center",
        )
    return _png(image)


def notebook_photo(lines: Sequence[str], *, seed: int = 0) -> bytes:
    """A phone photo of a notebook page: handwriting on ruled paper, a little crooked, on a
    desk — a JPEG, as phones take them."""
    rng = random.Random(seed)
    page, draw = _paper(460, 340)
    draw.line((48, 0, 48, 340), fill=(230, 150, 150), width=2)  # the margin
    for number, text in enumerate(lines):
        x = 58 + rng.randint(-2, 3)
        draw.text((x, 34 + 28 * number), text, font=_font(19), fill=(40, 50, 110), anchor="ls")
    desk = Image.new("RGB", (560, 420), (164, 121, 82))
    turned = page.rotate(rng.uniform(-4, 4), expand=True, fillcolor=(164, 121, 82))
    desk.paste(turned, ((560 - turned.width) // 2, (420 - turned.height) // 2))
    out = BytesIO()
    desk.save(out, "JPEG", quality=70)
    return out.getvalue()


def tone_clip(*, seconds: float = 3.0, seed: int = 0) -> bytes:
    """A WAV of short rising and falling tones with the rhythm of speech — a stand-in for
    a student's recording, 16-bit mono at 8 kHz (about 16 KB a second)."""
    rng = random.Random(seed)
    samples = array("h")
    total = int(seconds * RATE)
    while len(samples) < total:
        length = int(rng.uniform(0.08, 0.3) * RATE)  # a "syllable"
        pitch, glide = rng.uniform(180, 320), rng.uniform(-0.4, 0.4)
        phase = 0.0
        for n in range(length):
            envelope = math.sin(math.pi * n / length)
            phase += 2 * math.pi * pitch * (1 + glide * n / length) / RATE
            samples.append(int(9000 * envelope * math.sin(phase)))
        samples.extend([0] * int(rng.choice((0.03, 0.05, 0.05, 0.25)) * RATE))  # pauses
    del samples[total:]
    out = BytesIO()
    with wave.open(out, "wb") as clip:
        clip.setnchannels(1)
        clip.setsampwidth(2)
        clip.setframerate(RATE)
        clip.writeframes(samples.tobytes())
    return out.getvalue()


# What each demo file is: its name as the student gave it, and how it is made.
FILES: dict[str, tuple[str, Callable[[], bytes]]] = {
    "garden-speech": ("garden-speech-demo-clip.wav", lambda: tone_clip(seconds=4, seed=1)),
    "gears-podcast": ("bike-gears-podcast-demo-clip.wav", lambda: tone_clip(seconds=3, seed=2)),
    "bus-story": ("the-bus-audio-story-demo-clip.wav", lambda: tone_clip(seconds=3, seed=3)),
    "garden-strategy": ("garden-strategy-demo-clip.wav", lambda: tone_clip(seconds=3, seed=4)),
    "bridge-debrief": ("team-debrief-demo-clip.wav", lambda: tone_clip(seconds=3, seed=5)),
    "swim-speech": ("swimming-speech-demo-clip.wav", lambda: tone_clip(seconds=4, seed=11)),
    "tooth-comic": (
        "the-tooth-comic.png",
        lambda: comic_strip(
            (
                ("My tooth!!", "My tooth came out\nin my apple.", 1, False, True),
                ("Where is it?", "We looked in\nthe grass.", 3, True, False),
                ("Found it!", "It was in the apple\nthe whole time.", 2, False, True),
            ),
            seed=12,
        ),
    ),
    "water-diagram": (
        "water-journey-diagram.png",
        lambda: labelled_diagram(
            "How water gets to our taps",
            (
                ("1. River intake", "a screen stops\nfish and leaves"),
                ("2. Settling", "alum makes dirt\nclump and sink"),
                ("3. Filtering", "sand, gravel\nand charcoal"),
                ("4. Disinfecting", "a little chlorine\nkills germs"),
                ("5. Water tower", "high up, so gravity\npushes the water"),
                ("6. Our taps", "clean water\nat school"),
            ),
            caption="Each step removes something the step before it could not.",
            seed=6,
        ),
    ),
    "garden-graph": (
        "garden-costs-graph.png",
        lambda: bar_chart(
            "Cost of garden beds",
            ("1 bed", "2 beds", "3 beds", "4 beds"),
            (59, 118, 177, 236),
            axis="$",
            line=(150, "our budget: $150"),
            seed=7,
        ),
    ),
    "garden-notes": (
        "my-notes.jpg",
        lambda: notebook_photo(
            (
                "1 bed = 32 + 8 x 2.50 + 4 x 1.75",
                "      = 32 + 20 + 7 = 59",
                "150 / 59 = 2 r 32",
                "2 beds, $32 left",
                "4 beds = 236",
                "236 - 150 = 86",
                "86 / 2 = 43  bake sale!",
            ),
            seed=8,
        ),
    ),
    "bridge-chart": (
        "bridge-tests-chart.png",
        lambda: bar_chart(
            "Coins our bridge held",
            ("Test 1", "Test 2", "Test 3"),
            (12, 41, 58),
            axis="coins",
            seed=9,
        ),
    ),
    "bridge-setup": ("bridge-test-setup.png", lambda: bridge_setup(seed=10)),
}
