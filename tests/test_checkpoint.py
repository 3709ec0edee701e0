"""Checkpoints: exact round trips, every kind of damage rejected clearly, the shipped
model."""

import hashlib
import io
import json
import math
import zipfile

import numpy as np
import pytest

from scratchml import (
    GPT,
    CharTokenizer,
    cross_entropy_with_grad,
    evaluate_loss,
    get_batch,
    load_checkpoint,
    load_shipped,
    load_text,
    save_checkpoint,
    train_val_split,
)
from scratchml import checkpoint as ckpt
from scratchml.optim import Adam

TOK = CharTokenizer.from_text("hello, world: the quick brown fox.")  # 21 characters
CONFIG = dict(
    vocab_size=TOK.vocab_size, d_model=16, n_heads=2, n_layers=2, context_length=8
)


def trained_model(dtype=np.float32) -> GPT:
    """A model whose weights are no longer the ones a seed would rebuild."""
    model = GPT(**CONFIG, rng=0, dtype=dtype)
    opt = Adam(model, lr=1e-2)
    ids = np.random.default_rng(0).integers(0, TOK.vocab_size, (3, 9))
    for _ in range(2):
        _, dlogits = cross_entropy_with_grad(model(ids[:, :-1]), ids[:, 1:])
        model.backward(dlogits)
        opt.step()
    return model


def params(model) -> dict:
    return {name: layer.params[key] for name, layer, key in model.named_params()}


@pytest.fixture
def saved(tmp_path):
    model = trained_model()
    path = save_checkpoint(
        tmp_path / "model.npz", model, TOK, extra={"note": "ünïcode ok"}
    )
    return path, model


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_round_trip_is_exact(tmp_path, dtype):
    model = trained_model(dtype)
    path = save_checkpoint(
        tmp_path / "m.npz", model, TOK, extra={"steps": 2, "loss": [1.5]}
    )
    loaded, tok, meta = load_checkpoint(path)
    assert isinstance(loaded, GPT) and loaded.config == model.config
    a, b = params(model), params(loaded)
    assert list(a) == list(b)
    for name in a:
        assert b[name].dtype == np.dtype(dtype)
        assert a[name].tobytes() == b[name].tobytes(), name  # bitwise, not just close
    ids = np.random.default_rng(1).integers(0, TOK.vocab_size, (2, 8))
    assert np.array_equal(model(ids), loaded(ids))
    assert tok.chars == TOK.chars
    assert meta["extra"] == {"steps": 2, "loss": [1.5]}
    assert meta["version"] == ckpt.FORMAT_VERSION and meta["config"] == model.config
    assert meta["sha256"] == ckpt.params_sha256(a)


def test_float16_storage_loads_as_float32(tmp_path):
    model = trained_model().astype(np.float16)
    loaded, _, _ = load_checkpoint(save_checkpoint(tmp_path / "half.npz", model, TOK))
    for name, w in params(loaded).items():
        assert w.dtype == np.float32
        assert np.array_equal(w, params(model)[name].astype(np.float32)), name


def test_save_uses_the_name_as_given_and_leaves_no_temporary(tmp_path, saved):
    path = save_checkpoint(tmp_path / "weights.ckpt", trained_model(), TOK)
    assert path.name == "weights.ckpt" and path.is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.npz", "weights.ckpt"]
    load_checkpoint(path)


def test_the_file_is_a_plain_npz_without_pickles(saved):
    path, model = saved
    with np.load(path, allow_pickle=False) as npz:
        meta = json.loads(str(npz["meta.json"]))
        assert meta["format"] == "scratchml-checkpoint" and meta["version"] == 1
        assert meta["vocab"] == TOK.chars and meta["extra"] == {"note": "ünïcode ok"}
        assert np.array_equal(
            npz["param:blocks.1.attn.W_q"], model.blocks[1].attn.params["W_q"]
        )


# ---- damaged and mismatched files: a clear ValueError naming the file, never a model
# ----


def rewrite(path, change_meta=None, change_arrays=None, fix_checksum=False):
    """Rewrite a checkpoint with its meta data or arrays changed (a doctored file)."""
    with np.load(path, allow_pickle=False) as npz:
        meta = json.loads(str(npz["meta.json"]))
        arrays = {k: npz[k] for k in npz.files if k != "meta.json"}
    if change_meta:
        change_meta(meta)
    if change_arrays:
        change_arrays(arrays)
    if fix_checksum:
        meta["sha256"] = ckpt.params_sha256({k[6:]: a for k, a in arrays.items()})
    with open(path, "wb") as f:
        np.savez_compressed(f, **arrays, **{"meta.json": np.array(json.dumps(meta))})


def rejected(path, *fragments):
    with pytest.raises(ValueError) as info:
        load_checkpoint(path)
    message = str(info.value)
    assert message.startswith(f"load_checkpoint: {str(path)!r}: "), message
    for fragment in fragments:
        assert fragment in message, message
    assert "\n" not in message
    return message


def test_missing_file(tmp_path):
    rejected(tmp_path / "nope.npz", "no such file")


def test_not_a_zip(tmp_path):
    path = tmp_path / "notes.npz"
    path.write_text("just some text, not a checkpoint")
    rejected(path, "not a readable .npz (zip) file")
    np.save(tmp_path / "array.npy", np.zeros(3))
    rejected(tmp_path / "array.npy", "not a readable .npz (zip) file")


def test_a_foreign_npz(tmp_path):
    path = tmp_path / "other.npz"
    np.savez(path, x=np.zeros(3))
    rejected(path, "no 'meta.json' entry: not a scratchml checkpoint")


def test_truncated_file(saved):
    path, _ = saved
    data = path.read_bytes()
    for keep in (len(data) // 2, len(data) - 10, 100):
        path.write_bytes(data[:keep])
        rejected(path, "not a readable .npz (zip) file")


def test_flipped_bytes_are_caught_or_harmless(saved):
    """Flip one byte anywhere: the load fails with a ValueError, or (for a byte the zip
    format does not use, such as a timestamp) returns exactly the saved parameters."""
    path, model = saved
    data = path.read_bytes()
    expected = params(model)
    caught = 0
    for pos in np.linspace(0, len(data) - 1, 60).astype(int):
        damaged = bytearray(data)
        damaged[pos] ^= 0xFF
        path.write_bytes(bytes(damaged))
        try:
            loaded, _, _ = load_checkpoint(path)
        except ValueError as err:
            assert str(err).startswith(f"load_checkpoint: {str(path)!r}: ")
            caught += 1
            continue
        for name, w in params(loaded).items():
            assert w.tobytes() == expected[name].tobytes(), (pos, name)
    assert caught >= 50  # nearly every byte matters


def test_corrupted_data_inside_a_valid_zip_fails_the_checksum(saved):
    path, _ = saved

    def nudge(arrays):
        arrays["param:blocks.0.ffn.fc1.W"][3, 4] += 1e-3

    rewrite(path, change_arrays=nudge)
    rejected(path, "checksum mismatch")


def test_missing_parameter(saved):
    path, _ = saved
    rewrite(path, change_arrays=lambda a: a.pop("param:blocks.1.ln2.gamma"))
    rejected(path, "missing ['blocks.1.ln2.gamma']", "unexpected []")


def test_extra_parameter(saved):
    path, _ = saved
    rewrite(
        path,
        change_arrays=lambda a: a.update({"param:blocks.0.attn.bias": np.zeros(16)}),
    )
    rejected(path, "unexpected ['blocks.0.attn.bias']")


def test_misshaped_parameter(saved):
    path, _ = saved

    def transpose(arrays):
        arrays["param:unembed.W_U"] = arrays["param:unembed.W_U"].T.copy()

    rewrite(path, change_arrays=transpose, fix_checksum=True)
    rejected(
        path, "parameter 'unembed.W_U' has shape (21, 16) but the config needs (16, 21)"
    )


def test_wrong_version(saved):
    path, _ = saved
    rewrite(path, change_meta=lambda m: m.update(version=2))
    rejected(path, "format version 2, but this scratchml reads version 1")


def test_wrong_config(saved):
    path, _ = saved
    rewrite(path, change_meta=lambda m: m["config"].update(n_layers=3))
    rejected(path, "the config says n_layers=3 but the file holds 2 blocks")
    rewrite(path, change_meta=lambda m: m["config"].update(n_layers=2, d_model=32))
    rejected(
        path, "parameter 'tok_emb.W_E' has shape (21, 16) but the config needs (21, 32)"
    )
    rewrite(path, change_meta=lambda m: m["config"].update(d_model=16, n_heads=3))
    rejected(path, "invalid config or vocabulary", "must be divisible by n_heads")
    rewrite(path, change_meta=lambda m: m["config"].update(n_heads=2, dropout=0.1))
    rejected(path, "invalid config or vocabulary", "dropout")


def test_wrong_vocabulary(saved):
    path, _ = saved
    rewrite(path, change_meta=lambda m: m["vocab"].append("Z"))
    rejected(path, "the vocabulary has 22 tokens but the config says vocab_size=21")
    rewrite(path, change_meta=lambda m: m.update(vocab=["a", "a"]))
    rejected(path, "invalid config or vocabulary", "repeated character")


def test_wrong_dtype(saved):
    path, _ = saved

    def to_int(arrays):
        arrays["param:ln_f.beta"] = arrays["param:ln_f.beta"].astype(np.int32)

    rewrite(path, change_arrays=to_int, fix_checksum=True)
    rejected(path, "must share one float dtype, got ['float32', 'int32']")


def test_broken_meta(saved):
    path, _ = saved
    rewrite(path, change_meta=lambda m: m.pop("sha256"))
    rejected(path, "'sha256' is missing")
    rewrite(path, change_meta=lambda m: m.update(format="something else", sha256="0"))
    rejected(path, "not a scratchml checkpoint")


def test_pickled_objects_are_refused(saved):
    path, _ = saved
    buffer = io.BytesIO()
    np.save(buffer, np.array([{"evil": 1}], dtype=object), allow_pickle=True)
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("param:evil.npy", buffer.getvalue())
    rejected(path, "unreadable, truncated or corrupted", "allow_pickle=False")


# ---- the shipped checkpoint ----------------------------------------------------------


def test_shipped_checkpoint_is_small_and_documented():
    assert ckpt.SHIPPED_CHECKPOINT.is_file()
    assert ckpt.SHIPPED_CHECKPOINT.stat().st_size < 5_000_000
    model, tok, meta = load_shipped()
    extra = meta["extra"]
    assert ckpt.SHIPPED_COMMAND.endswith(
        extra["command"]
    )  # after OPENBLAS_NUM_THREADS=1
    assert extra["command"].startswith("python -m scratchml train ")
    assert extra["seconds"] == pytest.approx(ckpt.SHIPPED_SECONDS, abs=1)
    assert meta["config"] == ckpt.SHIPPED_CONFIG
    assert extra["final_val_loss"] == pytest.approx(ckpt.SHIPPED_VAL_LOSS, abs=5e-5)
    assert extra["final_train_loss"] == pytest.approx(ckpt.SHIPPED_TRAIN_LOSS, abs=5e-5)
    assert extra["final_val_loss"] < math.log(tok.vocab_size) - 2.5
    assert model.unembed.params["W_U"].dtype == np.float32
    assert (
        load_checkpoint()[2]["sha256"] == meta["sha256"]
    )  # the default of load_checkpoint


@pytest.mark.slow
def test_shipped_checkpoint_validation_loss():
    """Recompute the recorded validation loss: the same fixed batches as the trainer
    drew (seed 0, 10 batches of 32 windows of 128 characters from the last 10 % of the
    text)."""
    model, tok, meta = load_shipped()
    text = load_text()
    same_text = (
        hashlib.sha256(text.encode()).hexdigest() == meta["extra"]["text_sha256"]
    )
    if not same_text:  # another Python version: its help topics differ a little
        text = "".join(c for c in text if c in tok.stoi)
    _, val_ids = train_val_split(tok.encode(text))
    rng = np.random.default_rng(0)
    batches = [get_batch(val_ids, 32, model.context_length, rng) for _ in range(10)]
    loss = evaluate_loss(model, batches)
    if same_text:
        assert loss == pytest.approx(ckpt.SHIPPED_VAL_LOSS, abs=1e-4)
    assert loss < ckpt.SHIPPED_VAL_LOSS + 0.15
