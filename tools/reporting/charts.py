"""Horizontal bar charts as inline SVG, in the manner of the simulator's report: no scripts, no
fonts or libraries fetched, so the page works offline. Every bar carries its value as text and
as `data-value`, so the numbers can be read (and tested) without looking at pixels."""

import html
from dataclasses import dataclass

LABEL_WIDTH = 220
PLOT_WIDTH = 340
ROW = 22
POSITIVE, NEGATIVE = "#2e7d32", "#c62828"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    low: float | None = None  # an interval to draw as a whisker
    high: float | None = None
    colour: str | None = None  # default: green for >= 0, red below
    note: str = ""  # appended to the value text, e.g. "n too small"


def bar_chart(bars: list[Bar], *, unit: str = "", title: str = "") -> str:
    if not bars:
        return "<p class='meta'>nothing in this period</p>"
    ends = [0.0] + [b.value for b in bars] + [x for b in bars for x in (b.low, b.high) if x is not None]
    lo, hi = min(ends), max(ends)
    span = (hi - lo) or 1.0

    def x(value: float) -> float:
        return LABEL_WIDTH + PLOT_WIDTH * (value - lo) / span

    zero = x(0.0)
    parts = [f'<line x1="{zero:.1f}" y1="0" x2="{zero:.1f}" y2="{ROW * len(bars)}" stroke="#888"/>']
    for i, bar in enumerate(bars):
        top, left, right = ROW * i, min(zero, x(bar.value)), max(zero, x(bar.value))
        colour = bar.colour or (POSITIVE if bar.value >= 0 else NEGATIVE)
        text = (
            f"{unit}{bar.value:,.2f}"
            + (f" [{bar.low:,.2f}, {bar.high:,.2f}]" if bar.low is not None and bar.high is not None else "")
            + (f" {bar.note}" if bar.note else "")
        )
        parts.append(
            f'<text x="0" y="{top + 15}">{html.escape(bar.label)}</text>'
            f'<rect x="{left:.1f}" y="{top + 4}" width="{right - left:.1f}" height="14" fill="{colour}" '
            f'data-label="{html.escape(bar.label, quote=True)}" data-value="{bar.value:.4f}">'
            f"<title>{html.escape(bar.label)}: {html.escape(text)}</title></rect>"
        )
        if bar.low is not None and bar.high is not None:
            mid = top + 11
            parts.append(
                f'<line x1="{x(bar.low):.1f}" y1="{mid}" x2="{x(bar.high):.1f}" y2="{mid}" stroke="#222"/>'
                f'<line x1="{x(bar.low):.1f}" y1="{mid - 4}" x2="{x(bar.low):.1f}" y2="{mid + 4}" stroke="#222"/>'
                f'<line x1="{x(bar.high):.1f}" y1="{mid - 4}" x2="{x(bar.high):.1f}" y2="{mid + 4}" '
                f'stroke="#222"/>'
            )
        parts.append(f'<text x="{LABEL_WIDTH + PLOT_WIDTH + 8}" y="{top + 15}">{html.escape(text)}</text>')
    label = f' aria-label="{html.escape(title, quote=True)}"' if title else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img"{label} width="{LABEL_WIDTH + PLOT_WIDTH + 260}" '
        f'height="{ROW * len(bars) + 4}" font-size="12">{"".join(parts)}</svg>'
    )
