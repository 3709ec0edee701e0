"""What the argument checks cost: one GPT training step, this tree against an older one.

The promise of clear errors puts a check at every public entry; this benchmark measures
what those checks add to the happy path. It exports the package as it was at
``--before`` (a git revision, by default the last one before the checks were added
everywhere) into a temporary folder, starts one Python process per version, and has both
time the same training step of the Part III GPT (``get_batch``, forward,
``cross_entropy_with_grad``, backward, ``clip_grad_norm``, Adam) on the same batches, in
float32:

    x, y = get_batch(ids, B, T, rng); logits = model.forward(x)
    loss, dlogits = cross_entropy_with_grad(logits, y); model.backward(dlogits)
    clip_grad_norm(model, 1.0); optimizer.step()

The two processes take turns, ``--chunk`` steps at a time in the order A B B A, after
``--warmup`` untimed steps each, so that a slow phase of a shared machine hits both. It
reports each version's median step time and the median of the per-round ratios
after/before. Run from the repository root::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_checks.py
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BEFORE = "7a47df0^1"  # main just before the branch that put checks at every entry

CHILD = r"""
import json, sys, time
import numpy as np
import scratchml
from scratchml import GPT, Adam, clip_grad_norm, get_batch
from scratchml.losses import cross_entropy_with_grad

d, layers, heads, T, B, V = (int(a) for a in sys.argv[1:7])
model = GPT(V, d_model=d, n_heads=heads, n_layers=layers, context_length=T, rng=0)
optimizer = Adam(model, lr=1e-3)
ids = np.random.default_rng(0).integers(0, V, size=20_000)
rng = np.random.default_rng(1)
print(json.dumps({"file": scratchml.__file__}), flush=True)
for line in sys.stdin:
    times = []
    for _ in range(int(line)):
        start = time.perf_counter()
        x, y = get_batch(ids, B, T, rng)  # (B, T) each
        logits = model.forward(x)  # (B, T, V)
        loss, dlogits = cross_entropy_with_grad(logits, y)
        model.backward(dlogits)
        clip_grad_norm(model, 1.0)
        optimizer.step()
        times.append(time.perf_counter() - start)
    print(json.dumps({"times": times, "loss": float(loss)}), flush=True)
"""


def export(revision: str, into: Path) -> Path:
    """The package as it was at ``revision``, unpacked under ``into``."""
    archive = into / "old.tar"
    with archive.open("wb") as out:
        subprocess.run(
            ["git", "archive", revision, "scratchml"], cwd=ROOT, stdout=out, check=True
        )
    with tarfile.open(archive) as tar:
        tar.extractall(into / "old", filter="data")
    return into / "old"


def start(path: Path, sizes: list[int]) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(path)}
    args = [sys.executable, "-c", CHILD, *map(str, sizes)]
    pipes = dict(stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    # cwd: python -c puts it first
    child = subprocess.Popen(args, **pipes, env=env, cwd=path)
    found = json.loads(child.stdout.readline())["file"]
    if not found.startswith(str(path)):
        raise SystemExit(f"the child imported {found}, not the package under {path}")
    return child


def run(child: subprocess.Popen, n: int) -> dict:
    child.stdin.write(f"{n}\n")
    child.stdin.flush()
    return json.loads(child.stdout.readline())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--before", default=BEFORE, help="the git revision to compare with"
    )
    parser.add_argument("--rounds", type=int, default=12, help="rounds of A B B A")
    parser.add_argument("--chunk", type=int, default=5, help="steps per turn")
    parser.add_argument(
        "--warmup", type=int, default=5, help="untimed steps per version"
    )
    parser.add_argument("--size", default="128x4", help="d_model x layers (4 heads)")
    args = parser.parse_args()
    d, layers = (int(s) for s in args.size.split("x"))
    sizes = [d, layers, 4, 64, 32, 96]  # d, layers, heads, T, B, V

    with tempfile.TemporaryDirectory() as tmp:
        old = export(args.before, Path(tmp))
        versions = {"before": start(old, sizes), "after": start(ROOT, sizes)}
        first = {
            name: run(child, args.warmup)["loss"] for name, child in versions.items()
        }
        # The same step, up to float32 rounding: a rewritten listing may sum in another
        # order (issue 20's plain forms give 4.5647922 where c243a06 gave 4.5647926).
        if abs(first["before"] - first["after"]) > 1e-5 * abs(first["before"]):
            raise SystemExit(f"the two versions compute different losses: {first}")
        times = {name: [] for name in versions}
        ratios = []
        for _ in range(args.rounds):
            chunk = {}
            for name in ("before", "after", "after", "before"):
                chunk.setdefault(name, []).extend(
                    run(versions[name], args.chunk)["times"]
                )
            for name, t in chunk.items():
                times[name] += t
            ratios.append(
                statistics.median(chunk["after"]) / statistics.median(chunk["before"])
            )
        for child in versions.values():
            child.stdin.close()
            child.wait()

    print(
        f"GPT training step, d_model {d}, {layers} layers, batch 32 x 64 tokens, "
        "float32"
    )
    print(
        f"before = {args.before}, after = this tree; {len(times['after'])} steps each"
    )
    for name, t in times.items():
        qs = statistics.quantiles(t, n=10)
        median = statistics.median(t) * 1e3
        print(
            f"  {name:>6}: median {median:.1f} ms (p10-p90 "
            f"{qs[0] * 1e3:.1f}-{qs[-1] * 1e3:.1f})"
        )
    qs = statistics.quantiles(ratios, n=10)
    ratio = statistics.median(ratios)
    print(f"  after/before, median of {len(ratios)} rounds: {ratio:.3f}", end="")
    print(f" (p10-p90 {qs[0]:.3f}-{qs[-1]:.3f})")


if __name__ == "__main__":
    main()
