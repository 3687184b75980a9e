"""Page 1's run-rate waterfall (report-design D8.10): today's monthly run-rate, then after each tier's savings,
the estimates with a whisker for their range. Inline SVG with printed labels (nothing only in a tooltip)."""

from __future__ import annotations

from markupsafe import Markup, escape

from shared.analysis.money import money
from shared.analysis.report_model import Headline

_W, _ROW, _LABEL, _PAD = 720, 24, 170, 6
_STEP = {"measured": "After measured", "conditional": "After licences", "commitment": "After commitment",
         "estimated": "After estimates"}
_TODAY, _SAVE, _LEFT = "#2f6f8f", "#6aa84f", "#9fb7c6"


def waterfall(h: Headline) -> Markup:
    """One bar per step, each labelled with its amount."""
    today = h.run_rate.monthly
    if today <= 0:
        return Markup("")
    steps = [("Run-rate today", today, 0.0, 0.0)]
    left = today
    for tier in h.tiers:
        if tier.monthly <= 0:
            continue
        left -= tier.monthly
        spread = tier.monthly_high - tier.monthly
        steps.append((_STEP.get(tier.tier, tier.label), max(left, 0.0), tier.monthly, spread))
    scale = (_W - _LABEL - 120) / today
    parts = []
    for n, (label, value, saved, spread) in enumerate(steps):
        y = _PAD + n * _ROW
        width = value * scale
        colour = _TODAY if n == 0 else _LEFT
        parts.append(f'<text x="{_LABEL - 6}" y="{y + 16}" font-size="12" text-anchor="end">{escape(label)}</text>'
                     f'<rect x="{_LABEL}" y="{y + 4}" width="{width:.1f}" height="{_ROW - 8}" fill="{colour}"/>')
        if saved:
            parts.append(f'<rect x="{_LABEL + width:.1f}" y="{y + 4}" width="{saved * scale:.1f}" '
                         f'height="{_ROW - 8}" fill="{_SAVE}"/>')
        if spread > 0:
            x0, x1 = _LABEL + (value - spread) * scale, _LABEL + value * scale
            parts.append(f'<line x1="{x0:.1f}" y1="{y + 13}" x2="{x1:.1f}" y2="{y + 13}" stroke="#333"/>'
                         f'<line x1="{x0:.1f}" y1="{y + 8}" x2="{x0:.1f}" y2="{y + 18}" stroke="#333"/>')
        cut = f" (\u2212{money(saved, h.currency, 'summary')})" if saved else ""
        low = f", as low as {money(max(value - spread, 0.0), h.currency, 'summary')}" if spread > 0 else ""
        text = money(value, h.currency, "summary") + cut + low
        parts.append(f'<text x="{_LABEL + (value + saved) * scale + 6:.1f}" y="{y + 16}" font-size="12">'
                     f"{escape(text)}</text>")
    height = _PAD * 2 + len(steps) * _ROW
    # Every interpolated string is escape()d; the rest are numbers formatted here.
    return Markup(f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_W} {height}" role="img" '  # noqa: S704
                  f'aria-label="Monthly run-rate after each tier of savings">{"".join(parts)}</svg>')
