"""Copy, paste, run, from the built site (promise 2 of the book).

For every page of the strict build (the one ``built_site`` fixture, shared with
tests/test_site.py), the Python blocks are read as Material's copy button copies them,
listings included and excerpts left out (see tests/_copy_paste.py), and pasted in order
into one fresh interpreter whose working folder is empty. Each block must print exactly
the output block shown under it (nothing, where none is shown), and must not end in a
bare expression that a console would echo.

Each page runs in two configurations, each in its own subprocess environment (the test
process's own environment is left alone): one BLAS thread with the machine's own
OpenBLAS kernel, and two BLAS threads with OpenBLAS forced to its Sandybridge kernel.
Both change the last bits of float products; a page passes only if its printed numbers
do not depend on them.

The labs are pasted the same way, cell by cell from their built pages (their copy
buttons copy each cell's text), and each cell's plain-text outputs are compared.

One page alone: ``SCRATCHML_PAGES=part1/neuron.md`` limits the pages (and labs, named
``labs/<name>.ipynb``) to those listed, and ``SCRATCHML_SITE`` (tests/conftest.py)
reuses a site already built; ``make check-page`` sets both. ``make test`` sets neither.
"""

import os
from pathlib import Path

import pytest
from _copy_paste import (
    BLAS_CONFIGS,
    lab_blocks,
    page_blocks,
    paste_into_fresh_python,
    pasted,
    problems,
    selected_pages,
    source_lines,
)

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
ALL_PAGES = sorted(
    p.relative_to(DOCS) for p in DOCS.rglob("*.md") if "vendor" not in p.parts
)
ONLY = selected_pages()  # None: every page and lab
PAGES = [p for p in ALL_PAGES if ONLY is None or str(p) in ONLY]
LABS = sorted(
    p.stem
    for p in (DOCS / "labs").glob("*.py")
    if ONLY is None or f"labs/{p.stem}.ipynb" in ONLY
)
CONFIGS = BLAS_CONFIGS


def built_page(site: Path, page: Path) -> Path:
    """Where mkdocs writes ``docs/<page>``: ``a/b.md`` -> ``a/b/index.html``."""
    if page.name == "index.md":
        return site / page.parent / "index.html"
    return site / page.with_suffix("") / "index.html"


def config_env(name: str) -> dict:
    env = {**os.environ, **CONFIGS[name], "MPLBACKEND": "Agg"}
    # the reader's interpreter sees the installed package only
    env.pop("PYTHONPATH", None)
    return env


@pytest.mark.parametrize("config", CONFIGS)
@pytest.mark.parametrize("page", PAGES, ids=str)
def test_pasting_every_block_prints_what_the_page_shows(built_site, page, config):
    blocks = pasted(
        page_blocks(built_page(built_site, page).read_text(encoding="utf-8"))
    )
    if not blocks:
        return  # a page without Python (the home page, a part's index)
    results = paste_into_fresh_python(blocks, config_env(config))
    lines = source_lines((DOCS / page).read_text(encoding="utf-8"))
    found = problems(f"docs/{page}", blocks, results, lines)
    assert not found, "\n\n".join(found)
    assert len(results) == len(blocks)


@pytest.mark.parametrize("config", CONFIGS)
@pytest.mark.parametrize("lab", LABS)
def test_pasting_every_lab_cell_prints_what_the_lab_shows(built_site, lab, config):
    """The labs keep the same promise: their cells, copied from the built page and
    pasted in order, print the outputs the page shows, in both configurations."""
    html = (built_site / "labs" / lab / "index.html").read_text(encoding="utf-8")
    cells = lab_blocks(html)
    assert len(cells) >= 5 and sum(c.expected is not None for c in cells) >= 3, len(
        cells
    )
    results = paste_into_fresh_python(cells, config_env(config))
    found = problems(f"labs/{lab}", cells, results)
    assert not found, "\n\n".join(found)
    assert len(results) == len(cells)


def test_pages_with_code_are_read(built_site):
    """The reader finds every page's blocks: finding none would pass vacuously."""
    total = shown = listings = excerpts = 0
    for page in ALL_PAGES:
        blocks = page_blocks(built_page(built_site, page).read_text(encoding="utf-8"))
        python = [b for b in blocks if b.lang == "python"]
        total += len(pasted(blocks))
        shown += sum(b.expected is not None for b in python)
        listings += sum(b.title.startswith("scratchml/") for b in python)
        excerpts += sum(b.excerpt for b in python)
    assert total > 200 and shown > 200 and listings > 40 and excerpts > 10, (
        total,
        shown,
        listings,
        excerpts,
    )


def test_each_pasted_block_is_found_on_its_page(built_site):
    """A failure names the block's line on the page: ``source_lines`` finds every pasted
    block, in order, and a block that is not a listing starts as its fence does."""
    for page in ALL_PAGES:
        markdown = (DOCS / page).read_text(encoding="utf-8")
        blocks = pasted(
            page_blocks(built_page(built_site, page).read_text(encoding="utf-8"))
        )
        lines = source_lines(markdown)
        assert len(lines) == len(blocks), (page, len(lines), len(blocks))
        source = markdown.split("\n")
        for block, line in zip(blocks, lines, strict=True):
            if not block.title.startswith("scratchml/"):
                first = block.code.strip().split("\n")[0].strip()
                assert source[line].strip() == first, (page, line, first)


def test_a_listing_missing_an_import_fails(built_site):
    """Mutation: drop one import line from a listing of a built page; pasting fails.

    The clean page passes (the parametrized test above); the mutant, identical but for
    one removed line of the copied text, must fail and name the missing name.
    """
    html = built_page(built_site, Path("part1/activations.md")).read_text(
        encoding="utf-8"
    )
    blocks = pasted(page_blocks(html))
    line = "from scratchml._checks import as_float_array, check_activation_input"
    listing = next(b for b in blocks if b.title == "scratchml/activations.py")
    assert line in listing.code.split("\n")
    listing.code = "\n".join(x for x in listing.code.split("\n") if x != line)
    results = paste_into_fresh_python(blocks, config_env("1-thread"))
    found = problems("part1/activations.md", blocks, results)
    assert found and "as_float_array" in found[0] and "NameError" in found[0], found
