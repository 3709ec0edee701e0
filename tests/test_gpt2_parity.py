"""GPT-2 against Hugging Face transformers: the same random model, saved by
transformers,
loaded by ``load_gpt2_model``, gives the same logits and the same loss gradients.

Offline: the reference model is built from a ``GPT2Config`` inside the test and saved
with
``save_pretrained``; nothing is downloaded. torch and transformers are the ``parity``
extra:
without them these tests skip, unless SCRATCHML_REQUIRE_PARITY=1 (then they fail).
"""

import json

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
