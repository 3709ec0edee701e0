"""The repository keeps its own promises: two README commands, CI runs them (here and
on GitHub, with the same checks), least privilege."""

import copy
import re
import shlex
import tomllib
from pathlib import Path

import pytest
import yaml
from _helpers import load_module

ROOT = Path(__file__).resolve().parents[1]


def test_readme_quick_start_is_the_two_make_targets():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```\w*\n(.*?)```", quick, flags=re.S).group(1)
    # the commands, without a "$ " prompt (so that they paste) and without comments
    commands = [re.sub(r"\s*#.*$", "", line) for line in block.strip().splitlines()]
    assert not any(line.startswith("$") for line in block.splitlines())
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


CI_WORKFLOW = ROOT / ".github" / "workflows" / "ci.yml"
VENV_PYTHON = ".venv/bin/python"  # the interpreter of the venv that make test uses


def shell_commands(script: str) -> list[list[str]]:
    """The simple commands of a ``run`` script, split into words as the shell does."""
    joined = script.replace("\\\n", " ")  # line continuations
    commands = []
    for line in joined.splitlines():
        words = shlex.split(line, comments=True)
        command = []
        for word in [*words, "&&"]:
            if word in {"&&", "||", ";"}:
                if command:
                    commands.append(command)
                command = []
            else:
                command.append(word)
    return commands


def pip_installs(command: list[str]) -> dict | None:
    """Interpreter, index and requirements of a ``python -m pip install``, or None."""
    if command[1:4] != ["-m", "pip", "install"]:
        return None
    found = {"python": command[0], "index": None, "requirements": []}
    args = iter(command[4:])
    for arg in args:
        if arg in {"--index-url", "-i"}:
            found["index"] = next(args)
        elif arg.startswith("--index-url="):
            found["index"] = arg.split("=", 1)[1]
        elif arg in {"-e", "--editable"}:
            found["requirements"].append(next(args))
        elif not arg.startswith("-"):
            found["requirements"].append(arg)
    return found


def parity_torch_pin() -> str:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    extra = project["project"]["optional-dependencies"]["parity"]
    return next(r for r in extra if re.match(r"torch\b", r))


def ci_workflow_problems(flow: dict) -> list[str]:
    """What the tests workflow lacks of the checks ``.ci/run`` gives (empty: nothing).

    On every Python of the matrix, before ``make test`` and into the venv it uses:
    Playwright's own Chromium (Ubuntu 24.04's apt packages are snap stubs), axe-core,
    torch from PyTorch's CPU-only wheel index at the parity extra's pin, the parity
    extra; then ``make test`` with both REQUIRE flags, so nothing passes by skipping.
    """
    problems = []
    job = flow["jobs"]["test"]
    python = job.get("strategy", {}).get("matrix", {}).get("python")
    if python != ["3.11", "3.12", "3.13"]:
        problems.append(f"matrix python is {python}, expected 3.11, 3.12 and 3.13")
    steps = job["steps"]
    setup = [s for s in steps if str(s.get("uses", "")).startswith("actions/setup-")]
    with_ = setup[0].get("with", {}) if setup else {}
    if with_.get("cache") != "pip" or with_.get("cache-dependency-path") != (
        "pyproject.toml"
    ):
        problems.append("setup-python does not cache pip keyed on pyproject.toml")
    make_test = ["make", "test", "PYTHON=python"]
    runs = [shell_commands(s.get("run", "")) for s in steps]
    tests = [i for i, commands in enumerate(runs) if make_test in commands]
    if not tests:
        return [*problems, "no step runs make test PYTHON=python"]
    env = {
        **flow.get("env", {}),
        **job.get("env", {}),
        **steps[tests[0]].get("env", {}),
    }
    for flag in ["SCRATCHML_REQUIRE_BROWSER", "SCRATCHML_REQUIRE_PARITY"]:
        if str(env.get(flag)) != "1":
            problems.append(f"make test runs without {flag}=1 (got {env.get(flag)})")
    if env.get("SCRATCHML_CHROMIUM", "playwright") != "playwright":
        chosen = env["SCRATCHML_CHROMIUM"]
        problems.append(f"SCRATCHML_CHROMIUM={chosen}, not Playwright's Chromium")
    before = [c for commands in runs[: tests[0]] for c in commands]
    venv = ["make", ".venv/.installed-stamp", "PYTHON=python"]
    uses_venv = [i for i, c in enumerate(before) if c[0] == VENV_PYTHON]
    if uses_venv and (venv not in before or before.index(venv) > uses_venv[0]):
        problems.append("the venv is not made (make .venv/...) before it is used")
    if [VENV_PYTHON, "-m", "playwright", "install", "--with-deps", "chromium"] not in (
        before
    ):
        problems.append("Playwright's Chromium is not installed (with its deps)")
    if any(
        "apt-get" in c and {"chromium", "chromium-browser"} & set(c) for c in before
    ):
        problems.append("apt's chromium on Ubuntu 24.04 is a snap stub")
    if ["make", "axe"] not in before:
        problems.append("axe-core is not installed (make axe)")
    pips = [p for p in map(pip_installs, before) if p and p["python"] == VENV_PYTHON]
    cpu = [p for p in pips if (p["index"] or "").rstrip("/").endswith("/whl/cpu")]
    if not any(parity_torch_pin() in p["requirements"] for p in cpu):
        problems.append(f"{parity_torch_pin()} is not installed from CPU-only wheels")
    extra = [i for i, p in enumerate(pips) if ".[parity]" in p["requirements"]]
    if not extra:
        problems.append("the parity extra is not installed into .venv")
    elif cpu and pips.index(cpu[0]) > extra[0]:
        problems.append("the parity extra is installed before torch's CPU wheel")
    return problems


def test_the_workflow_gives_the_checks_of_ci_run():
    flow = yaml.safe_load(CI_WORKFLOW.read_text(encoding="utf-8"))
    assert ci_workflow_problems(flow) == []


def drop_step(flow: dict, word: str) -> None:
    steps = flow["jobs"]["test"]["steps"]
    steps[:] = [s for s in steps if word not in s.get("run", "")]


def edit_run(flow: dict, old: str, new: str) -> None:
    for step in flow["jobs"]["test"]["steps"]:
        if "run" in step:
            step["run"] = step["run"].replace(old, new)


def swap_parity_lines(flow: dict) -> None:
    step = next(
        s for s in flow["jobs"]["test"]["steps"] if "[parity]" in s.get("run", "")
    )
    step["run"] = "\n".join(reversed(step["run"].splitlines()))


def make_test_env(flow: dict) -> dict:
    steps = flow["jobs"]["test"]["steps"]
    return next(s for s in steps if "make test" in s.get("run", ""))["env"]


MUTATIONS = {
    "no browser": (lambda f: drop_step(f, "playwright"), "Chromium"),
    "apt chromium": (
        lambda f: f["jobs"]["test"]["steps"].insert(
            2, {"run": "sudo apt-get update\nsudo apt-get install -y chromium"}
        ),
        "snap stub",
    ),
    "no venv first": (lambda f: drop_step(f, "installed-stamp"), "venv"),
    "no axe": (lambda f: drop_step(f, "make axe"), "axe-core"),
    "no parity": (lambda f: drop_step(f, "[parity]"), "parity extra"),
    "CUDA torch": (lambda f: edit_run(f, "--index-url", "--extra-index-url"), "CPU"),
    "parity first": (swap_parity_lines, "before torch"),
    "into the runner's python": (
        lambda f: edit_run(f, ".venv/bin/python -m pip", "python -m pip"),
        "CPU-only",
    ),
    "browser may skip": (
        lambda f: make_test_env(f).pop("SCRATCHML_REQUIRE_BROWSER"),
        "SCRATCHML_REQUIRE_BROWSER",
    ),
    "parity may skip": (
        lambda f: make_test_env(f).update(SCRATCHML_REQUIRE_PARITY="0"),
        "SCRATCHML_REQUIRE_PARITY",
    ),
    "no 3.12": (
        lambda f: f["jobs"]["test"]["strategy"]["matrix"]["python"].remove("3.12"),
        "matrix",
    ),
    "no pip cache": (
        lambda f: next(s for s in f["jobs"]["test"]["steps"] if "with" in s)[
            "with"
        ].pop("cache"),
        "pip",
    ),
}


@pytest.mark.parametrize("mutation", MUTATIONS)
def test_a_workflow_that_drops_a_check_is_caught(mutation):
    mutate, expected = MUTATIONS[mutation]
    flow = copy.deepcopy(yaml.safe_load(CI_WORKFLOW.read_text(encoding="utf-8")))
    mutate(flow)
    problems = ci_workflow_problems(flow)
    assert any(expected in p for p in problems), problems


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
    """conftest.py expands snippets with mkdocs.yml's own settings: no drift."""
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
