"""Check one page of the book the way ``make test`` would, in under a minute when warm.

    make check-page PAGE=docs/part1/neuron.md       # tools/check_page.py PAGE
    make update-outputs PAGE=docs/part1/neuron.md   # tools/check_page.py --update PAGE

The check runs these steps and reports each with its time (1-3 at once, then 4 and 5
together, so that both cores work):

1. the page's blocks (``pytest docs/...md``) with 1 BLAS thread, and with 2 threads on
   OpenBLAS's Sandybridge kernel (the two settings of tests/test_copy_paste.py);
2. the rules: the guard, style and anatomy tests for the page, the API reference and
   bad-input coverage of every public name, the listing limits, the exercise checkers,
   the unit tests of every module the page includes (``tests/test_x.py`` for
   ``scratchml/x.py``), ruff over the package and the tests;
3. a strict build of the site into ``.cache/check-site`` (reused while nothing under
   ``docs/``, ``scratchml/``, ``hooks/``, ``overrides/`` or mkdocs.yml changed; labs
   are not re-run: ``SCRATCHML_LABS=stale``);
4. copy, paste, run from that build, for this page, in both settings;
5. the browser check (Chromium and axe-core) of this page alone.

``--update`` runs the page's blocks in both settings, and if every block prints the same
in both, writes what they print into the page's expected outputs (adding one under a
block that prints but shows nothing, removing one under a block that prints nothing) and
shows the diff. When the settings disagree it writes nothing and shows where they
differ: print a value that does not depend on the BLAS.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import difflib
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from _copy_paste import BLAS_CONFIGS  # noqa: E402

PYTHON = sys.executable
SITE = ROOT / ".cache" / "check-site"
SITE_KEY = ROOT / ".cache" / "check-site.key"
BUILD_INPUTS = [
    "docs",
    "scratchml",
    "hooks",
    "overrides",
    "mkdocs.yml",
    "pyproject.toml",
]
AXE = ROOT / ".venv" / "node" / "node_modules" / "axe-core" / "axe.min.js"
MARK = "<!--pytest-codeblocks:expected-output-->"


def env_for(config: str | None = None, **extra: str) -> dict:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("SCRATCHML_FRESH_LABS", None)
    env.update(BLAS_CONFIGS[config or "1-thread"])
    env.update(extra)
    return env


def run(args: list[str], env: dict) -> tuple[int, str, float]:
    start = time.monotonic()
    proc = subprocess.run(
        args, cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    return proc.returncode, proc.stdout + proc.stderr, time.monotonic() - start


def pytest(*args: str) -> list[str]:
    return [PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args]


# --- the build, cached ----------------------------------------------------------------


def build_key() -> str:
    h = hashlib.sha256()
    for name in BUILD_INPUTS:
        path = ROOT / name
        files = [path] if path.is_file() else sorted(path.rglob("*"))
        for f in files:
            if f.is_file() and "__pycache__" not in f.parts:
                h.update(f.relative_to(ROOT).as_posix().encode())
                h.update(f.read_bytes())
    return h.hexdigest()


def build() -> tuple[int, str, float]:
    key = build_key()
    if SITE.is_dir() and SITE_KEY.exists() and SITE_KEY.read_text() == key:
        return (
            0,
            f"reused {SITE.relative_to(ROOT)} (nothing it is built from changed)",
            0,
        )
    SITE_KEY.unlink(missing_ok=True)
    env = env_for(SCRATCHML_LABS="stale", SCRATCHML_PDF="0")  # no PDF: one page here
    env.pop("MPLBACKEND", None)
    code, out, seconds = run(
        [PYTHON, "-m", "mkdocs", "build", "--strict", "--site-dir", str(SITE)], env
    )
    if code == 0:
        SITE_KEY.write_text(key)
    return code, out, seconds


# --- the check ------------------------------------------------------------------------


def steps(page: Path) -> list[tuple[str, object]]:
    rel = page.relative_to(ROOT / "docs").as_posix()
    md = page.relative_to(ROOT).as_posix()
    rules = pytest(
        f"tests/test_docs_guard.py::test_no_python_fence_is_silently_skipped[{rel}]",
        f"tests/test_docs_style.py::test_page_blocks_pass_ruff[{rel}]",
        "tests/test_anatomy.py",
        "tests/test_api_reference.py",
        "tests/test_bad_input.py",  # every probe, yours included (3 s)
        "tests/test_listings.py",
        "tests/test_exercises.py",
        "-m",
        "not slow",
    )
    lint = [str(Path(PYTHON).parent / "ruff"), "check", "scratchml", "tests", "tools"]
    fmt = [*lint[:1], "format", "--check", "scratchml", "tests", "tools"]
    one = {"SCRATCHML_SITE": str(SITE), "SCRATCHML_PAGES": rel}
    units = module_tests(page)  # tests/test_x.py of the modules the page shows
    return [
        ("page blocks, 1 BLAS thread", lambda: run(pytest(md), env_for("1-thread"))),
        (
            "page blocks, 2 threads, Sandybridge kernel",
            lambda: run(pytest(md), env_for("2-threads-sandybridge")),
        ),
        ("guard, style, anatomy, API reference, probes", lambda: run(rules, env_for())),
        (
            "unit tests of the modules the page shows",
            lambda: (
                run(pytest(*units, "-m", "not slow"), env_for())
                if units
                else (0, "the page shows no module", 0.0)
            ),
        ),
        (
            "ruff check and format",
            lambda: _both(run(lint, env_for()), run(fmt, env_for())),
        ),
        ("strict build (reused when nothing changed)", build),
        (
            "copy, paste, run from the build (both settings)",
            lambda: run(
                pytest("tests/test_copy_paste.py", "-k", "pasting_every_block_prints"),
                env_for(**one),
            ),
        ),
        (
            "browser and axe-core, this page",
            lambda: run(
                pytest("tests/test_browser.py::test_every_page_renders_cleanly", "-rs"),
                env_for(**one),
            ),
        ),
    ]


def module_tests(page: Path) -> list[str]:
    """tests/test_x.py for every scratchml/x.py the page includes (if it exists)."""
    shown = re.findall(r'--8<-- "scratchml/(\w+)\.py', page.read_text(encoding="utf-8"))
    found = (f"tests/test_{name}.py" for name in dict.fromkeys(shown))
    return [t for t in found if (ROOT / t).exists()]


def _both(a, b):
    return max(a[0], b[0]), a[1] + b[1], a[2] + b[2]


# Steps that need nothing from each other run at once (the machine's cores share them):
# the page runs, the rules and ruff while the site builds; then, from the build, the
# copy-paste and browser checks together.
STAGES = (6, 2)


def check(page: Path) -> int:
    if not AXE.exists() and shutil.which("npm"):
        subprocess.run(["make", "-s", "axe"], cwd=ROOT, check=False)
    failed, skipped, total = [], [], time.monotonic()
    todo = steps(page)
    for size in STAGES:
        stage, todo = todo[:size], todo[size:]
        with concurrent.futures.ThreadPoolExecutor(len(stage)) as pool:
            results = list(pool.map(lambda step: step[1](), stage))
        for (name, _), (code, out, seconds) in zip(stage, results, strict=True):
            skip = code == 0 and "SKIPPED" in out and "browser" in name
            status = "SKIPPED" if skip else "ok" if code == 0 else "FAILED"
            print(f"{status:>7}  {seconds:5.1f} s  {name}", flush=True)
            if code != 0:
                failed.append((name, out))
            elif skip:
                skipped.append((name, out))
        if any(name.startswith("strict build") for name, _ in failed):
            break  # nothing to paste or open
    print(f"         {time.monotonic() - total:5.1f} s  in all")
    for name, out in failed + skipped:
        print(f"\n===== {name} =====\n{_trim(out)}")
    rel = page.relative_to(ROOT)
    if failed:
        print(f"\n{rel}: {len(failed)} step(s) failed (above).")
        return 1
    note = " (the browser check was skipped, as make test would)" if skipped else ""
    print(f"\n{rel}: passes everything make test checks on this page{note}.")
    return 0


def _trim(out: str, keep: int = 12000) -> str:
    return out if len(out) <= keep else "...\n" + out[-keep:]


# --- updating the expected outputs ----------------------------------------------------


def record(page: Path, config: str) -> list[dict]:
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "outputs.json"
        run(pytest(str(page), "--record-outputs", str(target)), env_for(config))
        return json.loads(target.read_text(encoding="utf-8")) if target.exists() else []


def fences(lines: list[str]) -> list[tuple[int, int, str, str]]:
    """(start, end, indent, info) of each fence, 0-based lines, end the closing line."""
    found, i = [], 0
    while i < len(lines):
        stripped = lines[i].lstrip()
        if stripped.startswith(("```", "~~~")):
            mark = stripped[: len(stripped) - len(stripped.lstrip(stripped[0]))]
            indent = lines[i][: len(lines[i]) - len(stripped)]
            j = i + 1
            while j < len(lines) and not lines[j].strip().startswith(mark):
                j += 1
            found.append((i, j, indent, stripped[len(mark) :].strip()))
            i = j
        i += 1
    return found


def rewrite(text: str, outputs: dict[int, str]) -> str:
    """``text`` with the output under each python block (by fence line) replaced."""
    lines = text.split("\n")
    all_fences = fences(lines)
    for k in sorted(range(len(all_fences)), reverse=True):  # bottom up: lines stay put
        start, end, indent, info = all_fences[k]
        if info != "python" or start + 1 not in outputs:
            continue
        new = outputs[start + 1]
        body = [indent + line if line else "" for line in new.rstrip("\n").split("\n")]
        after = all_fences[k + 1] if k + 1 < len(all_fences) else None
        marked = after is not None and any(
            lines[n].strip() == MARK for n in range(end + 1, after[0])
        )
        marked = marked and all(
            not lines[n].strip() or lines[n].strip() == MARK
            for n in range(end + 1, after[0])
        )
        if marked:
            if new:
                lines[after[0] + 1 : after[1]] = body
            else:  # prints nothing now: drop the marker and the output block
                del lines[end + 1 : after[1] + 1]
        elif new:
            lines[end + 1 : end + 1] = [
                "",
                indent + MARK,
                indent + "```text",
                *body,
                indent + "```",
            ]
    return "\n".join(lines)


def update(page: Path) -> int:
    configs = list(BLAS_CONFIGS)
    with concurrent.futures.ThreadPoolExecutor(len(configs)) as pool:
        runs = dict(
            zip(configs, pool.map(lambda c: record(page, c), configs), strict=True)
        )
    first, second = (runs[c] for c in configs)
    if not first or len(first) != len(second):
        print(f"{page}: the page's blocks could not be run (try make check-page)")
        return 1
    errors = [r for r in first if r["error"]]
    if errors:
        for r in errors[:1]:
            print(f"{r['page']}, block at line {r['lineno']} raised: {r['error']}")
        print("Nothing written: fix the block first.")
        return 1
    disagree = [
        (a, b) for a, b in zip(first, second, strict=True) if a["output"] != b["output"]
    ]
    if disagree:
        for a, b in disagree:
            print(
                f"{a['page']}, block at line {a['lineno']}: prints differently under "
                f"{configs[0]} and {configs[1]}:"
            )
            diff = difflib.unified_diff(
                a["output"].splitlines(),
                b["output"].splitlines(),
                configs[0],
                configs[1],
                lineterm="",
            )
            print("\n".join(diff))
        print(
            "\nNothing written: print a value that does not depend on the BLAS (round "
            "it, or print a robust summary of a chaotic run)."
        )
        return 1
    bad_end = [r for r in first if r["output"] and not r["output"].endswith("\n")]
    if bad_end:
        r = bad_end[0]
        print(
            f"{r['page']}, block at line {r['lineno']}: its output does not end with a "
            "newline (print(..., end='')?); nothing written"
        )
        return 1
    changed = {
        r["lineno"]: r["output"] for r in first if r["output"] != (r["expected"] or "")
    }
    text = page.read_text(encoding="utf-8")
    new = rewrite(text, changed)
    if new == text:
        print(f"{page.relative_to(ROOT)}: every expected output is already what prints")
        return 0
    page.write_text(new, encoding="utf-8")
    name = page.relative_to(ROOT).as_posix()
    print(
        "\n".join(
            difflib.unified_diff(
                text.split("\n"), new.split("\n"), f"a/{name}", f"b/{name}", lineterm=""
            )
        )
    )
    print(
        f"\n{name}: {len(changed)} expected output(s) written (same in both settings)"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("page", type=Path, help="docs/partN/<name>.md")
    parser.add_argument(
        "--update", action="store_true", help="rewrite expected outputs"
    )
    args = parser.parse_args(argv)
    page = (Path.cwd() / args.page).resolve()
    docs = ROOT / "docs"
    if page.suffix != ".md" or docs not in page.parents or not page.exists():
        parser.error(f"PAGE must be an existing docs/.../<name>.md, got {args.page}")
    return update(page) if args.update else check(page)


if __name__ == "__main__":
    sys.exit(main())
