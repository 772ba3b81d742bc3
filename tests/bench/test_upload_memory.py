"""The upload-memory benchmark's pieces, and one run of it at a small size: its body is the
form the API takes, and it measures a real server's worker and finds the file stored whole.
No figure is judged here: `make bench` reports them."""

import pytest

from bench import upload_memory
from bench.upload_memory import MB, Multipart, wav_chunks
from proficio.lib.files.kinds import HEAD_BYTES, kind_of


@pytest.mark.parametrize("size", [44, 1000, MB, 3 * MB + 5])
def test_the_wav_is_exactly_its_size_and_kept_as_audio(size: int) -> None:
    chunks = list(wav_chunks(size))
    assert sum(map(len, chunks)) == size
    assert max(map(len, chunks)) <= MB
    assert kind_of(b"".join(chunks)[:HEAD_BYTES], "reading.wav") == "audio/x-wav"


def test_the_form_declares_the_length_it_sends() -> None:
    form = Multipart({"text": "My reading.", "submit": "true"}, "reading.wav", 2 * MB + 3)
    body = b"".join(form)
    assert len(body) == len(form)
    assert body.startswith(f"--{form.boundary}\r\n".encode())
    assert body.endswith(f"\r\n--{form.boundary}--\r\n".encode())
    assert b'name="submit"\r\n\r\ntrue\r\n' in body
    assert b'name="files"; filename="reading.wav"' in body


def test_a_run_at_a_small_size_measures_the_worker_that_stored_the_file() -> None:
    # 3 MB: over FILE_UPLOAD_MAX_MEMORY_SIZE, so a temporary file as for 100 MB.
    result = upload_memory.run((3,))

    [figures] = result["uploads"].values()
    assert figures["status"] == 201
    assert figures["stored_size_mb"] == 3
    assert figures["stored_bytes_match"]
    assert result["workers"] >= 1
    assert 0 < figures["worker_rss_before_mb"] <= figures["worker_peak_rss_mb"]
    assert figures["server_rss_before_mb"] >= figures["worker_rss_before_mb"]
    assert figures["rss_samples"] > 0
    assert upload_memory.table(result).splitlines()[1].split()[:3] == ["3", "MB", "201"]
