"""The generate command: --top-p, --no-kv-cache, --gpt2 DIR (errors, end to end)."""

import pytest
from _parity import require

from scratchml.__main__ import main


def run(capsys, *args):
    code = main(["generate", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_no_kv_cache_writes_the_same_greedy_text(capsys):
    args = ["--prompt", "The for statement", "--n-new", "40", "--temperature", "0"]
    code, cached, _ = run(capsys, *args)
    assert code == 0 and cached.startswith("The for statement")
    code, recomputed, _ = run(capsys, *args, "--no-kv-cache")
    assert code == 0 and recomputed == cached


def test_top_p_is_seeded_and_changes_the_text(capsys):
    args = ["--prompt", "def ", "--n-new", "60", "--temperature", "1.5"]
    _, nucleus, _ = run(capsys, *args, "--top-p", "0.5")
    _, again, _ = run(capsys, *args, "--top-p", "0.5")
    _, plain, _ = run(capsys, *args)
    assert nucleus == again and nucleus != plain


@pytest.mark.parametrize("bad", ["0", "1.5", "-1", "nan", "most"])
def test_bad_top_p_is_one_line(capsys, bad):
    with pytest.raises(SystemExit) as info:
        main(["generate", "--top-p", bad])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert f"argument --top-p: expected a number in (0, 1], got '{bad}'" in err


def test_gpt2_and_checkpoint_exclude_each_other(capsys):
    with pytest.raises(SystemExit) as info:
        main(["generate", "--gpt2", "x", "--checkpoint", "y.npz"])
    assert info.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_gpt2_directory_errors(capsys, tmp_path):
    code, _, err = run(capsys, "--gpt2", str(tmp_path / "nowhere"))
    assert code == 2
    assert (
        err == f"scratchml generate: error: --gpt2 {tmp_path / 'nowhere'}: no such "
        "directory\n"
    )
    (tmp_path / "config.json").write_text("{}")
    code, _, err = run(capsys, "--gpt2", str(tmp_path))
    assert code == 2
    assert (
        "not a GPT-2 directory in the Hugging Face layout, missing model.safetensors, "
        in err
    )
    assert err.rstrip().endswith("vocab.json, merges.txt")


def test_gpt2_end_to_end(capsys, tmp_path):
    """A small random GPT-2 saved by transformers with a BPE tokenizer beside it: the
    command writes the greedy continuation transformers computes."""
    torch = require("torch")
    transformers = require("transformers")
    import scratchml

    text = "the cat sat on the mat; a dog lay in the fog, and then it ran off. " * 40
    tokenizer = scratchml.BPETokenizer.train(text, 280)
    tokenizer.save(tmp_path)
    torch.manual_seed(0)
    config = transformers.GPT2Config(
        vocab_size=tokenizer.vocab_size, n_positions=32, n_embd=32, n_layer=2, n_head=4
    )
    reference = transformers.GPT2LMHeadModel(config).eval()
    reference.save_pretrained(tmp_path)
    prompt = "the cat"
    ids = torch.tensor([tokenizer.encode(prompt).tolist()])
    with torch.no_grad():
        expected = reference.generate(
            ids, max_new_tokens=8, do_sample=False, min_new_tokens=8
        )
    args = [
        "--gpt2",
        str(tmp_path),
        "--prompt",
        prompt,
        "--n-new",
        "8",
        "--temperature",
        "0",
    ]
    code, out, err = run(capsys, *args)
    assert code == 0, err
    assert out == tokenizer.decode(expected[0].numpy()) + "\n"
