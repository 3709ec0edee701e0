"""MkDocs hook: search results without raw LaTeX.

pymdownx.arithmatex leaves math in the page as TeX between ``\\(`` ``\\)`` and ``\\[``
``\\]`` for KaTeX to render in the browser, so Material's search index holds the TeX and
a result shows ``\\(\\partial p_i \\dots\\)``. After the search plugin has written its
index, this hook rewrites every math span in it as plain text a reader can scan
(``∂p_i/∂z_j``): Greek letters and common operators become their symbols, other commands
and braces are dropped. The pages themselves are not touched.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from mkdocs.plugins import event_priority

SYMBOLS = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε",
    "varepsilon": "ε", "eta": "η", "theta": "θ", "lambda": "λ", "mu": "μ", "pi": "π",
    "sigma": "σ", "tau": "τ", "phi": "φ", "varphi": "φ", "omega": "ω", "Delta": "Δ",
    "Sigma": "Σ", "partial": "∂", "nabla": "∇", "sum": "Σ", "prod": "∏", "infty": "∞",
    "cdot": "·", "times": "×", "odot": "⊙", "le": "≤", "leq": "≤", "ge": "≥",
    "geq": "≥", "ne": "≠", "neq": "≠", "approx": "≈", "to": "→", "rightarrow": "→",
    "leftarrow": "←", "in": "∈", "sqrt": "√", "ldots": "…", "dots": "…", "cdots": "…",
    "top": "ᵀ", "pm": "±", "exp": "exp", "log": "log", "max": "max", "min": "min",
    "tanh": "tanh", "softmax": "softmax",
}  # fmt: skip
MATH = re.compile(r"\\\((.+?)\\\)|\\\[(.+?)\\\]|\$\$(.+?)\$\$", re.DOTALL)
COMMAND = re.compile(r"\\([A-Za-z]+)\s*")
FRACTION = re.compile(r"\\[dt]?frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}")
ROOT = re.compile(r"\\sqrt\s*\{([^{}]*)\}")


def plain(tex: str) -> str:
    """TeX as plain text: symbols for the commands a reader knows, no markup."""
    for _ in range(5):  # innermost first: \frac{\partial L}{\partial w} -> ∂L/∂w
        tex = ROOT.sub(r"√\1", FRACTION.sub(r"\1/\2", tex))
    text = COMMAND.sub(lambda m: SYMBOLS.get(m.group(1), ""), tex)
    text = re.sub(r"\\[,;:! ]|&|\\\\", " ", text)  # spacing, alignment, line breaks
    text = text.replace("{", "").replace("}", "")
    return re.sub(r"\s+", " ", text).strip()


def strip_math(text: str) -> str:
    return MATH.sub(lambda m: plain(next(g for g in m.groups() if g is not None)), text)


@event_priority(-100)  # after the search plugin has written its index
def on_post_build(config, **kwargs):
    index = Path(config["site_dir"]) / "search" / "search_index.json"
    if not index.exists():
        return
    data = json.loads(index.read_text(encoding="utf-8"))
    for doc in data.get("docs", []):
        for key in ("title", "text"):
            if key in doc:
                doc[key] = strip_math(doc[key])
    index.write_text(
        json.dumps(data, ensure_ascii=False, separators=(",", ":")), "utf-8"
    )
