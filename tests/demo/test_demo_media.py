"""The demo's files: small, made the same way every time, and of kinds a school keeps."""

import wave
from io import BytesIO

import pytest
from PIL import Image

from proficio.demo.media import FILES
from proficio.lib.files.kinds import HEAD_BYTES, family_of, kind_of


@pytest.mark.parametrize("key", sorted(FILES))
def test_each_demo_file_is_small_deterministic_and_kept(key):
    name, make = FILES[key]
    data = make()
    assert data == make()
    assert len(data) < 100 * 1024
    family = family_of(kind_of(data[:HEAD_BYTES], name))
    assert family in {"image", "audio"}
    if family == "image":
        with Image.open(BytesIO(data)) as image:
            assert 300 <= image.width <= 800 and image.height >= 200
    else:
        # Tones standing in for a recording, and named so: a few seconds long.
        assert name.endswith("-demo-clip.wav")
        with wave.open(BytesIO(data)) as clip:
            assert 2 <= clip.getnframes() / clip.getframerate() <= 5
