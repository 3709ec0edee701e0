"""The listings show the algorithm, not the package's defences (DESIGN.md, promise 9).

Measured by ``tools/listing_stats.py`` on every chapter, as the pages show the code
(snippets expanded, docstrings cut to their summary):

- argument checking is at most one statement in any function a page shows (three
  functions also check what they computed or read, named below), and at most 8 % of the
  code lines the book includes: a ratchet, down from 22.8 %; the goal is 5 %;
- no page needs a block importing helpers that its listings call but it does not show;
- no listing is wider than the text column (88) or longer than 60 lines, unless the page
  says why just above it (``<!-- long listing: ... -->``).
"""

from pathlib import Path

import pytest
from _helpers import load_module

ROOT = Path(__file__).resolve().parents[1]
stats = load_module("tools/listing_stats.py")
PAGES = stats.chapters()
LISTINGS = [x for p in PAGES for x in stats.page_listings(p)]


def where(x) -> str:
    return f"{x.page}:{x.line} ({x.title or 'untitled'})"


def test_the_measure_finds_the_listings():
    assert len(LISTINGS) > 60  # every chapter of Parts I-IV shows package code
    assert all(x.sections for x in LISTINGS)


# Checks of a value the function computed or read, after its one argument check.
SECOND_CHECKS = {
    "clip_grad_norm": "the norm of finite gradients can still overflow",
    "load_gpt2_model": "the stored tensors, once the config is read",
}


def test_check_lines_are_at_most_eight_percent_of_the_included_code():
    code, checks = stats.section_totals(LISTINGS)
    assert code > 1000
    assert checks / code <= stats.MAX_CHECK_SHARE, (
        f"{checks} of {code} included code lines ({checks / code:.1%}) check "
        "arguments: move checks into named checkers in scratchml/_checks.py"
    )


def test_no_function_on_a_page_checks_its_arguments_in_more_than_one_statement():
    over = [
        f"{where(x)}: {name}"
        for x in LISTINGS
        for name in x.over_checked
        if name not in SECOND_CHECKS
    ]
    assert not over, "more than one check statement in:\n" + "\n".join(over)


def test_no_page_imports_helpers_its_listings_need_but_it_does_not_show():
    boxes = [f"{p.relative_to(ROOT)}:{n}" for p in PAGES for n in stats.helper_boxes(p)]
    assert not boxes, "helper boxes at:\n" + "\n".join(boxes)


def test_listings_fit_the_text_column():
    wide = [f"{where(x)}: {x.width} columns" for x in LISTINGS if x.width > 88]
    assert not wide, "\n".join(wide)


def test_listings_are_at_most_sixty_lines_or_say_why():
    long = [
        f"{where(x)}: {x.length} lines"
        for x in LISTINGS
        if x.length > stats.MAX_LINES and not x.exempt
    ]
    assert not long, "split these into sections with prose between:\n" + "\n".join(long)


@pytest.mark.parametrize(
    ("code", "checks"),
    [
        ("def f(x):\n    x = check_x('f', x)\n    return x + 1\n", 1),
        ("def f(x):\n    if x < 0:\n        raise ValueError('no')\n    return x\n", 2),
        (
            "def f(x):\n    assert x\n    y = as_float_array('f', 'x', x)\n"
            "    return y\n",
            2,
        ),
        ("def f(x):\n    if x < 0:\n        x = -x\n    return x\n", 0),
        ('def f(x):\n    """Doc."""\n    # a comment\n    return x\n', 0),
    ],
)
def test_the_measure_counts_check_lines(code, checks):
    code_lines, check_lines, _ = stats.measure_code(code)
    assert check_lines == checks
    assert code_lines == len(code.strip().split("\n")) - ('"""' in code) - ("#" in code)


def test_the_measure_flags_two_check_statements_in_one_function():
    code = (
        "def f(a, b):\n    a = check_a('f', a)\n    b = check_b('f', b)\n    return a\n"
    )
    assert stats.measure_code(code)[2] == ["f"]
