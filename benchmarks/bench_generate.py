"""Generation speed and memory: scratchml (numpy) against Hugging Face transformers
(PyTorch).

The model has GPT-2 small's shape (12 layers, d_model 768, 12 heads, vocabulary 50,257,
context 1,024) and random weights: ``transformers.GPT2LMHeadModel`` is built from a
``GPT2Config``, saved with ``save_pretrained`` to a temporary directory, and loaded from
there by ``scratchml.gpt2.load_gpt2_model`` (``load_gpt2`` without the tokenizer), so
both libraries run the very same numbers, in float32, batch 1. Each run feeds a 32-token
prompt and generates 128 new tokens greedily:

- scratchml ``generate(..., temperature=0)`` with the KV cache and without it;
- transformers ``model.generate(..., do_sample=False)`` with ``use_cache`` True and
  False.

The four are run in turn (cache, no cache, ..., order rotated each round) for ``--runs``
rounds after one untimed warmup round, so that a slow phase of a shared machine hits all
of them; the script reports the median tokens/s (new tokens / wall time, prompt
included) and the spread. Before timing, it checks that both libraries write the same
greedy tokens.

Memory: a fresh subprocess per library loads the directory and generates once with its
cache; its peak resident set size (``VmHWM`` of ``/proc/self/status``, which counts the
memory-mapped file pages it touched) is compared with the bytes of the weights (the size
of ``model.safetensors``).

Threads: PyTorch gets as many intra-op threads as numpy's BLAS uses (threadpoolctl), or
``--threads N`` sets both. Run from the repository root, with the BLAS kernel chosen by
OpenBLAS itself::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_generate.py
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_generate.py
    --threads 1

Until ``scratchml.load_gpt2`` exists, ``--numpy-only`` times scratchml alone on the tiny
GPT's classes at GPT-2 small's sizes (ReLU, no biases, untied unembedding: the same
matrix products), with and without the cache, and measures no memory.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

import scratchml as sm

SHAPE = dict(n_layer=12, n_embd=768, n_head=12, vocab_size=50257, n_positions=1024)
PROMPT, NEW = 32, 128


def blas_info() -> dict:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return {}
    blas = [p for p in threadpool_info() if p["user_api"] == "blas"]
    return blas[0] if blas else {}


def save_random_gpt2(directory: str, seed: int = 0) -> None:
    import torch
    import transformers

    torch.manual_seed(seed)
    config = transformers.GPT2Config(**SHAPE)
    transformers.GPT2LMHeadModel(config).save_pretrained(directory)


def load_model(directory: str):
    """``load_gpt2(directory)``'s model; the tokenizer is not needed (random token
    ids)."""
    from scratchml.gpt2 import load_gpt2_model

    return load_gpt2_model(directory)


def prompt_ids(seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, SHAPE["vocab_size"], size=PROMPT)


def numpy_model():
    """The tiny GPT's classes at GPT-2 small's sizes, random, float32 (--numpy-only)."""
    model = sm.GPT(
        vocab_size=SHAPE["vocab_size"],
        d_model=SHAPE["n_embd"],
        n_heads=SHAPE["n_head"],
        n_layers=SHAPE["n_layer"],
        context_length=SHAPE["n_positions"],
        rng=0,
    )
    for layer in (model.tok_emb, model.pos_emb, model.unembed):  # varied greedy tokens
        for key in layer.params:
            layer.params[key] *= 30
    return model


def scratchml_runner(model, kv_cache: bool):
    ids = prompt_ids()

    def run():
        return sm.generate(model, ids, NEW, temperature=0, kv_cache=kv_cache)[PROMPT:]

    return run


def transformers_runner(model, use_cache: bool):
    import torch

    ids = torch.tensor(prompt_ids()[None])
    attention = torch.ones_like(ids)

    def run():
        with torch.inference_mode():
            out = model.generate(
                ids,
                attention_mask=attention,
                max_new_tokens=NEW,
                min_new_tokens=NEW,
                do_sample=False,
                use_cache=use_cache,
                pad_token_id=0,
            )
        return out[0, PROMPT:].numpy()

    return run


def time_alternated(runners: dict, runs: int) -> dict:
    names = list(runners)
    for name in names:  # warmup, untimed
        runners[name]()
    times = {name: [] for name in names}
    for r in range(runs):
        order = names[r % len(names) :] + names[: r % len(names)]
        for name in order:
            start = time.perf_counter()
            runners[name]()
            times[name].append(time.perf_counter() - start)
        print(
            f"  round {r + 1}/{runs}: "
            + ", ".join(f"{n} {times[n][-1]:.2f} s" for n in names)
        )
    return times


def bytes_per_token(model) -> int:
    """The weights one cached step reads: every parameter but the position table, of
    which it reads one row (the token embedding is read whole, as the unembedding)."""
    skip = model.pos_emb.params["W_P"]
    return sum(
        layer.params[key].nbytes
        for _, layer, key in model.named_params()
        if layer.params[key] is not skip
    )


def bandwidth(threads: int, rounds: int = 21) -> float:
    """Bytes per second that one matrix-vector product streams from memory on this
    machine: GPT-2's unembedding shape, (768 x 50257) float32 = 154 MB, more than any
    cache, so the product runs at the speed of memory. The median of ``rounds``."""
    rng = np.random.default_rng(0)
    matrix = rng.standard_normal((SHAPE["n_embd"], SHAPE["vocab_size"]), np.float32)
    x = rng.standard_normal((1, SHAPE["n_embd"]), np.float32)
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        x @ matrix  # (1, 50257): reads the whole matrix once
        times.append(time.perf_counter() - start)
    return matrix.nbytes / statistics.median(times)


def report(times: dict, bound: tuple[float, int] | None = None) -> None:
    print(f"\n{'':28} {'tokens/s':>9} {'(10th-90th pct)':>18}")
    rates = {}
    for name, ts in times.items():
        rate = [NEW / t for t in ts]
        rates[name] = statistics.median(rate)
        lo, hi = np.percentile(rate, [10, 90])
        print(f"{name:28} {rates[name]:9.1f} {lo:8.1f} - {hi:6.1f}")
    if "scratchml, cache" in rates and "transformers, cache" in rates:
        ratio = rates["scratchml, cache"] / rates["transformers, cache"]
        print(
            f"\nscratchml with cache / transformers with cache: {ratio:.2f}x (target "
            ">= 1.5x)"
        )
    if bound:
        speed, weights = bound
        limit = speed / weights  # tokens/s if a token cost only reading the weights
        print(
            f"memory bandwidth: a (768 x 50257) matrix-vector product streams "
            f"{speed / 1e9:.1f} GB/s here; a token reads {weights / 1e6:.0f} MB of "
            f"weights, so at most {limit:.1f} tokens/s"
        )
        for name in ("scratchml, cache", "transformers, cache"):
            if name in rates:
                share = rates[name] / limit
                print(f"  {name:21} {rates[name]:6.1f} tokens/s = {share:.0%} of it")
    if "scratchml, no cache" in rates:
        ratio = rates["scratchml, cache"] / rates["scratchml, no cache"]
        print(f"scratchml with cache / without: {ratio:.1f}x")


def peak_rss() -> int:
    """This process's peak resident set size in bytes (``VmHWM``; Linux).

    Not ``ru_maxrss``: Linux carries it over a fork and exec, so a subprocess of a large
    parent reports the parent's peak.
    """
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def child(library: str, directory: str) -> None:
    """Load ``directory`` and generate once; print the peak RSS as JSON (a fresh
    process)."""
    before = peak_rss()
    if library == "scratchml":
        model = load_model(directory)
        tokens = scratchml_runner(model, True)()
    else:
        import torch

        torch.set_num_threads(int(os.environ["BENCH_THREADS"]))
        import transformers

        model = transformers.GPT2LMHeadModel.from_pretrained(directory).eval()
        tokens = transformers_runner(model, True)()
    peak = peak_rss()
    print(json.dumps(dict(before=before, peak=peak, tokens=[int(t) for t in tokens])))


def measure_memory(directory: str, threads: int) -> None:
    weights = os.path.getsize(os.path.join(directory, "model.safetensors"))
    print(
        "\npeak resident memory while loading and generating (weights: "
        f"{weights / 1e6:.0f} MB)"
    )
    for library in ("scratchml", "transformers"):
        env = dict(os.environ, BENCH_THREADS=str(threads))
        out = subprocess.run(
            [sys.executable, __file__, "--child", library, directory],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        ).stdout
        m = json.loads(out.strip().splitlines()[-1])
        print(
            f"  {library:13} peak {m['peak'] / 1e6:6.0f} MB = "
            f"{m['peak'] / weights:.2f}x the "
            f"weights (interpreter and imports before loading: {m['before'] / 1e6:.0f} "
            "MB)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed rounds (default 5)")
    parser.add_argument(
        "--threads", type=int, help="BLAS and torch threads (default: BLAS's)"
    )
    parser.add_argument(
        "--numpy-only", action="store_true", help="scratchml's classes alone"
    )
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument(
        "--memory-only", action="store_true", help="no timing, memory alone"
    )
    parser.add_argument(
        "--cache-only",
        action="store_true",
        help="time only the cached runs (no cache: slow)",
    )
    parser.add_argument(
        "--child", nargs=2, metavar=("LIBRARY", "DIR"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.child:
        return child(*args.child)
    if args.threads:
        from threadpoolctl import threadpool_limits

        threadpool_limits(args.threads, user_api="blas")
    info = blas_info()
    threads = args.threads or info.get("num_threads", 1)
    print(
        f"numpy {np.__version__}, BLAS {info.get('internal_api', '?')} "
        f"{info.get('version', '')} kernel {info.get('architecture', '?')}, {threads} "
        "thread(s); "
        f"prompt {PROMPT} tokens, {NEW} new, greedy, batch 1, float32; {args.runs} "
        "rounds"
    )
    print("(a shared machine: other work runs beside this benchmark)")
    if args.numpy_only:
        model = numpy_model()
        print(
            f"scratchml GPT at GPT-2 small's sizes: {model.num_params():,} parameters"
        )
        a, b = scratchml_runner(model, True)(), scratchml_runner(model, False)()
        print(f"same greedy tokens with and without the cache: {np.array_equal(a, b)}")
        runners = {
            "scratchml, cache": scratchml_runner(model, True),
            "scratchml, no cache": scratchml_runner(model, False),
        }
        return report(time_alternated(runners, args.runs))

    import torch
    import transformers

    torch.set_num_threads(threads)
    with tempfile.TemporaryDirectory() as directory:
        save_random_gpt2(directory)
        if args.memory_only:
            return measure_memory(directory, threads)
        ours = load_model(directory)
        theirs = transformers.GPT2LMHeadModel.from_pretrained(directory).eval()
        print(f"transformers {transformers.__version__}, torch {torch.__version__}")
        a, b = scratchml_runner(ours, True)(), transformers_runner(theirs, True)()
        print(f"same greedy tokens in both libraries: {np.array_equal(a, b)}")
        runners = {
            "scratchml, cache": scratchml_runner(ours, True),
            "scratchml, no cache": scratchml_runner(ours, False),
            "transformers, cache": transformers_runner(theirs, True),
            "transformers, no cache": transformers_runner(theirs, False),
        }
        if args.cache_only:
            runners = {
                name: run for name, run in runners.items() if "no cache" not in name
            }
        times = time_alternated(runners, args.runs)
        report(times, (bandwidth(threads), bytes_per_token(ours)))
        del ours, theirs, runners
        if not args.skip_memory:
            measure_memory(directory, threads)


if __name__ == "__main__":
    main()
