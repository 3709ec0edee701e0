"""Side-by-side benchmark: one GPT training step in scratchml (numpy) and in PyTorch
(CPU).

A training step is: forward pass, softmax cross-entropy, backward pass, Adam update
(with decoupled weight decay on the weight matrices, as ``scratchml.Adam`` and
``torch.optim.AdamW`` both do). Both frameworks run the same model with the same weights
(copied from the scratchml model) on the same batches, in float32:

- token embedding + learned position embedding;
- ``n_layers`` pre-norm blocks ``x + attn(ln1(x))``, ``x + ffn(ln2(x))``; attention with
  ``W_q, W_k, W_v, W_o`` and no biases, causal mask, softmax written out (PyTorch:
  ``q @ k^T``, ``masked_fill``, ``softmax``, ``@ v``, no fused attention kernel); a ReLU
  MLP of width ``4 d_model`` with biases;
- final layer norm, untied unembedding without bias.

Before timing, the script checks that both compute the same loss on the first batch.
Each configuration times ``--steps`` steps of each framework *alternately* (numpy,
torch, torch, numpy, ...), after ``--warmup`` untimed steps, so that a slow phase of a
shared machine hits both; it reports medians and the spread (10th to 90th percentile).

Threads: PyTorch gets as many intra-op threads as numpy's BLAS uses (read through
threadpoolctl), or ``--threads N`` for both. Run from the repository root::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_gpt.py env -u
    OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_gpt.py --threads 1
    python benchmarks/bench_gpt.py --configs 64x2 --sdpa --profile-steps 0

``--sdpa`` adds PyTorch with its fused ``F.scaled_dot_product_attention`` (a different
algorithm, for reference); ``--profile-steps`` sets how many steps the per-layer time
profile of the numpy step at (128, 4) averages over (0 skips it).

PyTorch is not a dependency of scratchml; without it only the numpy side is timed.
"""

import argparse
import contextlib
import statistics
import time
from collections import defaultdict

import numpy as np

import scratchml as sm
import scratchml.attention as sm_attention

CONFIGS = [(128, 4), (64, 2), (128, 2)]  # (d_model, n_layers)
VOCAB, CONTEXT, BATCH, HEADS = 65, 64, 32, 4
LR, BETAS, EPS, WEIGHT_DECAY = 1e-3, (0.9, 0.99), 1e-8, 0.1


def blas_threads() -> int | None:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return None
    blas = [p for p in threadpool_info() if p["user_api"] == "blas"]
    return blas[0]["num_threads"] if blas else None


def make_batches(n: int, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, VOCAB, 100_000)  # a random "text"
    return [sm.get_batch(ids, BATCH, CONTEXT, rng) for _ in range(n)]


# ---- scratchml
# -------------------------------------------------------------------------


class NumpyStep:
    def __init__(self, d_model: int, n_layers: int) -> None:
        self.model = sm.GPT(VOCAB, d_model, HEADS, n_layers, CONTEXT, rng=0)
        self.opt = sm.Adam(
            self.model, lr=LR, betas=BETAS, eps=EPS, weight_decay=WEIGHT_DECAY
        )

    def __call__(self, x: np.ndarray, y: np.ndarray) -> float:
        logits = self.model.forward(x)  # (B, T, V)
        loss, dlogits = sm.cross_entropy_with_grad(logits, y)
        self.model.backward(dlogits)
        self.opt.step()
        return float(loss)


# ---- PyTorch
# ---------------------------------------------------------------------------


def torch_model(np_model: sm.GPT, fused: bool = False):
    """The same GPT in PyTorch, with the weights of ``np_model`` copied in.

    ``fused=True`` computes attention with ``F.scaled_dot_product_attention`` (one fused
    kernel) instead of writing out its four steps.
    """
    import torch
    from torch import nn

    class Block(nn.Module):
        def __init__(self, d: int, n_heads: int) -> None:
            super().__init__()
            self.n_heads = n_heads
            self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
            # [W_q | W_k | W_v], as scratchml
            self.qkv = nn.Linear(d, 3 * d, bias=False)
            self.proj = nn.Linear(d, d, bias=False)
            self.fc1, self.fc2 = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)

        def attn(self, x):
            B, T, d = x.shape
            q, k, v = self.qkv(x).split(d, dim=-1)  # each (B, T, d)
            q, k, v = (
                a.view(B, T, self.n_heads, -1).transpose(1, 2) for a in (q, k, v)
            )
            if fused:
                h = nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True)
                return self.proj(h.transpose(1, 2).reshape(B, T, d))
            scores = q @ k.transpose(-1, -2) / (q.shape[-1] ** 0.5)  # (B, H, T, T)
            mask = torch.ones(T, T, dtype=torch.bool).tril()
            weights = scores.masked_fill(~mask, float("-inf")).softmax(dim=-1)
            h = (weights @ v).transpose(1, 2).reshape(B, T, d)
            return self.proj(h)

        def forward(self, x):
            x = x + self.attn(self.ln1(x))
            return x + self.fc2(torch.relu(self.fc1(self.ln2(x))))

    class GPT(nn.Module):
        def __init__(self, V: int, d: int, n_heads: int, n_layers: int, T: int) -> None:
            super().__init__()
            self.tok_emb = nn.Embedding(V, d)
            self.pos_emb = nn.Parameter(torch.zeros(T, d))
            self.blocks = nn.ModuleList(Block(d, n_heads) for _ in range(n_layers))
            self.ln_f = nn.LayerNorm(d)
            self.unembed = nn.Linear(d, V, bias=False)

        def forward(self, ids):
            x = self.tok_emb(ids) + self.pos_emb[: ids.shape[1]]
            for block in self.blocks:
                x = block(x)
            return self.unembed(self.ln_f(x))

    c = np_model.config
    model = GPT(
        c["vocab_size"], c["d_model"], c["n_heads"], c["n_layers"], c["context_length"]
    )
    p = {name: layer.params[key] for name, layer, key in np_model.named_params()}
    t = lambda a: torch.from_numpy(np.ascontiguousarray(a))  # noqa: E731
    with torch.no_grad():
        model.tok_emb.weight.copy_(t(p["tok_emb.W_E"]))
        model.pos_emb.copy_(t(p["pos_emb.W_P"]))
        for i, block in enumerate(model.blocks):
            q = f"blocks.{i}."
            # (d, 3d)
            qkv = np.concatenate([p[q + f"attn.W_{n}"] for n in "qkv"], axis=1)
            block.qkv.weight.copy_(t(qkv.T))  # torch stores (out, in)
            block.proj.weight.copy_(t(p[q + "attn.W_o"].T))
            for ln in ("ln1", "ln2"):
                getattr(block, ln).weight.copy_(t(p[q + ln + ".gamma"]))
                getattr(block, ln).bias.copy_(t(p[q + ln + ".beta"]))
            for fc in ("fc1", "fc2"):
                getattr(block, fc).weight.copy_(t(p[q + f"ffn.{fc}.W"].T))
                getattr(block, fc).bias.copy_(t(p[q + f"ffn.{fc}.b"]))
        model.ln_f.weight.copy_(t(p["ln_f.gamma"]))
        model.ln_f.bias.copy_(t(p["ln_f.beta"]))
        model.unembed.weight.copy_(t(p["unembed.W_U"].T))
    return model


class TorchStep:
    def __init__(self, np_model: sm.GPT, fused: bool = False) -> None:
        import torch

        self.torch = torch
        self.model = torch_model(np_model, fused)
        params = list(self.model.parameters())
        groups = [  # decay only matrices, as scratchml.Adam does
            {
                "params": [p for p in params if p.ndim >= 2],
                "weight_decay": WEIGHT_DECAY,
            },
            {"params": [p for p in params if p.ndim < 2], "weight_decay": 0.0},
        ]
        self.opt = torch.optim.AdamW(groups, lr=LR, betas=BETAS, eps=EPS)

    def __call__(self, x: np.ndarray, y: np.ndarray) -> float:
        torch = self.torch
        x, y = torch.from_numpy(x), torch.from_numpy(y)
        logits = self.model(x)  # (B, T, V)
        loss = torch.nn.functional.cross_entropy(logits.view(-1, VOCAB), y.reshape(-1))
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()
        return loss.item()


# ---- timing
# ----------------------------------------------------------------------------


def spread(times: list[float]) -> tuple[float, float, float]:
    q = np.percentile(times, [10, 50, 90])
    return float(q[0]), float(q[1]), float(q[2])


def compare(d_model, n_layers, steps, warmup, with_torch: bool, fused: bool) -> dict:
    batches = make_batches(warmup + steps)
    runners = {"scratchml": NumpyStep(d_model, n_layers)}
    if with_torch:
        runners["pytorch"] = TorchStep(runners["scratchml"].model)
        if fused:
            runners["pytorch-sdpa"] = TorchStep(runners["scratchml"].model, fused=True)
        x, y = batches[0]
        a = float(sm.cross_entropy(runners["scratchml"].model.forward(x), y))
        for name in list(runners)[1:]:
            b = runners[name](x, y)  # (also its first warm-up step)
            assert abs(a - b) < 1e-4, f"scratchml and {name} disagree: {a} vs {b}"
    times = defaultdict(list)
    for i, (x, y) in enumerate(batches):
        order = list(runners) if i % 2 == 0 else list(runners)[::-1]
        for name in order:
            tic = time.perf_counter()
            runners[name](x, y)
            if i >= warmup:
                times[name].append(time.perf_counter() - tic)
    return times


# ---- where the numpy step spends its time
# ----------------------------------------------


@contextlib.contextmanager
def instrument(model: sm.GPT, totals: dict):
    """Time every leaf layer's forward/backward, grouped by role (``attn``,
    ``ffn.fc1``, ...), and the attention core (``scaled_dot_product_attention``,
    ``attention_backward``)."""
    patched = []

    def wrap(owner, attr, label):
        original = getattr(owner, attr)

        def timed(*args, **kwargs):
            tic = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                totals[label] += time.perf_counter() - tic

        setattr(owner, attr, timed)
        patched.append((owner, attr, original))

    def leaves(layer, prefix=""):
        if not layer.children:
            yield prefix.rstrip("."), layer
        for name, child in layer.children.items():
            yield from leaves(child, prefix + name + ".")

    for name, layer in leaves(model):
        role = ".".join(p for p in name.split(".") if not p.isdigit() and p != "blocks")
        if isinstance(layer, sm.MultiHeadAttention):
            role = "attn (projections, heads)"
        wrap(layer, "forward", f"{role} forward")
        wrap(layer, "backward", f"{role} backward")
    wrap(sm_attention, "scaled_dot_product_attention", "attention core forward")
    wrap(sm_attention, "attention_backward", "attention core backward")
    try:
        yield
    finally:
        for owner, attr, original in reversed(patched):
            if attr in vars(owner) and owner is not sm_attention:
                delattr(owner, attr)  # back to the class's method
            else:
                setattr(owner, attr, original)


def profile(d_model: int, n_layers: int, steps: int) -> None:
    step = NumpyStep(d_model, n_layers)
    batches = make_batches(steps + 3, seed=1)
    for x, y in batches[:3]:
        step(x, y)  # warm-up
    totals = defaultdict(float)
    total = 0.0
    with instrument(step.model, totals):
        for x, y in batches[3:]:
            tic = time.perf_counter()
            logits = step.model.forward(x)
            t1 = time.perf_counter()
            loss, dlogits = sm.cross_entropy_with_grad(logits, y)
            t2 = time.perf_counter()
            step.model.backward(dlogits)
            t3 = time.perf_counter()
            step.opt.step()
            t4 = time.perf_counter()
            totals["cross-entropy and its gradient"] += t2 - t1
            totals["Adam"] += t4 - t3
            totals["(whole forward)"] += t1 - tic
            totals["(whole backward)"] += t3 - t2
            total += t4 - tic
    # The attention core runs inside the attention layer: report the layer's own share.
    for way in ("forward", "backward"):
        totals[f"attn (projections, heads) {way}"] -= totals[f"attention core {way}"]
    leaf = {k: v for k, v in totals.items() if not k.startswith("(")}
    fwd, bwd = totals["(whole forward)"], totals["(whole backward)"]
    leaf["residual adds, reshapes, glue (forward)"] = fwd - sum(
        v for k, v in leaf.items() if k.endswith("forward")
    )
    leaf["residual adds, reshapes, glue (backward)"] = bwd - sum(
        v for k, v in leaf.items() if k.endswith("backward")
    )
    print(f"\nWhere one numpy step goes, d_model {d_model}, {n_layers} layers ", end="")
    print(
        f"(mean over {steps} instrumented steps, {1000 * total / steps:.1f} ms per "
        "step):\n"
    )
    print("| part | ms per step | share |")
    print("|---|---|---|")
    for name, seconds in sorted(leaf.items(), key=lambda kv: -kv[1]):
        print(
            f"| {name} | {1000 * seconds / steps:.2f} | {100 * seconds / total:.1f} % |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--steps", type=int, default=60, help="timed steps per framework"
    )
    parser.add_argument("--warmup", type=int, default=5, help="untimed steps first")
    parser.add_argument("--threads", type=int, default=None, help="threads for both")
    parser.add_argument("--no-torch", action="store_true", help="time numpy only")
    parser.add_argument(
        "--sdpa", action="store_true", help="also time PyTorch's fused attention kernel"
    )
    parser.add_argument("--profile-steps", type=int, default=20, help="0: no profile")
    parser.add_argument(
        "--configs",
        nargs="+",
        default=[f"{d}x{n}" for d, n in CONFIGS],
        metavar="DxL",
        help="d_model x n_layers to time, e.g. 64x2 (default: %(default)s)",
    )
    args = parser.parse_args()

    with contextlib.ExitStack() as stack:
        if args.threads is not None:
            from threadpoolctl import threadpool_limits

            stack.enter_context(threadpool_limits(limits=args.threads, user_api="blas"))
        threads = blas_threads()
        with_torch = not args.no_torch
        if with_torch:
            try:
                import torch
            except ImportError:
                print("PyTorch is not installed: timing scratchml only")
                with_torch = False
        versions = f"numpy {np.__version__}"
        if with_torch:
            if threads is None:
                print(
                    "threadpoolctl missing: cannot read numpy's BLAS threads; PyTorch "
                    "keeps"
                )
                print(f"its default of {torch.get_num_threads()} threads")
            else:
                torch.set_num_threads(threads)
            torch.set_num_interop_threads(1)
            versions += (
                f", torch {torch.__version__} ({torch.get_num_threads()} threads)"
            )
        print(f"{versions}; numpy BLAS threads: {threads}")
        print(
            f"vocab {VOCAB}, context {CONTEXT}, batch {BATCH}, {HEADS} heads, "
            "float32, ",
            end="",
        )
        print(
            f"median of {args.steps} alternated steps after {args.warmup} warm-up "
            "steps\n"
        )

        rows = []
        configs = [tuple(int(v) for v in c.split("x")) for c in args.configs]
        for d_model, n_layers in configs:
            times = compare(
                d_model, n_layers, args.steps, args.warmup, with_torch, args.sdpa
            )
            rows.append((d_model, n_layers, times))
            for name, t in times.items():
                lo, med, hi = spread(t)
                print(
                    f"d_model {d_model:3d}, {n_layers} layers, {name:12s}: median ",
                    end="",
                )
                print(f"{1000 * med:7.1f} ms (p10-p90 {1000 * lo:.1f}-{1000 * hi:.1f})")

        tokens = BATCH * CONTEXT
        print(
            "\n| d_model, layers | scratchml ms (p10-p90) | PyTorch ms (p10-p90) ",
            end="",
        )
        print("| ratio numpy/PyTorch | scratchml tokens/s | PyTorch tokens/s |")
        print("|---|---|---|---|---|---|")
        for d_model, n_layers, times in rows:
            lo, med, hi = spread(times["scratchml"])
            cells = [
                f"{d_model}, {n_layers}",
                f"{1000 * med:.1f} ({1000 * lo:.1f}-{1000 * hi:.1f})",
            ]
            if "pytorch" in times:
                tlo, tmed, thi = spread(times["pytorch"])
                ratios = np.array(times["scratchml"]) / np.array(times["pytorch"])
                rlo, _, rhi = spread(list(ratios))
                cells += [
                    f"{1000 * tmed:.1f} ({1000 * tlo:.1f}-{1000 * thi:.1f})",
                    f"**{med / tmed:.2f}** (pairs p10-p90 {rlo:.2f}-{rhi:.2f})",
                    f"{tokens / med:,.0f}",
                    f"{tokens / tmed:,.0f}",
                ]
            else:
                cells += ["-", "-", f"{tokens / med:,.0f}", "-"]
            print("| " + " | ".join(cells) + " |")

        for d_model, n_layers, times in rows:
            if "pytorch-sdpa" in times:
                med = statistics.median(times["pytorch-sdpa"])
                ratio = statistics.median(times["scratchml"]) / med
                print(
                    f"PyTorch with fused attention, d_model {d_model}, {n_layers} "
                    "layers: ",
                    end="",
                )
                print(f"{1000 * med:.1f} ms, ratio numpy/that {ratio:.2f}")

        if args.profile_steps:
            profile(*CONFIGS[0], args.profile_steps)


if __name__ == "__main__":
    main()
