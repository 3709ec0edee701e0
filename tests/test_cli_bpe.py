"""Training on BPE tokens from the command line; checkpoints with a BPE tokenizer."""

import json
import subprocess
import sys
import zipfile

import numpy as np
import pytest

from scratchml import GPT, BPETokenizer, CharTokenizer, load_checkpoint, save_checkpoint
from scratchml.checkpoint import _META_KEY

TEXT = "the cat sat on the mat. the dog sat on the log. " * 20


def cli(*args, cwd=None):
    """Run ``python -m scratchml ARGS`` in a fresh interpreter, as a reader would."""
    return subprocess.run(
        [sys.executable, "-m", "scratchml", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )


SMALL = [
    "--steps",
    "4",
    "--d-model",
    "16",
    "--n-heads",
    "2",
    "--n-layers",
    "1",
    "--context",
    "16",
    "--batch-size",
    "4",
    "--eval-every",
    "2",
    "--eval-batches",
    "2",
    "--no-progress",
]


def test_train_on_bpe_tokens_then_generate(tmp_path):
    (tmp_path / "cats.txt").write_text(TEXT, encoding="utf-8")
    train = cli(
        "train",
        "--text",
        "cats.txt",
        "--tokenizer",
        "bpe",
        "--vocab-size",
        "270",
        *SMALL,
        "--sample-every",
        "4",
        "--out",
        "bpe.npz",
        cwd=tmp_path,
    )
    assert train.returncode == 0, train.stderr
    assert "vocabulary 270 (BPE, learned from the training part)" in train.stdout
    assert "--- sample at step 4 (temperature 0.8) ---" in train.stdout
    model, tok, meta = load_checkpoint(tmp_path / "bpe.npz")
    assert isinstance(tok, BPETokenizer) and tok.vocab_size == 270 == model.vocab_size
    # The tokenizer learned from the first 90 % of the text only: retrain it to compare.
    n_train = len(TEXT) - round(len(TEXT) * 0.1)
    assert tok.merges == BPETokenizer.train(TEXT[:n_train], 270).merges
    assert len(tok.encode("the cat sat")) < len("the cat sat")
    gen = cli(
        "generate",
        "--checkpoint",
        "bpe.npz",
        "--prompt",
        "the ",
        "--n-new",
        "12",
        cwd=tmp_path,
    )
    assert gen.returncode == 0, gen.stderr
    assert gen.stdout.startswith("the ")
    ids = tok.encode(gen.stdout.rstrip("\n"))
    # the prompt and what followed, all in the tokenizer's vocabulary
    assert len(ids) >= 2


def test_train_with_a_saved_tokenizer(tmp_path):
    (tmp_path / "cats.txt").write_text(TEXT, encoding="utf-8")
    saved = BPETokenizer.train(TEXT, 265).save(tmp_path / "tok")
    train = cli(
        "train",
        "--text",
        "cats.txt",
        "--tokenizer",
        "bpe",
        "--tokenizer-dir",
        "tok",
        *SMALL,
        "--out",
        "t.npz",
        cwd=tmp_path,
    )
    assert train.returncode == 0, train.stderr
    assert "vocabulary 265 (BPE from tok)" in train.stdout
    _, tok, _ = load_checkpoint(tmp_path / "t.npz")
    assert tok.merges == BPETokenizer.from_pretrained(saved).merges


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--vocab-size", "300"],
            "--vocab-size and --tokenizer-dir need --tokenizer bpe",
        ),
        (
            ["--tokenizer", "bpe", "--vocab-size", "100"],
            "expected an integer >= 257, got '100'",
        ),
        (
            ["--tokenizer", "bpe", "--tokenizer-dir", "nowhere"],
            "no file 'nowhere/vocab.json'",
        ),
        (
            ["--tokenizer", "bpe", "--tokenizer-dir", "x", "--vocab-size", "300"],
            "not both",
        ),
        (["--tokenizer", "words"], "argument --tokenizer: invalid choice: 'words'"),
    ],
)
def test_bpe_option_errors_are_one_line(tmp_path, args, message):
    (tmp_path / "x").mkdir()
    result = cli("train", *args, "--steps", "1", cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def _bpe_model(dtype=np.float64):
    tok = BPETokenizer.train(TEXT, 262)
    model = GPT(tok.vocab_size, 8, 2, 1, 8, rng=1, dtype=dtype)
    return model, tok


def test_checkpoint_round_trip_with_bpe(tmp_path):
    model, tok = _bpe_model()
    path = save_checkpoint(tmp_path / "b.npz", model, tok)
    loaded, tok2, _ = load_checkpoint(path)
    assert isinstance(tok2, BPETokenizer)
    assert (
        tok2.tokens == tok.tokens
        and tok2.merges == tok.merges
        and tok2.pattern == tok.pattern
    )
    x = tok.encode("the cat sat")[None, :]
    np.testing.assert_array_equal(loaded.forward(x), model.forward(x))


def test_character_checkpoints_have_no_bpe_keys(tmp_path):
    tok = CharTokenizer.from_text(TEXT)
    path = save_checkpoint(
        tmp_path / "c.npz", GPT(tok.vocab_size, 8, 2, 1, 8, rng=0), tok
    )
    meta = _meta(path)
    assert "tokenizer" not in meta and "merges" not in meta
    assert meta["vocab"] == tok.chars


def _meta(path):
    with np.load(path) as npz:
        return json.loads(str(npz[_META_KEY]))


def _rewrite(path, meta):
    """Replace meta.json in a checkpoint (the parameters and their checksum stay)."""
    with np.load(path) as npz:
        arrays = {k: npz[k] for k in npz.files}
    arrays[_META_KEY] = np.array(json.dumps(meta))
    with open(path, "wb") as f:
        np.savez(f, **arrays)
    assert zipfile.is_zipfile(path)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda m: m.update(tokenizer="words"), "unknown tokenizer 'words'"),
        (lambda m: m.pop("merges"), "'merges' is missing or not a list"),
        (lambda m: m.update(pattern=3), "'pattern' is missing or not a str"),
        (lambda m: m.update(merges=[[0, 999]]), "invalid config or vocabulary"),
        (lambda m: m.update(vocab=m["vocab"][:-1]), "invalid config or vocabulary"),
        (
            lambda m: m.update(vocab=["zz"] + m["vocab"][1:]),
            "invalid config or vocabulary",
        ),
        (
            lambda m: m["config"].update(vocab_size=300),
            "the vocabulary has 262 tokens but",
        ),
    ],
)
def test_bpe_checkpoint_validation_is_strict(tmp_path, change, message):
    model, tok = _bpe_model()
    path = save_checkpoint(tmp_path / "b.npz", model, tok)
    meta = _meta(path)
    change(meta)
    _rewrite(path, meta)
    with pytest.raises(
        ValueError, match=r"load_checkpoint: .*" + message.replace("(", r"\(")
    ):
        load_checkpoint(path)


def test_char_checkpoint_with_bpe_keys_is_rejected(tmp_path):
    tok = CharTokenizer.from_text(TEXT)
    path = save_checkpoint(
        tmp_path / "c.npz", GPT(tok.vocab_size, 8, 2, 1, 8, rng=0), tok
    )
    meta = _meta(path)
    meta["merges"] = []
    _rewrite(path, meta)
    with pytest.raises(
        ValueError, match="'merges'/'pattern' given for a character tokenizer"
    ):
        load_checkpoint(path)


def test_save_checkpoint_rejects_another_tokenizer(tmp_path):
    model, _ = _bpe_model()
    with pytest.raises(
        TypeError, match="save_checkpoint: tokenizer must be a CharTokenizer"
    ):
        save_checkpoint(tmp_path / "x.npz", model, object())
