"""The scorecard's 8-week trend as a PNG (matplotlib, Agg), readable on a phone in seconds.

Small multiples: one panel per figure, the latest value written large in its title, the
weeks along the bottom as their Mondays. A rep's panels draw their own line over the team
median (grey, dashed); a manager's the team's. Rates share one 0–100% scale so panels compare
at a glance; the meetings panel shows アポ数 as bars with 有効商談数 inside them.

The Japanese font is IPAexGothic from the `matplotlib-fontja` package (installed with isops),
so labels render on a bare server with no fonts and no network. The figure is built with the
object API (`Figure`), not pyplot, so senders may render in threads.
"""

from __future__ import annotations

import datetime as dt
import io

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib_fontja import get_font_ttf_path

from bot import texts
from isops.services.scorecard_values import COUNT, TrendChart, TrendPanel

_FONT_PATH = get_font_ttf_path()
font_manager.fontManager.addfont(_FONT_PATH)
FONT = font_manager.FontProperties(fname=_FONT_PATH).get_name()

OWN = "#1f6feb"
TEAM = "#1f6feb"
MEDIAN = "#8c959f"
VALID = "#2da44e"
MISSING = "—"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def week_start_label(label: str) -> str:
    """`2026-W48` → `11/23` (the week's Monday)."""
    year, number = label.split("-W")
    monday = dt.date.fromisocalendar(int(year), int(number), 1)
    return f"{monday.month}/{monday.day}"


def value_text(kind: str, value: float | None) -> str:
    if value is None:
        return MISSING
    return f"{value:.0f}" if kind == COUNT else f"{value * 100:.0f}%"


def _last(values: tuple[float | None, ...]) -> float | None:
    return values[-1] if values else None


def _panel_title(panel: TrendPanel) -> str:
    label = texts.SCORECARD_LABELS.get(panel.key, panel.key)
    if panel.key == "meetings":
        lines = dict(panel.lines)
        meetings = _last(next((v for k, v in lines.items() if k.endswith(":meetings")), ()))
        valid = _last(next((v for k, v in lines.items() if k.endswith(":valid")), ()))
        return (
            f"{label} {value_text(COUNT, meetings)} / "
            f"{texts.SCORECARD_LABELS['valid']} {value_text(COUNT, valid)}"
        )
    title = f"{label}  {value_text(panel.kind, _last(panel.lines[0][1]))}"
    median = dict(panel.lines).get("median")
    if median is not None and _last(median) is not None:
        title += f"  (中央値 {value_text(panel.kind, _last(median))})"
    return title


def render_trend_png(chart: TrendChart, *, heading: str, dpi: int = 100) -> bytes:
    """The chart as PNG bytes (about 760 × 900 px: a phone shows it full width)."""
    panels = chart.panels
    columns = 2
    rows = max(1, (len(panels) + columns - 1) // columns)
    figure = Figure(figsize=(7.6, 2.6 * rows + 0.8), dpi=dpi, layout="constrained")
    FigureCanvasAgg(figure)
    figure.suptitle(heading, fontsize=15, fontfamily=FONT)
    x = list(range(len(chart.weeks)))
    ticks = [week_start_label(w) for w in chart.weeks]
    axes = figure.subplots(rows, columns, squeeze=False)
    for index, ax in enumerate(axes.flat):
        if index >= len(panels):
            ax.set_visible(False)
            continue
        panel = panels[index]
        if panel.kind == COUNT:
            _counts(ax, panel, x)
        else:
            _rates(ax, panel, x)
        ax.set_title(_panel_title(panel), fontsize=13, fontfamily=FONT, loc="left")
        ax.set_xticks(x[::2] if len(x) > 6 else x)
        ax.set_xticklabels(
            ticks[::2] if len(x) > 6 else ticks, fontsize=10, fontfamily=FONT, color="#57606a"
        )
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.tick_params(axis="y", labelsize=10, colors="#57606a")
        ax.grid(axis="y", color="#d0d7de", linewidth=0.6)
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=dpi, facecolor="white")
    return out.getvalue()


def _rates(ax: Axes, panel: TrendPanel, x: list[int]) -> None:
    for name, values in panel.lines:
        points = [(i, v * 100) for i, v in zip(x, values, strict=True) if v is not None]
        if not points:
            continue
        xs, ys = zip(*points, strict=True)
        if name == "median":
            ax.plot(xs, ys, color=MEDIAN, linestyle="--", linewidth=1.6, label="中央値")
        else:
            color = OWN if name == "own" else TEAM
            ax.plot(xs, ys, color=color, linewidth=2.6, marker="o", markersize=5)
            if xs[-1] == x[-1]:  # the scorecard's week, larger
                ax.plot([xs[-1]], [ys[-1]], color=color, marker="o", markersize=10)
    ax.set_ylim(0, 109)
    ax.set_yticks([0, 50, 100])
    ax.set_yticklabels(["0", "50%", "100%"])
    ax.set_xlim(-0.4, len(x) - 0.6)


def _counts(ax: Axes, panel: TrendPanel, x: list[int]) -> None:
    lines = dict(panel.lines)
    meetings = next((v for k, v in lines.items() if k.endswith(":meetings")), ())
    valid = next((v for k, v in lines.items() if k.endswith(":valid")), ())
    ax.bar(x, [v or 0 for v in meetings], color="#d0e4ff", width=0.7, label="アポ")
    ax.bar(x, [v or 0 for v in valid], color=VALID, width=0.45, label="有効")
    top = max([v or 0 for v in meetings] + [1])
    ax.set_ylim(0, top * 1.25)
    ax.set_xlim(-0.6, len(x) - 0.4)
    ax.legend(prop={"family": FONT, "size": 9}, frameon=False, loc="upper left", ncols=2)


def alt_text(chart: TrendChart, *, heading: str) -> str:
    """What the chart shows, in words (Slack's alt text, at most 1,000 characters)."""
    parts: list[str] = []
    for panel in chart.panels:
        if panel.key == "meetings":
            lines = dict(panel.lines)
            for suffix in ("meetings", "valid"):
                values = next((v for k, v in lines.items() if k.endswith(f":{suffix}")), ())
                parts.append(_series_words(texts.SCORECARD_LABELS[suffix], COUNT, values))
            continue
        label = texts.SCORECARD_LABELS.get(panel.key, panel.key)
        parts.append(_series_words(label, panel.kind, panel.lines[0][1]))
        median = dict(panel.lines).get("median")
        if median is not None:
            parts[-1] += f" (チーム中央値 {value_text(panel.kind, _last(median))})"
    first = week_start_label(chart.weeks[0]) if chart.weeks else ""
    text = f"{heading}。{first}の週からの{len(chart.weeks)}週間。" + "、".join(parts) + "。"
    return text[:1000]


def _series_words(label: str, kind: str, values: tuple[float | None, ...]) -> str:
    latest = _last(values)
    before = values[-2] if len(values) > 1 else None
    words = f"{label} {value_text(kind, latest)}"
    if latest is not None and before is not None:
        words += f" (前週 {value_text(kind, before)})"
    return words
