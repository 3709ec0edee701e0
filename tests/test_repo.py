"""The repository keeps its own promises: two README commands, CI runs them, least privilege."""

import re
from pathlib import Path

import yaml
from _helpers import load_module

ROOT = Path(__file__).resolve().parents[1]


def test_readme_quick_start_is_the_two_make_targets():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"^\$ (\S.*?)\s*(?:#.*)?$", quick, flags=re.M)
    assert commands == ["make serve", "make test"]
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^serve:", makefile, flags=re.M) and re.search(
        r"^test:", makefile, re.M
    )
    assert "127.0.0.1:8000" in makefile


def test_ci_runs_the_readme_test_command():
    run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^make test$", run, flags=re.M)
    assert "SCRATCHML_REQUIRE_BROWSER=1" in run
    assert (
        "SCRATCHML_REQUIRE_PARITY=1" in run
    )  # the parity tests can never pass by skipping
    ci = yaml.safe_load(
        (ROOT / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8")
    )
    steps = ci["jobs"]["test"]["steps"]
    assert any("make test" in s.get("run", "") for s in steps)
    assert ci["jobs"]["test"]["strategy"]["matrix"]["python"] == [
        "3.11",
        "3.12",
        "3.13",
    ]


def test_workflows_grant_least_privilege():
    for path in (ROOT / ".github" / "workflows").glob("*.yml"):
        flow = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert flow["permissions"] == {"contents": "read"}, path.name
        for name, job in flow["jobs"].items():
            granted = job.get("permissions", {})
            writes = {k for k, v in granted.items() if v == "write"}
            assert writes <= {"pages", "id-token"}, (
                f"{path.name}:{name} writes {writes}"
            )
            if writes:
                assert name == "deploy", f"{path.name}: only the deploy job may write"


def test_snippet_settings_are_read_from_mkdocs_yml():
    """conftest.py expands snippets with mkdocs.yml's own settings, so the two cannot drift."""
    conftest = load_module("conftest.py")
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    snippets = next(
        e["pymdownx.snippets"]
        for e in config["markdown_extensions"]
        if isinstance(e, dict) and "pymdownx.snippets" in e
    )
    assert snippets["check_paths"] is True and snippets["dedent_subsections"] is True
    processor = conftest.snippet_processor()
    assert processor.check_paths is True and processor.dedent_subsections is True


def test_a_misspelled_snippet_section_is_an_error():
    import pytest

    conftest = load_module("conftest.py")

    with pytest.raises(Exception, match="nonexistent"):
        conftest.expand_snippets('--8<-- "scratchml/neuron.py:nonexistent"')
