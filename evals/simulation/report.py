"""The KPI table of a simulation as a self-contained HTML page (no scripts, inline CSS, SVG bars)."""

import html
from pathlib import Path

from evals.simulation.metrics import METRICS, PolicyMetrics

LABELS = {
    "expected_incremental_margin": "Expected incremental margin ($)", "share_of_oracle": "Share of the oracle",
    "offer_redemption_rate": "Price-offer redemption rate",
    "incremental_margin": "Realised incremental margin ($)", "incremental_revenue": "Incremental revenue ($)",
    "redemption_rate": "Redemption rate", "discount_spend": "Discount spend ($)",
    "contacts_per_member": "Contacts per member", "unsubscribe_rate": "Unsubscribe rate", "violations": "Rule violations",
    "sends_on_hour": "Sends within 1 h of the member's hour",
}


def _bars(results: dict[str, PolicyMetrics], metric: str) -> str:
    values = {p: r.metrics[metric].mean for p, r in results.items() if metric in r.metrics}
    scale = max([abs(v) for v in values.values()] + [1e-9])
    rows = []
    for i, (policy, value) in enumerate(values.items()):
        width = 300 * abs(value) / scale
        colour = "#2e7d32" if value >= 0 else "#c62828"
        rows.append(f'<text x="0" y="{20 * i + 14}">{html.escape(policy)}</text>'
                    f'<rect x="90" y="{20 * i + 3}" width="{width:.1f}" height="14" fill="{colour}"/>'
                    f'<text x="{95 + width:.1f}" y="{20 * i + 14}">{value:,.2f}</text>')
    return f'<svg width="520" height="{20 * len(values) + 6}" font-size="12">{"".join(rows)}</svg>'


def _cell(results: PolicyMetrics, metric: str) -> str:
    if metric not in results.metrics:
        return "<td>-</td>"
    e = results.metrics[metric]
    return f"<td>{e.mean:,.3f}<br><small>[{e.low:,.3f}, {e.high:,.3f}]</small></td>"


def write_report(results: dict[str, PolicyMetrics], path: Path, title: str, notes: list[str]) -> Path:
    shown = [m for m in METRICS if any(m in r.metrics for r in results.values())]
    head = "".join(f"<th>{html.escape(LABELS[m])}</th>" for m in shown)
    body = "".join("<tr><td>" + html.escape(p) + "</td>" + "".join(_cell(r, m) for m in shown) + "</tr>"
                   for p, r in results.items())
    charts = "".join(f"<h3>{html.escape(LABELS[m])}</h3>{_bars(results, m)}" for m in shown)
    items = "".join(f"<li>{html.escape(n)}</li>" for n in notes)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"""<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:system-ui,sans-serif;margin:2em;color:#222}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:4px 8px;text-align:right}}td:first-child{{text-align:left}}</style></head>
<body><h1>{html.escape(title)}</h1><ul>{items}</ul><table><tr><th>policy</th>{head}</tr>{body}</table>
{charts}<p><small>Incremental figures are measured against doing nothing on the same members and days.
The expected incremental margin values every message under the hidden model (no dice); the realised
one counts what the simulated members did. Share of the oracle: a policy's expected margin over the
oracle's (which knows the hidden traits). Brackets are 95% intervals (margins: between members;
rates: over seeds).</small></p></body></html>""")
    return path
