"""A known answer for GPT-2 small's real weights, from a published reference.

The weights are not shipped and cannot be downloaded here, so the first two tests run
only when ``SCRATCHML_GPT2_DIR`` names a folder holding GPT-2 small in the Hugging Face
layout (``config.json`` and ``model.safetensors``), for example one made by::

    hf download gpt2 config.json model.safetensors --local-dir gpt2
    SCRATCHML_GPT2_DIR=gpt2 .venv/bin/pytest tests/test_gpt2_known_answer.py

They compare greedy generation with the ids that Hugging Face transformers' own GPT-2
integration tests expect (``tests/models/gpt2/test_modeling_gpt2.py``:
``test_lm_generate_gpt2`` and ``test_batch_generation``). A parameter count cannot tell
a correct load from a transposed matrix; these ids can. No published reference gives
GPT-2 small's logits at a position, so none is checked.

The third test shows, without real weights, that the check catches such a mistake: a
random GPT-2 saved by transformers, with transformers' own greedy ids as the known
answer, passes; the same folder with one square weight transposed (same shapes, same
parameter count) fails.
"""

import os
from pathlib import Path

import numpy as np
import pytest
from _parity import require

from scratchml import BPETokenizer, generate, load_gpt2_model
from scratchml.safetensors import load_safetensors, save_safetensors

GPT2_DIR = os.environ.get("SCRATCHML_GPT2_DIR")
needs_weights = pytest.mark.skipif(
    not GPT2_DIR,
    reason="GPT-2 small's weights are not shipped: set SCRATCHML_GPT2_DIR to a folder "
    "with config.json and model.safetensors to run this known-answer test",
)
# test_lm_generate_gpt2: "The dog" and 18 greedy tokens.
THE_DOG = [464, 3290, 373, 1043, 287, 257, 2214, 1474, 262, 16246, 286, 2688, 290]
THE_DOG += [2688, 27262, 13, 198, 198, 464, 3290]
# test_batch_generation: a prompt of 7 tokens greedily extended to 20.
MY_DOG = "Hello, my dog is a little"
MY_DOG_TEXT = "Hello, my dog is a little bit of a mess. I'm not sure if he's going"


def greedy_ids(directory, prompt: list[int], length: int = 20) -> list[int]:
    """Greedy generation (temperature 0) from ``prompt`` up to ``length`` tokens."""
    model = load_gpt2_model(directory)
    out = generate(model, np.array(prompt), length - len(prompt), temperature=0)
    return [int(i) for i in out]


def check_known_answer(directory, prompt: list[int], expected: list[int]) -> None:
    """Fail naming the first position where the folder's GPT-2 leaves the answer."""
    got = greedy_ids(directory, prompt, len(expected))
    first = next(
        (i for i, (a, b) in enumerate(zip(got, expected, strict=True)) if a != b), None
    )
    assert first is None, (
        f"{directory}: greedy generation leaves the known answer at position {first}: "
        f"expected {expected[first]}, got {got[first]} (got {got}, expected {expected})"
    )


@needs_weights
def test_real_gpt2_small_continues_the_dog_as_transformers_expects():
    check_known_answer(GPT2_DIR, THE_DOG[:2], THE_DOG)


@needs_weights
def test_real_gpt2_small_continues_my_dog_as_transformers_expects():
    tok = BPETokenizer.gpt2()
    prompt = tok.encode(MY_DOG).tolist()
    assert tok.decode(greedy_ids(GPT2_DIR, prompt)) == MY_DOG_TEXT


def test_the_check_passes_a_right_load_and_catches_a_transposed_weight(tmp_path):
    torch = require("torch")
    transformers = require("transformers")
    torch.manual_seed(0)
    # fmt: skip
    config = transformers.GPT2Config(
        vocab_size=50257,
        n_positions=64,
        n_embd=32,
        n_layer=2,
        n_head=4,
        initializer_range=0.2,
    )
    hf = transformers.GPT2LMHeadModel(config).eval()
    right = tmp_path / "right"
    hf.save_pretrained(right)
    prompt = torch.tensor([THE_DOG[:2]])
    with torch.no_grad():
        out = hf.generate(prompt, do_sample=False, max_length=20, pad_token_id=50256)
    expected = out[0].tolist()
    assert len(set(expected[2:])) > 3  # a real answer, not one token repeated

    check_known_answer(right, THE_DOG[:2], expected)

    wrong = tmp_path / "transposed"
    wrong.mkdir()
    (wrong / "config.json").write_bytes((right / "config.json").read_bytes())
    tensors = load_safetensors(right / "model.safetensors")
    name = "transformer.h.0.attn.c_proj.weight"  # (32, 32): transposing keeps shapes
    tensors = {k: np.ascontiguousarray(v) for k, v in tensors.items()}
    tensors[name] = np.ascontiguousarray(tensors[name].T)
    save_safetensors(wrong / "model.safetensors", tensors)
    same_count = sum(p.size for p in load_gpt2_model(wrong).params.values())
    assert same_count == sum(p.size for p in load_gpt2_model(right).params.values())
    with pytest.raises(AssertionError, match="leaves the known answer at position"):
        check_known_answer(wrong, THE_DOG[:2], expected)


def test_the_page_shows_the_same_known_answer():
    page = Path(__file__).resolve().parents[1] / "docs/part4/loading-weights.md"
    text = page.read_text(encoding="utf-8")
    assert "SCRATCHML_GPT2_DIR" in text
    assert "The dog was found in a field near the intersection of West and West" in text
