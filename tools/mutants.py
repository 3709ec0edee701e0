"""Mutation check: apply plausible one-line bugs to the package, one at a time, and
report which test catches each.

Run by hand (not part of ``make test``), from the repository root::

    python tools/mutants.py --list               # the mutants, where they live, tests
    python tools/mutants.py                      # run every mutant
    python tools/mutants.py bpe-encode-max-rank adam-step-count   # run some
    python tools/mutants.py bpe-encode-max-rank --tests tests/test_bpe.py  # these tests

Each mutant is ``(name, file, where, old, new, tests)``: ``where`` is the dotted name
of the function, method (``Class.method``), class or module-level assignment that
holds ``old`` (found with ``ast``, so the entry keeps working when code moves within
its file); ``old`` must occur exactly once in it and is replaced by ``new``. A mutant
whose ``where`` is not found, or whose ``old`` is not found exactly once there, is
reported as ERROR (a stale entry to update), never skipped.

The repository is copied once into a temporary folder (without ``.git``, ``.venv``
and build output); each mutant is written into that copy only, the fast tests run
there, and the file is restored before the next mutant. The real tree is never
written to, and the copy is removed at the end, also on Ctrl-C. The tests are
``pytest -x -q -m "not slow" -p no:cacheprovider`` on the mutant's own test files and
then ``tests/test_known_answers.py``, with ``OPENBLAS_NUM_THREADS=1``, using the
Python that runs this script; the parity extra is not needed. The same tests first
run on the unmutated copy: if they fail there, nothing is reported.

A mutant is KILLED (with the first failing test), SURVIVED (every test passed), or
ERROR (stale entry, a mutant that does not parse, or pytest stopping for another
reason). The exit status is 0 only if every mutant run was killed.
"""

import argparse
import ast
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ALWAYS = ("tests/test_known_answers.py",)
IGNORE = shutil.ignore_patterns(
    ".git", ".venv", "site", ".cache", "__pycache__", "*.pyc", "node_modules", ".ruff*"
)
TIMEOUT = 900  # seconds per pytest run


@dataclass(frozen=True)
class Mutant:
    name: str
    file: str  # relative to the repository root
    where: str  # dotted name: "func", "Class.method", "Class" or "CONSTANT"
    old: str
    new: str
    tests: tuple[str, ...]  # test files expected to kill it


MUTANTS = [
    # --- attention and the KV cache
    Mutant(
        "causal-mask-off-by-one",
        "scratchml/attention.py",
        "causal_mask",
        "np.tril(np.ones((n, n), dtype=bool))",
        "np.tril(np.ones((n, n), dtype=bool), k=1)",  # sees one future token
        ("tests/test_attention.py",),
    ),
    Mutant(
        "cached-mask-off-by-one",
        "scratchml/attention.py",
        "cached_causal_mask",
        "queries = np.arange(start, start + n)",
        "queries = np.arange(start + 1, start + n + 1)",
        ("tests/test_attention.py", "tests/test_kv_cache.py"),
    ),
    Mutant(
        "generate-cache-forgets-window-offset",
        "scratchml/generate.py",
        "_generate_cached",
        "offset + cache[0].length :",
        "cache[0].length :",
        ("tests/test_generate.py", "tests/test_kv_cache.py"),
    ),
    # --- sampling
    Mutant(
        "top-p-one-token-too-few",
        "scratchml/generate.py",
        "top_p_filter",
        ") + 1",
        ")",
        ("tests/test_top_p.py", "tests/test_generate.py"),
    ),
    # --- BPE
    Mutant(
        "bpe-encode-max-rank",  # the "reversed merge ranks" (min -> max)
        "scratchml/bpe.py",
        "BPETokenizer._encode_word",
        "min(found)",
        "max(found)",
        ("tests/test_bpe.py",),
    ),
    Mutant(
        "bpe-train-reversed-ranks",  # the merges learned, stored latest first
        "scratchml/bpe.py",
        "BPETokenizer.train",
        "check_merges_found(merges, vocab_size)",
        "check_merges_found(merges[::-1], vocab_size)",
        ("tests/test_bpe.py",),
    ),
    Mutant(
        "gpt2-pattern-no-lookahead",
        "scratchml/bpe.py",
        "GPT2_PATTERN",
        r"|\s+(?!\S)|",
        "|",
        ("tests/test_bpe.py",),
    ),
    # --- GPT-2
    Mutant(
        "c-attn-split-q-k-swapped",
        "scratchml/gpt2.py",
        "load_gpt2_model",
        "parts = np.split(stored[hf_name], 3, axis=-1)",
        "parts = [np.split(stored[hf_name], 3, axis=-1)[i] for i in (1, 0, 2)]",
        ("tests/test_gpt2.py",),
    ),
    Mutant(
        "gpt2-residual-scale-L",
        "scratchml/gpt2.py",
        "GPT2._init_weights",
        "math.sqrt(2 * len(self.blocks))",
        "math.sqrt(len(self.blocks))",
        ("tests/test_gpt2.py",),
    ),
    Mutant(
        "gpt2-config-ignores-epsilon",
        "scratchml/gpt2.py",
        "gpt2_config",
        'eps=float(config.get("layer_norm_epsilon", 1e-5))',
        "eps=1e-5",
        ("tests/test_gpt2.py",),
    ),
    Mutant(
        "dropout-no-rescale",
        "scratchml/dropout.py",
        "Dropout._draw_mask",
        "keep.astype(dtype) / (1.0 - self.p)",
        "keep.astype(dtype)",
        ("tests/test_gpt2.py",),
    ),
    Mutant(
        "layernorm-eps-outside-sqrt",
        "scratchml/normalization.py",
        "LayerNorm.forward",
        "np.sqrt(var + self.eps)",
        "(np.sqrt(var) + self.eps)",
        ("tests/test_normalization.py",),
    ),
    # --- optimization
    Mutant(
        "adam-step-count",  # the bias correction always uses t = 1
        "scratchml/optim.py",
        "Adam.step",
        "self.t += 1",
        "self.t = 1",
        ("tests/test_optim.py",),
    ),
    Mutant(
        "clip-per-tensor",
        "scratchml/optim.py",
        "clip_grad_norm",
        "g *= scale",
        "g *= min(1.0, max_norm / (math.sqrt(float(np.vdot(g, g))) + 1e-6))",
        ("tests/test_optim.py",),
    ),
    Mutant(
        "cross-entropy-grad-divisor",  # divides by the batch axis, not every row
        "scratchml/losses.py",
        "cross_entropy_grad",
        "/ labels.size)",
        "/ logits.shape[0])",
        ("tests/test_losses.py",),
    ),
    Mutant(
        "cross-entropy-with-grad-divisor",
        "scratchml/losses.py",
        "cross_entropy_with_grad",
        "(p / labels.size)",
        "(p / logits.shape[0])",
        ("tests/test_losses.py", "tests/test_lm_training.py"),
    ),
    # --- data and training
    Mutant(
        "partial-batch-dropped",
        "scratchml/supervised.py",
        "iterate_minibatches",
        "range(0, len(X), batch_size)",
        "range(0, len(X) - batch_size + 1, batch_size)",
        ("tests/test_supervised.py",),
    ),
    Mutant(
        "cosine-schedule-full-period",
        "scratchml/lm_training.py",
        "scheduled_lr",
        "math.cos(math.pi * progress)",
        "math.cos(2 * math.pi * progress)",
        ("tests/test_lm_training.py",),
    ),
    # --- files
    Mutant(
        "checkpoint-shape-check-skipped",
        "scratchml/checkpoint.py",
        "load_checkpoint",
        "if a.shape != expected[name].shape:",
        "if False:",
        ("tests/test_checkpoint.py",),
    ),
    Mutant(
        "safetensors-big-endian-header",
        "scratchml/safetensors.py",
        "save_safetensors",
        'len(raw).to_bytes(8, "little")',
        'len(raw).to_bytes(8, "big")',
        ("tests/test_gpt2.py",),
    ),
]


class StaleMutantError(Exception):
    """The mutant's place or text is not where its entry says."""


def _find(tree: ast.Module, where: str) -> ast.AST:
    """The node named by the dotted ``where``: defs and classes, or an assignment."""
    body, node = tree.body, None
    for part in where.split("."):
        for child in body:
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names = [child.name]
            elif isinstance(child, ast.Assign):
                names = [t.id for t in child.targets if isinstance(t, ast.Name)]
            elif isinstance(child, ast.AnnAssign) and isinstance(
                child.target, ast.Name
            ):
                names = [child.target.id]
            else:
                continue
            if part in names:
                node = child
                break
        else:
            raise StaleMutantError(f"no {where!r}: {part!r} not found")
        body = getattr(node, "body", [])
    return node


def mutate(source: str, mutant: Mutant) -> str:
    """``source`` with ``mutant.old`` replaced, once, inside ``mutant.where``."""
    node = _find(ast.parse(source), mutant.where)
    first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
    lines = source.splitlines(keepends=True)
    before = "".join(lines[: first - 1])
    segment = "".join(lines[first - 1 : node.end_lineno])
    after = "".join(lines[node.end_lineno :])
    count = segment.count(mutant.old)
    if count != 1:
        raise StaleMutantError(
            f"{mutant.old!r} occurs {count} times in {mutant.where} of {mutant.file}, "
            "not once"
        )
    mutated = before + segment.replace(mutant.old, mutant.new) + after
    try:
        ast.parse(mutated)
    except SyntaxError as err:
        raise StaleMutantError(
            f"the mutated {mutant.file} does not parse: {err}"
        ) from None
    return mutated


def run_tests(copy: Path, tests: tuple[str, ...]) -> tuple[str, str]:
    """Run pytest in ``copy``; return ``(status, detail)``."""
    env = {**os.environ, "PYTHONPATH": str(copy), "OPENBLAS_NUM_THREADS": "1"}
    env.pop("PYTEST_ADDOPTS", None)
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-m", "not slow"]
    command += ["-p", "no:cacheprovider", *tests]
    try:
        done = subprocess.run(
            command,
            cwd=copy,
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        return "KILLED", f"timeout after {TIMEOUT} s"
    out = done.stdout + done.stderr
    if done.returncode == 0:
        return "SURVIVED", ""
    failed = re.findall(r"^FAILED (.+?)(?: - .*)?$", out, flags=re.M)
    if done.returncode == 1 and failed:
        return "KILLED", failed[0]
    tail = " | ".join(out.strip().splitlines()[-3:])
    return "ERROR", f"pytest exit {done.returncode}: {tail[:300]}"


def make_copy(tmp: Path) -> Path:
    copy = tmp / "repo"
    shutil.copytree(ROOT, copy, ignore=IGNORE)
    env = {**os.environ, "PYTHONPATH": str(copy)}
    probe = "import scratchml; print(scratchml.__file__)"
    found = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not Path(found).resolve().is_relative_to(copy.resolve()):
        sys.exit(f"mutants: the copy imports scratchml from {found}, not from {copy}")
    return copy


def test_files(mutant: Mutant, override=None) -> tuple[str, ...]:
    """The mutant's own test files, then ``ALWAYS`` (or ``override`` if given)."""
    return tuple(override) if override else tuple(dict.fromkeys(mutant.tests + ALWAYS))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="mutants to run (default: all)")
    parser.add_argument("--list", action="store_true", help="list the mutants")
    parser.add_argument(
        "--tests",
        nargs="+",
        metavar="FILE",
        help="run only these test files for every mutant (instead of each mutant's own"
        " files and tests/test_known_answers.py)",
    )
    args = parser.parse_args(argv)
    by_name = {m.name: m for m in MUTANTS}
    unknown = [n for n in args.names if n not in by_name]
    if unknown:
        parser.error(f"unknown mutants {unknown}; --list shows them")
    chosen = [by_name[n] for n in args.names] if args.names else MUTANTS
    if args.list:
        for m in chosen:
            print(f"{m.name:38} {m.file}:{m.where}")
            print(f"{'':38} {m.old!r} -> {m.new!r}")
            print(f"{'':38} tests: {', '.join(test_files(m, args.tests))}")
        return 0
    start = time.perf_counter()
    results = []
    with tempfile.TemporaryDirectory(prefix="scratchml-mutants-") as tmp:
        copy = make_copy(Path(tmp))
        baseline = tuple(
            dict.fromkeys(t for m in chosen for t in test_files(m, args.tests))
        )
        t0 = time.perf_counter()
        status, detail = run_tests(copy, baseline)
        if status != "SURVIVED":
            print(f"the unmutated copy fails its tests: {detail}")
            return 2
        seconds = time.perf_counter() - t0
        print(f"baseline: {len(baseline)} test files pass ({seconds:.0f} s)")
        for m in chosen:
            t0 = time.perf_counter()
            path = copy / m.file
            original = path.read_text("utf-8")
            try:
                mutated = mutate(original, m)
            except StaleMutantError as err:
                status, detail = "ERROR", f"stale mutant: {err}"
            else:
                path.write_text(mutated, "utf-8")
                try:
                    status, detail = run_tests(copy, test_files(m, args.tests))
                finally:
                    path.write_text(original, "utf-8")
            seconds = time.perf_counter() - t0
            results.append((m.name, status, detail, seconds))
            print(f"{m.name:38} {status:8} {seconds:5.0f} s  {detail}", flush=True)
    total = time.perf_counter() - start
    counts = {
        s: sum(r[1] == s for r in results) for s in ("KILLED", "SURVIVED", "ERROR")
    }
    summary = ", ".join(f"{n} {s.lower()}" for s, n in counts.items())
    print(f"{len(results)} mutants: {summary}; total {total:.0f} s")
    return 0 if counts["KILLED"] == len(results) else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # the temporary copy is already removed
        sys.exit("mutants: interrupted; the repository was not modified")
