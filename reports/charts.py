"""The report's two pictures, as PNG: label shares stacked per period, and each label's share
over time with its 90% interval. Each label has a colour and a hatch or line style and marker
of its own, so the charts read in grey print and for colour-blind readers."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

COLOURS = ("#c0392b", "#2471a3", "#7d3c98", "#d68910", "#707b7c", "#1e8449", "#a04000", "#17202a")
HATCHES = ("", "//", "..", "xx", "\\\\", "++", "oo", "--")
LINE_STYLES = ("-", "--", "-.", ":", (0, (5, 1, 1, 1)), (0, (1, 1)), (0, (8, 2)), (0, (3, 3)))
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
MAX_TICKS = 14


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _steps(count: int) -> np.ndarray:
    """x positions of ``count`` periods; a lone period spans a unit so its area shows."""
    return np.array([-0.5, 0.5]) if count == 1 else np.arange(count, dtype=float)


def _ticks(ax, periods: Sequence[str]) -> None:
    """Period names on the x axis, thinned to at most MAX_TICKS so they stay legible."""
    step = max(1, -(-len(periods) // MAX_TICKS))
    positions = list(range(0, len(periods), step))
    ax.set_xticks(positions, [periods[i] for i in positions], rotation=45, ha="right", fontsize=8)
    if not periods:
        ax.text(0.5, 0.5, "no dated articles", transform=ax.transAxes, ha="center", va="center")


def shares_chart(path: Path, periods: Sequence[str], labels: Sequence[str], shares: np.ndarray,
                 title: str) -> None:
    """Stacked areas of estimated shares (periods x labels), one period per step on the x axis."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(10, 4.8))
    x = _steps(len(periods))
    values = np.repeat(shares, 2, axis=0) if len(periods) == 1 else shares
    stacks = ax.stackplot(x, values.T.reshape(len(labels), -1), labels=labels, colors=COLOURS[:len(labels)],
                          alpha=0.85, edgecolor="white", linewidth=0.5)
    for stack, hatch in zip(stacks, HATCHES, strict=False):
        stack.set_hatch(hatch)
    ax.set(xlim=(x.min(), x.max()) if len(x) else (0, 1), ylim=(0, 1), ylabel="estimated share of sentences",
           title=title)
    _ticks(ax, periods)
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=9, frameon=False)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def labels_chart(path: Path, periods: Sequence[str], labels: Sequence[str], shares: np.ndarray,
                 low: np.ndarray, high: np.ndarray, title: str) -> None:
    """One small panel per label: its estimated share per period and the 90% interval as a band."""
    plt = _pyplot()
    columns = min(3, len(labels))
    rows = -(-len(labels) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(4.2 * columns, 3.1 * rows), sharex=True, squeeze=False)
    x = np.arange(len(periods))
    for index, label in enumerate(labels):
        ax = axes[index // columns][index % columns]
        colour = COLOURS[index % len(COLOURS)]
        ax.fill_between(x, low[:, index], high[:, index], color=colour, alpha=0.2, linewidth=0,
                        label="90% interval")
        if len(periods) == 1:  # a band needs two points; one period gets an error bar
            spread = np.maximum(0, [shares[:, index] - low[:, index], high[:, index] - shares[:, index]])
            ax.errorbar(x, shares[:, index], yerr=spread, color=colour, capsize=8, linewidth=1)
        ax.plot(x, shares[:, index], color=colour, linestyle=LINE_STYLES[index % len(LINE_STYLES)],
                marker=MARKERS[index % len(MARKERS)], markersize=3.5, linewidth=1.4, label="estimate")
        ax.set_title(label, fontsize=10)
        ax.set_ylim(0, max(0.05, float(high[:, index].max()) * 1.1) if len(periods) else 1)
        if len(periods) == 1:
            ax.set_xlim(-0.5, 0.5)
        ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
        ax.grid(alpha=0.3)
        _ticks(ax, periods)
        ax.tick_params(labelbottom=True)
        if index == 0:
            ax.legend(fontsize=7, loc="upper left")
    for index in range(len(labels), rows * columns):
        axes[index // columns][index % columns].axis("off")
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
