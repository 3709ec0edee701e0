"""GPT-2 against Hugging Face transformers: the same random model, saved by
transformers, loaded by ``load_gpt2_model``, gives the same logits and the same loss
gradients.

Offline: the reference model is built from a ``GPT2Config`` inside the test and saved
with ``save_pretrained``; nothing is downloaded. torch and transformers are the
``parity`` extra: without them these tests skip, unless SCRATCHML_REQUIRE_PARITY=1 (then
they fail).
"""

import json
import os

import numpy as np
import pytest
from _parity import require

from scratchml import cross_entropy_grad, load_gpt2, load_gpt2_model
from scratchml.gpt2 import hf_names

SIZES = dict(vocab_size=300, n_positions=32, n_embd=64, n_layer=2, n_head=4)


def _bytes_to_unicode() -> dict[int, str]:
    """GPT-2's byte -> printable character table, written from its definition."""
    printable = [*range(33, 127), *range(161, 173), *range(174, 256)]
    table, extra = {}, 0
    for b in range(256):
        if b in printable:
            table[b] = chr(b)
        else:
            table[b] = chr(256 + extra)
            extra += 1
    return table


def _write_tokenizer_files(directory) -> None:
    """A tiny valid vocab.json / merges.txt pair: 256 bytes, 43 merges,
    <|endoftext|>."""
    chars = _bytes_to_unicode()
    vocab = {chars[b]: b for b in range(256)}
    letters = "etaoinshrdlu"
    merges = []
    for a in letters:
        for b in letters:
            if len(merges) < 43 and a + b not in vocab:
                merges.append((a, b))
                vocab[a + b] = len(vocab)
    vocab["<|endoftext|>"] = len(vocab)
    assert len(vocab) == 300
    (directory / "vocab.json").write_text(json.dumps(vocab), encoding="utf-8")
    lines = ["#version: 0.2"] + [f"{a} {b}" for a, b in merges]
    (directory / "merges.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """A random GPT2LMHeadModel saved in the Hugging Face layout, and the folder."""
    torch = require("torch")
    transformers = require("transformers")
    torch.manual_seed(0)
    config = transformers.GPT2Config(
        **SIZES,
        resid_pdrop=0.0,
        embd_pdrop=0.0,
        attn_pdrop=0.0,
        bos_token_id=299,
        eos_token_id=299,
    )
    model = transformers.GPT2LMHeadModel(config).eval()
    with (
        torch.no_grad()
    ):  # move biases and layer norms off 0 and 1 so every tensor counts
        for p in model.parameters():
            p.add_(0.05 * torch.randn_like(p))
    directory = tmp_path_factory.mktemp("gpt2")
    model.save_pretrained(directory, safe_serialization=True)
    _write_tokenizer_files(directory)
    return torch, model, directory


def _ids():
    return np.random.default_rng(0).integers(
        0, SIZES["vocab_size"], (3, SIZES["n_positions"])
    )


def test_saved_folder_is_the_hugging_face_layout(reference):
    _, _, directory = reference
    assert {"config.json", "model.safetensors"} <= {p.name for p in directory.iterdir()}
    config = json.loads((directory / "config.json").read_text())
    assert (
        config["model_type"] == "gpt2" and config["activation_function"] == "gelu_new"
    )


def test_logits_match_in_float32(reference):
    torch, model, directory = reference
    ids = _ids()
    with torch.no_grad():
        expected = model(torch.tensor(ids)).logits.numpy()
    logits = load_gpt2_model(directory)(ids)
    assert logits.dtype == np.float32
    error = np.abs(logits - expected).max() / np.abs(expected).max()
    assert error <= 1e-4, error


def test_logits_match_in_float64(reference):
    torch, model, directory = reference
    ids = _ids()
    reference64 = type(model)(model.config).double().eval()
    reference64.load_state_dict(model.state_dict())
    with torch.no_grad():
        expected = reference64(torch.tensor(ids)).logits.numpy()
    logits = load_gpt2_model(directory, dtype=np.float64)(ids)
    error = np.abs(logits - expected).max() / np.abs(expected).max()
    assert error <= 1e-9, error


def test_loss_gradients_match_torch_autograd(reference):
    """transformers' backward (torch autograd) against ours, every parameter,
    float64."""
    torch, model, directory = reference
    ids = _ids()
    targets = np.roll(ids, -1, axis=1)
    reference64 = type(model)(model.config).double().eval()
    reference64.load_state_dict(model.state_dict())
    logits_t = reference64(torch.tensor(ids)).logits
    loss_t = torch.nn.functional.cross_entropy(
        logits_t.reshape(-1, SIZES["vocab_size"]), torch.tensor(targets).reshape(-1)
    )
    loss_t.backward()
    torch_grads = {
        name.removeprefix("transformer."): p.grad.numpy()
        for name, p in reference64.named_parameters()
    }

    ours = load_gpt2_model(directory, dtype=np.float64)
    logits = ours(ids)
    ours.backward(cross_entropy_grad(logits, targets))
    grads = {name: layer.grads[key] for name, layer, key in ours.named_params()}
    checked = 0
    for hf_name, (targets_, _) in hf_names(SIZES["n_layer"]).items():
        mine = np.concatenate([grads[t] for t in targets_], axis=-1)
        theirs = torch_grads[hf_name]
        error = np.abs(mine - theirs).max() / max(np.abs(theirs).max(), 1e-12)
        assert error < 1e-9, (hf_name, error)
        checked += 1
    assert checked == 4 + 12 * SIZES["n_layer"]


def test_tokenizer_matches_transformers(reference):
    transformers = require("transformers")
    _, _, directory = reference
    model, tokenizer = load_gpt2(directory)
    # transformers 5 ignores vocab_file=/merges_file= keywords: read the folder instead.
    fast = transformers.GPT2TokenizerFast.from_pretrained(str(directory))
    assert len(fast) == tokenizer.vocab_size
    for text in [
        "the rain in the north",
        "Hello, world!",
        "  tea\n\n\tsaid éte 🙂",
        "",
    ]:
        assert list(tokenizer.encode(text)) == fast.encode(text), text
    assert model.vocab_size == 300


# ---------------------------------------------------------------- the other direction


def test_a_save_gpt2_folder_loads_in_transformers_with_the_same_logits(tmp_path):
    """scratchml -> transformers: ``save_gpt2``'s folder read by
    ``GPT2LMHeadModel.from_pretrained``, float32 logits equal to ours."""
    torch = require("torch")
    transformers = require("transformers")
    from safetensors import safe_open  # transformers' own reader of the weights

    from scratchml import GPT2, save_gpt2

    model = GPT2(
        vocab_size=SIZES["vocab_size"],
        d_model=SIZES["n_embd"],
        n_heads=SIZES["n_head"],
        n_layers=SIZES["n_layer"],
        context_length=SIZES["n_positions"],
        rng=0,
    ).eval()
    r = np.random.default_rng(1)  # biases and layer norms off 0 and 1
    for _, layer, key in model.named_params():
        p = layer.params[key]
        layer.params[key] = (p + 0.05 * r.standard_normal(p.shape)).astype(np.float32)
    save_gpt2(model, tmp_path)
    with safe_open(tmp_path / "model.safetensors", "np") as f:
        # transformers 4.x refuses any other format than pt, tf, flax and mlx
        assert f.metadata() == {"format": "pt"}
    reference = transformers.GPT2LMHeadModel.from_pretrained(tmp_path).eval()
    assert reference.config.n_layer == SIZES["n_layer"]
    ids = _ids()
    with torch.no_grad():
        expected = reference(torch.tensor(ids)).logits.numpy()
    logits = model(ids)
    assert expected.dtype == logits.dtype == np.float32
    np.testing.assert_allclose(logits, expected, rtol=0, atol=1e-5)
    assert np.abs(expected).max() > 1  # logits of a size where 1e-5 means something


# The reference reader and this book's: the damaged safetensors files of
# tests/test_hostile_files.py that the format's own reader (the ``safetensors``
# package) loads anyway, each refused here by a rule of this book's own.
STRICTER = {
    "9 dimensions": "at most 8 dimensions (GPT-2's tensors have at most 4)",
    "the header starts with a space": "the format's text: the header begins with {",
}


def test_the_format_s_reference_reader_refuses_the_same_damaged_files(tmp_path):
    require("safetensors")
    from safetensors import safe_open
    from test_hostile_files import CASES

    accepted = []
    for name, loader, _, changed in CASES:
        if loader not in ("st", "gpt2-st"):
            continue
        path = tmp_path / "x.safetensors"
        path.write_bytes(changed["model.safetensors"])
        if hasattr(changed["model.safetensors"], "size"):  # a sparse file's full size
            os.truncate(path, changed["model.safetensors"].size)
        try:
            with safe_open(path, "np") as f:
                for key in f.keys():
                    f.get_tensor(key)
        except Exception:  # noqa: BLE001 -- any refusal counts
            continue
        accepted.append(name)
    assert sorted(accepted) == sorted(STRICTER)
