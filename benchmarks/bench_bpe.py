"""BPE: training time on the default text, and encoding throughput against tiktoken.

Run: python benchmarks/bench_bpe.py (needs the parity extra for tiktoken). Both encoders
use the same merges; each figure is the median of 5 runs, alternated, on the same text.
"""

import statistics
import time

from scratchml import BPETokenizer, load_text
from scratchml.bpe import END_OF_TEXT, GPT2_PATTERN

RUNS = 5


def median_seconds(fn, runs=RUNS):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    import tiktoken

    text = load_text()
    mb = len(text.encode("utf-8")) / 1e6
    print(f"default text: {len(text):,} characters, {mb:.3f} MB (UTF-8)")
    print(
        "| vocab | train s | scratchml MB/s (cold) | scratchml MB/s (cached) | "
        "tiktoken MB/s |"
    )
    print("|---|---|---|---|---|")
    for vocab_size in (512, 1024):
        train_s = median_seconds(lambda v=vocab_size: BPETokenizer.train(text, v))
        tok = BPETokenizer.train(text, vocab_size)
        enc = tiktoken.Encoding(
            name=f"bench-{vocab_size}",
            pat_str=GPT2_PATTERN,
            mergeable_ranks={t: i for i, t in enumerate(tok.tokens)},
            special_tokens={END_OF_TEXT: tok.eot_id},
        )
        cold, warm, tik = [], [], []
        for _ in range(RUNS):  # alternated
            fresh = BPETokenizer(tok.tokens, tok.merges)
            cold.append(median_seconds(lambda f=fresh: f.encode(text), runs=1))
            warm.append(median_seconds(lambda f=fresh: f.encode(text), runs=1))
            tik.append(median_seconds(lambda e=enc: e.encode_ordinary(text), runs=1))
        assert tok.encode(text).tolist() == enc.encode_ordinary(text)
        c, w, t = (statistics.median(x) for x in (cold, warm, tik))
        print(
            f"| {vocab_size} | {train_s:.2f} | {mb / c:.2f} | {mb / w:.2f} | "
            f"{mb / t:.2f} |"
        )


if __name__ == "__main__":
    main()
