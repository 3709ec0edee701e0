"""MkDocs hook: the labs, executed once and reused, shown like chapters, offline.

Execution. Each ``docs/labs/<name>.ipynb`` is executed here with nbclient into
``.cache/labs/<name>.ipynb`` and mkdocs-jupyter (``execute: false``) renders that
executed copy. The copy is reused while its key, a hash of the notebook, of every file
under ``scratchml/`` and of the versions of the tools that run it, is unchanged; so
``mkdocs serve`` executes a lab again only when the lab or the package changes.
``SCRATCHML_FRESH_LABS=1`` (set by the tests, ``make test`` and CI) ignores the cache:
every lab is executed anew.
The kernel talks to nbclient over IPC sockets in a private temporary folder (no TCP
port, hence no "running over TCP without encryption" warning).

While you edit the package, ``SCRATCHML_LABS`` (``make serve LABS=stale``) spares the
three minutes of re-running the labs after every save:

- ``stale``: show the last executed copy even though the package changed since; the lab
  page says so in a warning box at its top. A lab never executed is shown unexecuted.
- ``skip``: execute nothing; a lab without a current executed copy is shown unexecuted
  (no outputs, no plots), also said at its top.
- unset or ``run``: execute when the key changed (the default). ``SCRATCHML_FRESH_LABS``
  wins over ``SCRATCHML_LABS``: the tests never see a stale lab.

Rendering, after mkdocs-jupyter:

- the notebook template's scripts for mermaid and MathJax (both imported from a CDN) are
  removed; KaTeX, vendored, renders the labs' math as on every other page;
- its inline CSS (the same ~600 KB on each lab) is served once as
  ``assets/notebook.css``;
- every plot gets the alt text written in the lab source (``# alt:``, see
  ``tools/make_notebook.py``); a plot without one fails the build;
- links to ``.md`` pages (mkdocs-jupyter leaves them as written) point at the built
  pages;
- a link to download the notebook (the clean one, without outputs) follows the title.
"""

from __future__ import annotations

import hashlib
import html
import importlib.metadata
import json
import logging
import os
import posixpath
import re
import shutil
import sys
import tempfile
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "scratchml"
CACHE = ROOT / ".cache" / "labs"
FRESH = os.environ.get("SCRATCHML_FRESH_LABS", "") not in {"", "0"}
LABS_MODES = ("run", "stale", "skip")
NOTEBOOK_CSS = "assets/notebook.css"
TIMEOUT = 900  # seconds per cell

log = logging.getLogger("mkdocs.hooks.labs")
_css: dict[str, str] = {}  # the notebook CSS, the same for every lab
_shown_as: dict[str, str] = {}  # lab name -> "stale" or "unexecuted", where it is


def labs_mode() -> str:
    """``SCRATCHML_LABS``: run (the default), stale or skip; FRESH forces run."""
    mode = os.environ.get("SCRATCHML_LABS", "").strip().lower() or "run"
    if mode not in LABS_MODES:
        raise PluginError(
            f"SCRATCHML_LABS must be one of {', '.join(LABS_MODES)}, got {mode!r}"
        )
    if FRESH and mode != "run":
        log.info("SCRATCHML_FRESH_LABS=1: labs executed anew, SCRATCHML_LABS ignored")
        return "run"
    return mode


def is_lab(src_uri: str) -> bool:
    return src_uri.startswith("labs/") and src_uri.endswith(".ipynb")


# --- execution, cached
# -------------------------------------------------------------------


def lab_key(notebook: Path) -> str:
    """A hash of the notebook, the package's files and the executing tools' versions."""
    h = hashlib.sha256(notebook.read_bytes())
    for path in sorted(PACKAGE.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            h.update(path.relative_to(ROOT).as_posix().encode())
            h.update(path.read_bytes())
    for dist in (
        "numpy",
        "matplotlib",
        "ipykernel",
        "nbclient",
        "nbconvert",
        "mkdocs-jupyter",
    ):
        h.update(f"{dist}={importlib.metadata.version(dist)}".encode())
    h.update(sys.version.encode())
    return h.hexdigest()


def execute(notebook: Path, target: Path) -> None:
    import nbclient
    import nbformat
    from traitlets.config import Config

    nb = nbformat.read(notebook, as_version=4)
    env_backend = os.environ.pop("MPLBACKEND", None)  # the kernel must draw inline
    sockets = Path(tempfile.mkdtemp(prefix="scratchml-kernel-"))
    config = Config()
    config.KernelManager.transport = "ipc"  # Unix sockets, readable by this user only
    config.KernelManager.ip = str(sockets / "kernel")
    try:
        nbclient.NotebookClient(
            nb,
            config=config,
            timeout=TIMEOUT,
            kernel_name="python3",
            allow_errors=False,
            record_timing=False,
            resources={"metadata": {"path": str(notebook.parent)}},
        ).execute()
    except Exception as error:  # a failing cell fails the build, with its message
        raise PluginError(f"lab {notebook.name} failed to execute:\n{error}") from error
    finally:
        if env_backend is not None:
            os.environ["MPLBACKEND"] = env_backend
        shutil.rmtree(sockets, ignore_errors=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)


def executed_copy(notebook: Path) -> Path:
    """The executed notebook, from the cache when its key matches (and not FRESH).

    Under ``SCRATCHML_LABS=stale`` any cached copy is used, and ``skip`` (or ``stale``
    with nothing cached) returns the notebook itself, unexecuted; ``_shown_as`` records
    which, for the warning box at the top of the page. (Logged as INFO, not WARNING:
    ``mkdocs build --strict`` turns any warning into a failure.)
    """
    target, stamp = CACHE / notebook.name, CACHE / f"{notebook.stem}.key"
    key = lab_key(notebook)
    mode = labs_mode()
    _shown_as.pop(notebook.name, None)
    if not FRESH and target.exists() and stamp.exists() and stamp.read_text() == key:
        log.info("lab %s: executed copy reused (%s)", notebook.name, key[:12])
        return target
    if mode == "stale" and target.exists():
        log.info("lab %s: STALE copy shown (SCRATCHML_LABS=stale)", notebook.name)
        _shown_as[notebook.name] = "stale"
        return target
    if mode in ("stale", "skip"):
        log.info("lab %s: shown UNEXECUTED (SCRATCHML_LABS=%s)", notebook.name, mode)
        _shown_as[notebook.name] = "unexecuted"
        return notebook
    log.info("lab %s: executing%s", notebook.name, " (fresh)" if FRESH else "")
    stamp.unlink(missing_ok=True)
    execute(notebook, target)
    stamp.write_text(key)
    return target


# --- hooks
# -------------------------------------------------------------------------------


def on_config(config):
    plugin = config["plugins"].get("mkdocs-jupyter")
    if plugin is None or plugin.config["execute"]:
        raise PluginError(
            "hooks/labs.py executes the labs: set mkdocs-jupyter's execute: false"
        )
    if FRESH:
        plugin.config["cache"] = False  # render from scratch as well
    return config


def on_pre_build(config):
    _css.clear()


def on_files(files, config):
    for file in list(files):
        if not is_lab(file.src_uri):
            continue
        source = Path(file.abs_src_path)
        if source.parent.name != "labs" or hasattr(file, "lab_source"):  # swapped
            continue
        # mkdocs-jupyter renders whatever abs_src_path names; edit links keep src_uri.
        file.abs_src_path = str(executed_copy(source))
        file.lab_source = source
        download = posixpath.join(posixpath.dirname(file.dest_uri), source.name)
        files.append(File.generated(config, download, abs_src_path=str(source)))
    return files


_STYLE = re.compile(r"<style[^>]*>(.*?)</style>\s*", re.S)
_SCRIPT = re.compile(r"<script\b[^>]*>(.*?)</script>\s*", re.S)
_FOREIGN_SCRIPTS = ("mermaid", "MathJax", "mathjax")
_IMG = re.compile(r'<img\b[^>]*\bsrc="data:image/[^>]*>')
_ALT = re.compile(r'\s+alt="[^"]*"')
_PAGE_LINK = re.compile(r'href="([^":#?]+\.(?:md|ipynb))(#[^"]*)?"')
_H1 = re.compile(r"(<h1\b.*?</h1>)", re.S)


def alt_texts(notebook: Path) -> list[str]:
    """The alt text of every image output, in order."""
    alts = []
    for i, cell in enumerate(json.loads(notebook.read_text(encoding="utf-8"))["cells"]):
        images = [
            o
            for o in cell.get("outputs", [])
            if any(k.startswith("image/") for k in o.get("data", {}))
        ]
        given = cell.get("metadata", {}).get("alt", [])
        if len(images) != len(given):
            raise PluginError(
                f"{notebook.name}, cell {i}: {len(images)} plot(s) but {len(given)} "
                "alt text(s);"
                " write one '# alt: ...' comment per plot in the lab source"
            )
        alts += given
    return alts


def on_page_content(content, page, config, files):
    if not is_lab(page.file.src_uri):
        return content
    name = page.file.lab_source.name

    def drop_script(match):
        return (
            "" if any(s in match.group(1) for s in _FOREIGN_SCRIPTS) else match.group(0)
        )

    content = _SCRIPT.sub(drop_script, content)

    css = "\n".join(m.group(1).strip() for m in _STYLE.finditer(content))
    if _css and _css.get("text") != css:
        raise PluginError(f"lab {name}: its notebook CSS differs from the other labs'")
    _css["text"] = css
    root = posixpath.relpath(".", posixpath.dirname(page.file.dest_uri) or ".")
    link = f'<link rel="stylesheet" href="{root}/{NOTEBOOK_CSS}">\n'
    content = link + _STYLE.sub("", content)

    shown_as = _shown_as.get(name)
    alts = [] if shown_as == "unexecuted" else alt_texts(Path(page.file.abs_src_path))
    if len(_IMG.findall(content)) != len(alts):
        raise PluginError(
            f"lab {name}: {len(alts)} alt texts for a different number of images"
        )
    given = iter(alts)

    def add_alt(match):
        tag = _ALT.sub("", match.group(0)).removeprefix("<img")
        return f'<img alt="{html.escape(next(given), quote=True)}"{tag}'

    content = _IMG.sub(add_alt, content)

    def rewrite(match):
        target = posixpath.normpath(
            posixpath.join(posixpath.dirname(page.file.src_uri), match.group(1))
        )
        found = files.get_file_from_path(target)
        if found is None:
            raise PluginError(
                f"lab {name} links to {match.group(1)}, which is not a page"
            )
        return f'href="{found.url_relative_to(page.file)}{match.group(2) or ""}"'

    content = _PAGE_LINK.sub(rewrite, content)

    download = (
        f'<p class="lab-download"><a href="{name}" download>Download this lab as a '
        "notebook"
        f" ({name})</a>, to run it in Jupyter; it imports the installed "
        "<code>scratchml</code>.</p>"
    )
    if shown_as is not None:
        download += _not_current(shown_as)
    content, n = _H1.subn(lambda m: m.group(1) + "\n" + download, content, count=1)
    if n != 1:
        raise PluginError(f"lab {name} has no '# # Title' heading")
    return content


def _not_current(shown_as: str) -> str:
    """The warning box of a lab shown stale or unexecuted (``SCRATCHML_LABS``)."""
    what = {
        "stale": "These outputs are <strong>stale</strong>: they were computed before "
        "the last change to <code>scratchml/</code>, and may differ from what the lab "
        "prints now.",
        "unexecuted": "This lab was <strong>not executed</strong> for this build: it "
        "shows no outputs and no plots.",
    }[shown_as]
    return (
        '<div class="admonition warning lab-not-current"><p class="admonition-title">'
        f"Lab {'stale' if shown_as == 'stale' else 'not executed'} "
        f"(SCRATCHML_LABS)</p><p>{what} Serve without <code>LABS=...</code> (or run "
        "<code>make test</code>) to execute it.</p></div>"
    )


def on_post_build(config):
    if _css:
        target = Path(config["site_dir"]) / NOTEBOOK_CSS
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(_css["text"], encoding="utf-8")
