"""The command line: train a tiny GPT on a text, and generate text from a checkpoint.

Run ``python -m scratchml --help`` (or ``scratchml --help`` once installed).
"""

import argparse
import hashlib
import os
import platform
import shlex
import sys

import numpy as np

from scratchml._checks import (
    check_cli_prompt,
    check_cli_train,
    check_cli_windows,
    check_gpt2_dir,
    cli_fraction,
    cli_number,
    cli_top_p,
)

EPILOG = """\
examples:
  python -m scratchml generate --prompt "The for statement"
      continue a prompt with the checkpoint that ships with scratchml
  python -m scratchml train --steps 300 --out my_gpt.npz
      train a GPT on Python's help topics for a few minutes, save it to my_gpt.npz
  python -m scratchml generate --checkpoint my_gpt.npz --prompt "def " --temperature 0.5
      sample from your own model; a lower temperature picks likelier characters
  python -m scratchml train --text shakespeare.txt --steps 3000 --sample-every 500
      train on any UTF-8 text file and watch samples improve
  python -m scratchml train --tokenizer bpe --vocab-size 512 --steps 300 --out bpe.npz
      learn a byte-pair tokenizer on the text first, then train on its tokens
  python -m scratchml generate --gpt2 gpt2/ --prompt "Hello" --n-new 50 --top-p 0.9
      continue a prompt with GPT-2 weights saved in the Hugging Face layout in gpt2/

Run "python -m scratchml train --help" or "... generate --help" for every option.
"""


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr (exit status 2)."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


_positive_int = cli_number(int, 0, strict=True)
_non_negative_int = cli_number(int, 0, strict=False)
_positive_float = cli_number(float, 0, strict=True)
_non_negative_float = cli_number(float, 0, strict=False)


class _Help(argparse.ArgumentDefaultsHelpFormatter):
    """Show each option's default, unless its help already says it or there is none."""

    def _get_help_string(self, action):
        if (
            "default" in (action.help or "")
            or action.default is None
            or action.default is False
        ):
            return action.help
        return super()._get_help_string(action)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="scratchml",
        description="Train a tiny GPT in numpy, on characters or BPE tokens, and "
        "sample from it\n"
        "(or from GPT-2's weights).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(
        dest="command", metavar="{train,generate}", required=True
    )

    t = commands.add_parser(
        "train",
        help="train a GPT on a text file and save a checkpoint",
        description="Train a GPT from scratch on a text, on characters (the default) "
        "or on "
        "BPE tokens, and save it (with its tokenizer) to a checkpoint. Validation uses "
        "the "
        "last part of the text.",
        formatter_class=_Help,
    )
    t.add_argument(
        "--text",
        metavar="FILE",
        help="UTF-8 text to train on (default: Python's help topics)",
    )
    t.add_argument(
        "--tokenizer",
        choices=("char", "bpe"),
        default="char",
        help="one token per character, or byte-pair tokens learned from the training "
        "part",
    )
    t.add_argument(
        "--vocab-size",
        metavar="N",
        type=cli_number(int, 257, strict=False),
        default=None,
        help="BPE vocabulary: 256 bytes + merges + <|endoftext|> (default: 512)",
    )
    t.add_argument(
        "--tokenizer-dir",
        metavar="DIR",
        default=None,
        help="use the BPE tokenizer saved in DIR (vocab.json, merges.txt) instead of "
        "training one",
    )
    t.add_argument(
        "--steps", metavar="N", type=_positive_int, default=1000, help="training steps"
    )
    t.add_argument(
        "--d-model",
        metavar="N",
        type=_positive_int,
        default=128,
        help="width of the model",
    )
    t.add_argument(
        "--n-heads",
        metavar="N",
        type=_positive_int,
        default=4,
        help="attention heads per block",
    )
    t.add_argument(
        "--n-layers",
        metavar="N",
        type=_positive_int,
        default=4,
        help="transformer blocks",
    )
    t.add_argument(
        "--context",
        metavar="T",
        type=_positive_int,
        default=128,
        help="context length T",
    )
    t.add_argument(
        "--batch-size",
        metavar="B",
        type=_positive_int,
        default=32,
        help="windows per step",
    )
    t.add_argument(
        "--lr",
        metavar="LR",
        type=_positive_float,
        default=3e-3,
        help="peak learning rate (Adam)",
    )
    t.add_argument(
        "--min-lr",
        metavar="LR",
        type=_positive_float,
        default=None,
        help="decay the learning rate along a cosine to this value (default: constant)",
    )
    t.add_argument(
        "--warmup",
        metavar="N",
        type=_non_negative_int,
        default=0,
        help="linear warmup steps",
    )
    t.add_argument(
        "--weight-decay",
        metavar="WD",
        type=_non_negative_float,
        default=0.1,
        help="AdamW decay",
    )
    t.add_argument(
        "--grad-clip",
        metavar="NORM",
        type=_non_negative_float,
        default=1.0,
        help="max gradient norm (0: off)",
    )
    t.add_argument(
        "--val-fraction",
        metavar="F",
        type=cli_fraction,
        default=0.1,
        help="share of text for validation",
    )
    t.add_argument(
        "--seed",
        metavar="S",
        type=_non_negative_int,
        default=0,
        help="seed of the weights and the batches",
    )
    t.add_argument(
        "--out", metavar="FILE", default="gpt.npz", help="checkpoint to write"
    )
    t.add_argument(
        "--eval-every",
        metavar="N",
        type=_positive_int,
        default=100,
        help="steps between evals",
    )
    t.add_argument(
        "--eval-batches",
        metavar="N",
        type=_positive_int,
        default=10,
        help="batches per eval",
    )
    t.add_argument(
        "--sample-every",
        metavar="N",
        type=_non_negative_int,
        default=0,
        help="steps between samples (0: off)",
    )
    t.add_argument(
        "--dtype",
        choices=("float32", "float64"),
        default="float32",
        help="float type of the model",
    )
    t.add_argument(
        "--no-progress", action="store_true", help="no progress line on stderr"
    )

    g = commands.add_parser(
        "generate",
        help="continue a prompt with a trained model",
        description="Continue a prompt, one sampled token at a time (a character for "
        "the "
        "tiny GPT's checkpoints, a BPE token for GPT-2).",
        formatter_class=_Help,
    )
    source = g.add_mutually_exclusive_group()
    source.add_argument(
        "--checkpoint",
        metavar="FILE",
        help="a checkpoint from 'train' (default: the shipped one)",
    )
    source.add_argument(
        "--gpt2",
        metavar="DIR",
        help="a GPT-2 directory in the Hugging Face layout (config.json, "
        "model.safetensors, "
        "vocab.json, merges.txt)",
    )
    g.add_argument(
        "--prompt",
        metavar="TEXT",
        default="\n",
        help="text to continue (default: a line break)",
    )
    g.add_argument(
        "--n-new",
        metavar="N",
        type=_non_negative_int,
        default=500,
        help="tokens to add (characters, for a character model)",
    )
    g.add_argument(
        "--temperature",
        metavar="T",
        type=_non_negative_float,
        default=0.8,
        help="divides the logits: lower is safer, higher is wilder, 0 is greedy",
    )
    g.add_argument(
        "--top-k",
        metavar="K",
        type=_positive_int,
        default=None,
        help="sample among the k likeliest",
    )
    g.add_argument(
        "--top-p",
        metavar="P",
        type=cli_top_p,
        default=None,
        help="sample among the fewest likeliest tokens whose probabilities reach P "
        "(nucleus)",
    )
    g.add_argument(
        "--no-kv-cache",
        action="store_true",
        help="recompute the whole context at every step (slower; the same text)",
    )
    g.add_argument(
        "--seed",
        metavar="S",
        type=_non_negative_int,
        default=0,
        help="seed of the sampling",
    )
    return parser


def _tokenize(sm, text: str, args):
    """The tokenizer and the encoded training and validation parts of ``text``."""
    if args.tokenizer == "char":
        tokenizer = sm.CharTokenizer.from_text(text)
        train_ids, val_ids = sm.train_val_split(
            tokenizer.encode(text), args.val_fraction
        )
        return tokenizer, train_ids, val_ids, ""
    # BPE: split the characters first, so that the tokenizer never sees the validation
    # part.
    chars = np.arange(len(text))
    train_chars, _ = sm.train_val_split(chars, args.val_fraction)
    train_text, val_text = text[: len(train_chars)], text[len(train_chars) :]
    if args.tokenizer_dir is not None:
        tokenizer = sm.BPETokenizer.from_pretrained(args.tokenizer_dir)
        about = f" (BPE from {args.tokenizer_dir})"
    else:
        tokenizer = sm.BPETokenizer.train(train_text, args.vocab_size or 512)
        about = " (BPE, learned from the training part)"
    train_ids, val_ids = tokenizer.encode(train_text), tokenizer.encode(val_text)
    n_tokens = len(train_ids) + len(val_ids)
    about += f", {n_tokens:,} tokens ({len(text) / n_tokens:.2f} characters per token)"
    return tokenizer, train_ids, val_ids, about


def cmd_train(args, argv) -> None:
    import scratchml as sm

    text = sm.load_text(args.text)
    tokenizer, train_ids, val_ids, about = _tokenize(sm, text, args)
    check_cli_windows(args, len(train_ids) + len(val_ids), len(val_ids))
    dtype = np.dtype(args.dtype)
    model = sm.GPT(
        vocab_size=tokenizer.vocab_size,
        d_model=args.d_model,
        n_heads=args.n_heads,
        n_layers=args.n_layers,
        context_length=args.context,
        rng=args.seed,
        dtype=dtype,
    )
    source = args.text or "pydoc_data.topics (Python's help topics)"
    print(
        f"text: {source}, {len(text):,} characters, vocabulary "
        f"{tokenizer.vocab_size}{about}; "
        f"model: {model.num_params():,} parameters, {args.dtype}"
    )
    history = sm.train(
        model,
        train_ids,
        val_ids,
        steps=args.steps,
        batch_size=args.batch_size,
        lr=args.lr,
        weight_decay=args.weight_decay,
        grad_clip=args.grad_clip or None,
        warmup_steps=args.warmup,
        min_lr=args.min_lr,
        eval_every=args.eval_every,
        eval_batches=args.eval_batches,
        sample_every=args.sample_every,
        tokenizer=tokenizer,
        rng=args.seed,
        progress=not args.no_progress,
    )
    extra = {
        "command": "python -m scratchml " + shlex.join(argv),
        "arguments": vars(args),
        "text": source,
        "text_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "environment": {
            k: v for k, v in os.environ.items() if k.endswith("_NUM_THREADS")
        },
        "python": platform.python_version(),
        "numpy": np.__version__,
        "final_train_loss": history["train_loss"][-1],
        "final_val_loss": history["val_loss"][-1],
        "seconds": round(history["seconds"], 1),
        "tokens_per_s": round(history["tokens_per_s"]),
        "eval_step": history["eval_step"],
        "val_loss": history["val_loss"],
    }
    sm.save_checkpoint(args.out, model, tokenizer, extra=extra)
    print(
        f"saved {args.out}: val loss {history['val_loss'][-1]:.4f} after {args.steps} "
        "steps, "
        f"{history['seconds']:.0f} s ({history['tokens_per_s']:,.0f} tokens/s)"
    )


def cmd_generate(args) -> None:
    import scratchml as sm

    check_cli_prompt(args.prompt)
    if args.gpt2 is not None:
        model, tokenizer = _load_gpt2(args.gpt2)
    else:
        model, tokenizer, _ = sm.load_checkpoint(args.checkpoint)
    prompt = tokenizer.encode(args.prompt)
    ids = sm.generate(
        model,
        prompt,
        args.n_new,
        args.temperature,
        args.top_k,
        rng=args.seed,
        kv_cache=not args.no_kv_cache,
        top_p=args.top_p,
    )
    print(tokenizer.decode(ids))


def _load_gpt2(directory: str):
    """``load_gpt2(directory)``, one-line errors for a missing or partial directory."""
    check_gpt2_dir(directory)
    try:
        from scratchml.gpt2 import load_gpt2
    except ImportError as err:
        raise RuntimeError(
            f"this scratchml cannot load GPT-2 weights ({err})"
        ) from None
    return load_gpt2(directory)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "train":
        check_cli_train(parser, args)
    try:
        if args.command == "train":
            cmd_train(args, argv)
        else:
            cmd_generate(args)
    except (ValueError, TypeError, OSError, RuntimeError) as err:
        print(f"scratchml {args.command}: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"scratchml {args.command}: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
