"""Text loading, the train/validation split, the batches: every prefix is an example."""

import socket
import urllib.error
import urllib.request

import numpy as np
import pytest

from scratchml import (
    CharTokenizer,
    get_batch,
    load_text,
    load_tiny_shakespeare,
    train_val_split,
)
from scratchml import text as text_module


def test_default_text_is_pythons_help_topics(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("load_text() must not touch the network")

    monkeypatch.setattr(socket, "socket", no_network)
    text = load_text()
    assert 400_000 < len(text) < 600_000  # 464,970 characters on Python 3.11.7
    # topics joined in sorted-key order
    assert text.startswith('The "assert" statement')
    assert 'The "for" statement' in text
    assert 80 < CharTokenizer.from_text(text).vocab_size < 130  # 103 on Python 3.11
    assert load_text() == text  # deterministic


def test_load_text_reads_a_utf8_file(tmp_path):
    path = tmp_path / "t.txt"
    path.write_text("héllo\nwörld", encoding="utf-8")
    assert load_text(path) == "héllo\nwörld"
    assert load_text(str(path)) == "héllo\nwörld"


def test_load_text_errors(tmp_path):
    with pytest.raises(ValueError, match=r"load_text: no such file: '.*missing\.txt'"):
        load_text(tmp_path / "missing.txt")
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("caf\xe9".encode("latin-1"))
    with pytest.raises(ValueError, match=r"latin1\.txt' is not UTF-8 text \(byte 3"):
        load_text(latin1)
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    with pytest.raises(ValueError, match="is empty"):
        load_text(empty)
    with pytest.raises(ValueError, match="is a directory"):
        load_text(tmp_path)


def test_tiny_shakespeare_offline_error_names_the_url_and_the_fallback(
    tmp_path, monkeypatch
):
    def offline(*args, **kwargs):
        raise urllib.error.URLError("Temporary failure in name resolution")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    with pytest.raises(RuntimeError) as info:
        load_tiny_shakespeare(cache_dir=tmp_path)
    message = str(info.value)
    assert text_module.TINY_SHAKESPEARE_URL in message
    assert "karpathy/char-rnn" in message and "load_text()" in message
    assert list(tmp_path.iterdir()) == []  # nothing half-written in the cache


def test_tiny_shakespeare_uses_the_cache(tmp_path, monkeypatch):
    def offline(*args, **kwargs):
        raise AssertionError("a cached file must not be downloaded again")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    (tmp_path / "tinyshakespeare.txt").write_text(
        "First Citizen:\nBefore we proceed", "utf-8"
    )
    assert load_tiny_shakespeare(cache_dir=tmp_path).startswith("First Citizen:")


def test_tiny_shakespeare_download_is_cached(tmp_path, monkeypatch):
    class Response:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def read(self):
            return b"First Citizen:\n"

    calls = []
    monkeypatch.setattr(
        urllib.request, "urlopen", lambda *a, **k: calls.append(a) or Response()
    )
    cache = tmp_path / "cache"
    assert load_tiny_shakespeare(cache_dir=cache) == "First Citizen:\n"
    assert load_tiny_shakespeare(cache_dir=cache) == "First Citizen:\n"
    assert len(calls) == 1
    assert [p.name for p in cache.iterdir()] == ["tinyshakespeare.txt"]


def test_split_is_contiguous_and_validation_comes_last():
    ids = np.arange(1000)
    train, val = train_val_split(ids, 0.1)
    assert len(train) == 900 and len(val) == 100
    np.testing.assert_array_equal(np.concatenate([train, val]), ids)
    assert train[-1] + 1 == val[0]
    train, val = train_val_split(ids)  # default 10 %
    assert len(val) == 100


def test_split_errors():
    with pytest.raises(ValueError, match=r"val_fraction must be in \(0, 1\), got 1.5"):
        train_val_split(np.arange(10), 1.5)
    with pytest.raises(ValueError, match="leaves an empty training or validation part"):
        train_val_split(np.arange(3), 0.01)
    with pytest.raises(TypeError, match="ids must be integer token ids"):
        train_val_split(np.zeros(10), 0.1)
    with pytest.raises(TypeError, match="encode the text with a tokenizer first"):
        train_val_split("some text", 0.1)
    with pytest.raises(
        ValueError, match=r"ids has shape \(2, 5\) but must be a non-empty 1-D"
    ):
        train_val_split(np.zeros((2, 5), dtype=int), 0.1)


def test_batch_shapes_dtypes_and_shift():
    # consecutive: windows are easy to recognize
    ids = np.arange(100, 300, dtype=np.int32)
    x, y = get_batch(ids, batch_size=5, context_length=8, rng=0)
    assert x.shape == y.shape == (5, 8)
    assert x.dtype == y.dtype == np.int64
    np.testing.assert_array_equal(y[:, :-1], x[:, 1:])  # y is x shifted by one
    np.testing.assert_array_equal(y, x + 1)  # every target is the next token
    # each row is one contiguous window
    np.testing.assert_array_equal(np.diff(x, axis=1), 1)
    assert x.min() >= 100 and y.max() <= 299


def test_every_position_of_a_text_window_predicts_the_next_character():
    tok = CharTokenizer.from_text("hello world")
    ids = tok.encode("hello world")
    x, y = get_batch(ids, batch_size=3, context_length=10, rng=1)  # the only window
    assert tok.decode(x[0]) == "hello worl" and tok.decode(y[0]) == "ello world"


def test_batches_are_seeded_and_cover_the_whole_text():
    ids = np.arange(50)
    a = get_batch(ids, 4, 6, rng=3)
    b = get_batch(ids, 4, 6, rng=3)
    np.testing.assert_array_equal(a[0], b[0])
    rng = np.random.default_rng(0)
    firsts = np.concatenate([get_batch(ids, 64, 6, rng)[0][:, 0] for _ in range(20)])
    # every start 0..43 is drawn, 44 never
    assert set(firsts.tolist()) == set(range(44))
    lasts = np.concatenate([get_batch(ids, 64, 6, rng)[1][:, -1] for _ in range(20)])
    assert lasts.max() == 49  # the final token is reachable as a target


def test_batch_errors():
    with pytest.raises(
        ValueError, match=r"the text has 8 tokens but one window needs .* = 9"
    ):
        get_batch(np.arange(8), 2, 8, rng=0)
    get_batch(np.arange(9), 2, 8, rng=0)  # exactly one window fits
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        get_batch(np.arange(20), 0, 4)
    with pytest.raises(ValueError, match="context_length must be a positive integer"):
        get_batch(np.arange(20), 2, 2.5)
    with pytest.raises(TypeError, match="get_batch: ids must be integer token ids"):
        get_batch(np.linspace(0, 1, 20), 2, 4)
