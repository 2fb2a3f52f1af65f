"""Charts drawn on the server as SVG: no chart script, nothing for the CSP to allow.

Colours come from classes in the stylesheet (``.bar``, ``.bar.ok``...), sizes from the
viewBox, so a chart scales with its panel. Every label is escaped.
"""

from markupsafe import Markup, escape


def bar_chart(points: list[tuple[str, float, str]], *, width: int = 480, height: int = 180,
              title: str = "", value_format: str = "{:g}") -> Markup:
    """Vertical bars: ``points`` are (label, value, css class) left to right."""
    left, bottom, top = 34, 28, 12
    plot_w, plot_h = width - left - 8, height - bottom - top
    peak = max([value for _, value, _ in points] + [0]) or 1
    step = _nice_step(peak)
    ceiling = step * (int(peak / step) + (0 if peak % step == 0 else 1)) or step
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">']
    parts.append(f"<title>{escape(title)}</title>")
    ticks = int(ceiling / step)
    for tick in range(ticks + 1):
        y = top + plot_h - plot_h * tick / ticks
        parts.append(f'<line class="gridline" x1="{left}" y1="{y:.1f}" x2="{width - 8}" y2="{y:.1f}"/>')
        parts.append(f'<text x="{left - 4}" y="{y + 3:.1f}" text-anchor="end">{escape(value_format.format(step * tick))}</text>')
    slot = plot_w / max(len(points), 1)
    bar_w = max(2.0, min(slot * 0.7, 38))
    label_every = max(1, int(len(points) / 12 + 0.999))
    for index, (label, value, css) in enumerate(points):
        x = left + slot * index + (slot - bar_w) / 2
        h = plot_h * value / ceiling
        y = top + plot_h - h
        parts.append(f'<rect class="bar {escape(css)}" x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{max(h, 0):.1f}">'
                     f"<title>{escape(label)}: {escape(value_format.format(value))}</title></rect>")
        if value and len(points) <= 16:
            parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{y - 2:.1f}" text-anchor="middle">{escape(value_format.format(value))}</text>')
        if index % label_every == 0:
            parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{height - bottom + 14}" text-anchor="middle">{escape(label)}</text>')
    parts.append(f'<line class="axis" x1="{left}" y1="{top + plot_h}" x2="{width - 8}" y2="{top + plot_h}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def hbar_chart(points: list[tuple[str, float, str]], *, width: int = 480, title: str = "") -> Markup:
    """Horizontal bars with their labels and values, one row each (items by state)."""
    row, left, right = 22, 110, 50
    height = row * len(points) + 8
    peak = max([value for _, value, _ in points] + [0]) or 1
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">',
             f"<title>{escape(title)}</title>"]
    for index, (label, value, css) in enumerate(points):
        y = 4 + index * row
        w = (width - left - right) * value / peak
        parts.append(f'<text x="{left - 6}" y="{y + 14}" text-anchor="end">{escape(label)}</text>')
        parts.append(f'<rect class="bar {escape(css)}" x="{left}" y="{y + 3}" width="{max(w, 1):.1f}" height="{row - 8}"/>')
        parts.append(f'<text x="{left + w + 5:.1f}" y="{y + 14}">{escape(f"{value:g}")}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _nice_step(peak: float) -> float:
    """A round tick step giving about four grid lines."""
    raw = peak / 4
    magnitude = 10 ** (len(str(int(raw))) - 1) if raw >= 1 else 1
    for factor in (1, 2, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude
