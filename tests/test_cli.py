"""The command line: help, a tiny train-then-generate run, one-line errors (exit 2)."""

import subprocess
import sys

import numpy as np
import pytest

from scratchml import load_checkpoint
from scratchml.__main__ import main

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


def test_help_lists_the_commands_and_examples():
    result = cli("--help")
    assert result.returncode == 0
    assert "{train,generate}" in result.stdout
    assert "train a GPT on a text file" in result.stdout
    assert "continue a prompt" in result.stdout
    assert (
        "examples:" in result.stdout
        and "python -m scratchml train --steps" in result.stdout
    )


@pytest.mark.parametrize("command", ["train", "generate"])
def test_subcommand_help(command, capsys):
    with pytest.raises(SystemExit) as info:
        main([command, "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert f"usage: scratchml {command}" in out
    assert "(default:" in out  # defaults are shown
    if command == "train":
        assert "--d-model" in out and "--dtype {float32,float64}" in out
    else:
        assert "--temperature" in out and "--top-k" in out


def test_train_then_generate(tmp_path):
    (tmp_path / "cats.txt").write_text(TEXT, encoding="utf-8")
    train = cli(
        "train",
        "--text",
        "cats.txt",
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
        "--sample-every",
        "4",
        "--out",
        "cats.npz",
        "--seed",
        "3",
        cwd=tmp_path,
    )
    assert train.returncode == 0, train.stderr
    out = train.stdout
    assert "text: cats.txt, 960 characters, vocabulary 14" in out
    assert "step 0  val " in out and "step 4  train " in out
    assert "--- sample at step 4 (temperature 0.8) ---" in out
    assert out.rstrip().splitlines()[-1].startswith("saved cats.npz: val loss ")
    # the progress line (not a terminal: plain)
    assert "step 4/4  loss " in train.stderr

    model, tok, meta = load_checkpoint(tmp_path / "cats.npz")
    assert model.config["d_model"] == 16 and model.context_length == 16
    assert meta["extra"]["command"].startswith(
        "python -m scratchml train --text cats.txt"
    )
    assert meta["extra"]["arguments"]["seed"] == 3

    args = ["generate", "--checkpoint", "cats.npz", "--prompt", "the ", "--n-new", "30"]
    first, again = cli(*args, cwd=tmp_path), cli(*args, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("the ") and len(first.stdout) == len("the ") + 30 + 1
    assert first.stdout == again.stdout  # seeded: --seed 0 by default
    assert set(first.stdout.rstrip("\n")) <= set(tok.chars)
    greedy = cli(*args, "--temperature", "0", cwd=tmp_path)
    assert greedy.returncode == 0 and greedy.stdout.startswith("the ")


def test_float64_training(tmp_path, capsys):
    (tmp_path / "cats.txt").write_text(TEXT, encoding="utf-8")
    out = tmp_path / "c64.npz"
    code = main(
        [
            "train",
            "--text",
            str(tmp_path / "cats.txt"),
            "--steps",
            "2",
            "--d-model",
            "8",
            "--n-heads",
            "2",
            "--n-layers",
            "1",
            "--context",
            "8",
            "--batch-size",
            "2",
            "--dtype",
            "float64",
            "--out",
            str(out),
            "--no-progress",
        ]
    )
    assert code == 0
    assert "float64" in capsys.readouterr().out
    model, _, _ = load_checkpoint(out)
    assert model.tok_emb.params["W_E"].dtype == np.float64


def test_generate_from_the_shipped_checkpoint():
    result = cli("generate", "--prompt", "The ", "--n-new", "40", "--seed", "1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("The ") and len(result.stdout) == 4 + 40 + 1


BAD = [
    (["frobnicate"], "invalid choice: 'frobnicate'"),
    ([], "the following arguments are required"),
    (["train", "--steps", "0"], "argument --steps: expected an integer > 0, got '0'"),
    (["train", "--lr", "fast"], "argument --lr: expected a number > 0, got 'fast'"),
    (["train", "--dtype", "float16"], "argument --dtype: invalid choice: 'float16'"),
    (
        ["train", "--text", "missing.txt"],
        "argument --text: no such file: 'missing.txt'",
    ),
    (
        ["train", "--d-model", "10", "--n-heads", "3"],
        "argument --n-heads: 3 does not divide --d-model 10",
    ),
    (["generate", "--checkpoint", "missing.npz"], "'missing.npz': no such file"),
    (
        ["generate", "--temperature", "-1"],
        "argument --temperature: expected a number >= 0, got '-1'",
    ),
    (
        ["generate", "--prompt", "€uro"],
        "character '€' at position 0 is not in the vocabulary",
    ),
    (["generate", "--prompt", ""], "the prompt is empty"),
    (
        ["generate", "--n-new", "many"],
        "argument --n-new: expected an integer >= 0, got 'many'",
    ),
]


@pytest.mark.parametrize(
    "argv, message", BAD, ids=[" ".join(a) or "nothing" for a, _ in BAD]
)
def test_bad_arguments_exit_2_with_one_line(
    argv, message, capsys, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    try:
        code = main(argv)
    except SystemExit as exit:  # argparse's own errors
        code = exit.code
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("scratchml"), err
    assert message in err, err
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_an_error_in_a_fresh_interpreter_has_no_traceback():
    result = cli("generate", "--checkpoint", "no/such/file.npz")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stdout == ""
