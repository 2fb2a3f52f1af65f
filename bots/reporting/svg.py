"""Charts drawn on the server as SVG (no script, so the page keeps a strict CSP).

``line_chart`` draws one line per series over labelled points (a trend by week);
``bar_chart`` one bar per label. Values are Decimals or None (a gap).
"""

from decimal import Decimal
from xml.sax.saxutils import escape

WIDTH, HEIGHT, PAD = 640, 220, 44
COLORS = ("#1f6feb", "#d1242f", "#1a7f37", "#9a6700", "#8250df")


def _scale(values):
    known = [v for v in values if v is not None]
    low, high = min(known + [Decimal(0)]), max(known + [Decimal(0)])
    return low, (high if high != low else low + 1)


def _y(value, low, high) -> float:
    return HEIGHT - PAD - float((value - low) / (high - low)) * (HEIGHT - 2 * PAD)


def line_chart(title: str, labels: list[str], series: dict[str, list]) -> str:
    everything = [v for values in series.values() for v in values]
    low, high = _scale(everything)
    step = (WIDTH - 2 * PAD) / max(len(labels) - 1, 1)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
             f'aria-label="{escape(title)}"><title>{escape(title)}</title>',
             f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" stroke="#888"/>',
             f'<text x="4" y="{PAD}" font-size="10">{escape(str(high))}</text>',
             f'<text x="4" y="{HEIGHT - PAD}" font-size="10">{escape(str(low))}</text>']
    for index, label in enumerate(labels):
        label = label.split("-")[-1] if "-W" in label else label     # 2026-W40 -> W40: they must fit
        if len(labels) <= 14 or index % max(len(labels) // 10, 1) == 0:
            parts.append(f'<text x="{PAD + index * step:.1f}" y="{HEIGHT - PAD + 14}" font-size="9" '
                         f'text-anchor="middle">{escape(label)}</text>')
    for number, (name, values) in enumerate(series.items()):
        color = COLORS[number % len(COLORS)]
        points = [f"{PAD + i * step:.1f},{_y(v, low, high):.1f}" for i, v in enumerate(values) if v is not None]
        if points:
            parts.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{" ".join(points)}"/>')
            for point in points:
                x, y = point.split(",")
                parts.append(f'<circle cx="{x}" cy="{y}" r="2.5" fill="{color}"/>')
        parts.append(f'<text x="{PAD + number * 140}" y="14" font-size="11" fill="{color}">{escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(title: str, labels: list[str], values: list) -> str:
    low, high = _scale(values)
    width = (WIDTH - 2 * PAD) / max(len(labels), 1)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
             f'aria-label="{escape(title)}"><title>{escape(title)}</title>',
             f'<line x1="{PAD}" y1="{_y(Decimal(0), low, high):.1f}" x2="{WIDTH - PAD}" '
             f'y2="{_y(Decimal(0), low, high):.1f}" stroke="#888"/>']
    for index, (label, value) in enumerate(zip(labels, values)):
        if value is None:
            continue
        top, base = _y(max(value, Decimal(0)), low, high), _y(min(value, Decimal(0)), low, high)
        x = PAD + index * width + width * 0.15
        parts.append(f'<rect x="{x:.1f}" y="{top:.1f}" width="{width * 0.7:.1f}" height="{max(base - top, 0.5):.1f}" '
                     f'fill="{COLORS[0]}"><title>{escape(label)}: {escape(str(value))}</title></rect>')
        parts.append(f'<text x="{x + width * 0.35:.1f}" y="{HEIGHT - PAD + 14}" font-size="9" '
                     f'text-anchor="middle">{escape(label[:18])}</text>')
        parts.append(f'<text x="{x + width * 0.35:.1f}" y="{top - 3:.1f}" font-size="9" '
                     f'text-anchor="middle">{escape(str(value))}</text>')
    parts.append("</svg>")
    return "".join(parts)
