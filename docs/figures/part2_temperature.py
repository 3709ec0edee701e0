"""Figures for part2/temperature.md."""

import numpy as np
from _style import BLUE, GREY, ORANGE, new_figure

from scratchml import softmax

WORDS = ["sat", "ran", "slept", "sang", "exploded"]
LOGITS = np.array([2.0, 1.0, 0.5, 0.0, -2.0])  # (5,): the page's next-word logits


def _entropy(p: np.ndarray) -> float:
    p = p[p > 0]
    return float(-(p * np.log(p)).sum())


def fig_part2_temperature_bars():
    """The same logits through the softmax at four temperatures, as bar charts."""
    temps = [0.5, 1.0, 2.0, 5.0]
    fig, axes = new_figure(8.0, 2.8, ncols=len(temps))
    x = np.arange(len(WORDS))
    for ax, t in zip(axes, temps, strict=True):
        p = softmax(LOGITS, temperature=t)  # (5,)
        ax.bar(x, p, color=BLUE if t != 1.0 else ORANGE)
        ax.axhline(1 / len(WORDS), color=GREY, lw=0.8, ls=":")
        ax.set_ylim(0, 1)
        ax.set_xticks(x, WORDS, rotation=60, ha="right")
        ax.set_title(f"T = {t:g}\nentropy {_entropy(p):.2f}", fontsize=11.5)
        if ax is not axes[0]:
            ax.set_yticklabels([])
    axes[0].set_ylabel("probability of the next word")
    axes[-1].text(
        4.4, 1 / len(WORDS) + 0.02, "uniform", color=GREY, fontsize=9, ha="right"
    )
    return fig


def fig_part2_temperature_entropy():
    """Entropy and the top word's probability as the temperature grows (log axis)."""
    temps = np.geomspace(0.05, 100, 300)
    # (300, 5): one distribution per T
    probs = softmax(LOGITS[None, :] / temps[:, None])
    entropy = [_entropy(p) for p in probs]
    fig, ax = new_figure(6.0, 3.0)
    ax.plot(temps, entropy, color=BLUE, label="entropy $H$ (nats)")
    ax.plot(temps, probs[:, 0], color=ORANGE, ls="--", label='probability of "sat"')
    ax.axhline(np.log(len(WORDS)), color=GREY, ls=":", lw=1)
    ax.text(
        0.06, np.log(len(WORDS)) + 0.04, "log 5: uniform", color=GREY, fontsize=10.5
    )
    ax.axvline(1.0, color=GREY, lw=0.8)
    ax.text(1.08, 0.05, "T = 1", color=GREY, fontsize=10.5)
    ax.set_xscale("log")
    ax.set_xlabel("temperature $T$")
    ax.set_ylim(0, 1.8)
    ax.legend(loc="center right", frameon=False)
    ax.set_title("greedy at small $T$, uniform at large $T$")
    return fig
