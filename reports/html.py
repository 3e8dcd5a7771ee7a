"""The report as one self-contained HTML file: inline style, charts as data URIs, no links out.

It renders report.json's numbers as they are; nothing here computes. Every value from the
archive (sentences, ids, field values) is escaped.
"""

from __future__ import annotations

import base64
from html import escape
from typing import Any
from urllib.parse import quote

STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 1200px; color: #1c2833;
       padding: 0 16px; }
h1 { font-size: 22px; } h2 { font-size: 18px; margin-top: 28px; border-bottom: 1px solid #d5d8dc; }
table { border-collapse: collapse; margin: 8px 0; font-size: 13px; }
th, td { border: 1px solid #d5d8dc; padding: 3px 6px; text-align: right; vertical-align: top; }
th { background: #f4f6f6; } td.key, th.key { text-align: left; white-space: nowrap; }
tr.group td { color: #566573; font-size: 12px; } tr.flagged td.key { background: #fdebd0; }
.ci, .argmax { color: #566573; font-size: 11px; white-space: nowrap; }
.flag { color: #a04000; } img { max-width: 100%; border: 1px solid #eaecee; }
details { margin: 4px 0; } summary { cursor: pointer; font-weight: 600; }
ul.examples { margin: 2px 0 8px 0; } q { font-style: italic; }
"""


def data_uri(png: bytes) -> str:
    """``b"\\x89PNG..."`` -> ``"data:image/png;base64,iVBOR..."``."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def article_anchor(article_id: str) -> str:
    """The element id of an article in the cited-articles list (spaces cannot be in an id)."""
    return "article-" + "_".join(str(article_id).split())


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value:.1%}"


def _number(value: float | None, digits: int = 3) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _article_link(article_id: str) -> str:
    anchor = article_anchor(article_id)
    return f'<a href="#{quote(anchor, safe="")}">{escape(str(article_id))}</a>'


def _label_cell(row: dict[str, Any], label: str) -> str:
    """Share [interval], then the estimated count and the argmax share; one article has no interval."""
    interval = (f'[{row["share_low"][label]:.1%}–{row["share_high"][label]:.1%}]' if row["articles"] > 1
                else "[one article]")
    return (f'<td>{row["share"][label]:.1%} <span class="ci">{interval}</span><br><span class="argmax">'
            f'{row["count"][label]:.1f} sent. · argmax {row["argmax_share"][label]:.1%}</span></td>')


def _table(report: dict[str, Any]) -> str:
    labels = report["labels"]
    group_head = f'<th class="key">{escape(report["by_field"])}</th>' if report["by_field"] else ""
    head = ('<tr><th class="key">period</th>' + group_head + "<th>articles</th><th>sentences</th>"
            + "".join(f"<th>{escape(label)}</th>" for label in labels)
            + "<th>mean top p</th><th>low-confidence</th><th>JS vs reference</th><th>JS vs earlier</th></tr>")
    body = []
    for period in report["periods"]:
        drift = period["drift"]
        flagged = " flagged" if drift["flags"] else ""
        cells = "".join(_label_cell(period, label) for label in labels)
        group_cell = '<td class="key">all</td>' if report["by_field"] else ""
        body.append(f'<tr class="period{flagged}"><td class="key">{escape(period["period"])}</td>{group_cell}'
                    f'<td>{period["articles"]}</td><td>{period["sentences"]}</td>{cells}'
                    f'<td>{_number(period["mean_top_probability"])}</td><td>{_pct(period["low_confidence_share"])}</td>'
                    f'<td>{_number(drift["js_reference"])}</td><td>{_number(drift["js_earlier"])}</td></tr>')
        for group in period.get("groups", []):
            cells = "".join(_label_cell(group, label) for label in labels)
            body.append('<tr class="group"><td class="key"></td>'
                        f'<td class="key">{escape(str(group["group"]))}</td><td>{group["articles"]}</td>'
                        f'<td>{group["sentences"]}</td>{cells}'
                        '<td></td><td></td><td></td><td></td></tr>')
    return f'<table id="periods"><thead>{head}</thead><tbody>{"".join(body)}</tbody></table>'


def _mix(mix: dict[str, float]) -> str:
    return ", ".join(f"{escape(label)} {share:.1%}" for label, share in mix.items())


def _drift(report: dict[str, Any]) -> str:
    run = report["run"]
    items = ["<li>Label mix of the whole run: " + _mix(run["label_mix"])
             + f"; mean top probability {run['mean_top_probability']:.3f}; "
             f"{run['low_confidence_share']:.1%} of sentences under {run['recheck_below']:g}.</li>"]
    if "reference" in run:
        items.append(f"<li>Reference ({escape(run['reference'])}): " + _mix(run["reference_mix"])
                     + f"; JS distance of the run's mix {_number(run['js_reference'])}.</li>")
    else:
        items.append("<li>No reference label mix: periods are compared with earlier periods only.</li>")
    items += [f'<li class="flag">Whole run: {escape(flag)}</li>' for flag in run["flags"]]
    flagged = [p for p in report["periods"] if p["drift"]["flags"]]
    items += [f'<li class="flag"><b>{escape(p["period"])}</b>: {escape("; ".join(p["drift"]["flags"]))}</li>'
              for p in flagged]
    unjudged = [p["period"] for p in report["periods"] if not p["drift"]["judged"]]
    if not flagged:
        items.append("<li>No period flagged.</li>")
    if unjudged:
        items.append(f"<li>{len(unjudged)} period(s) with fewer than {report['min_sentences']} sentences are "
                     "measured but not flagged: " + escape(", ".join(unjudged)) + ".</li>")
    return f'<ul id="drift">{"".join(items)}</ul>'


def _examples(report: dict[str, Any]) -> str:
    blocks = []
    for period in report["periods"]:
        parts = []
        for label, examples in period["examples"].items():
            if not examples:
                continue
            lines = "".join(f'<li><q>{escape(e["text"])}</q> <span class="ci">p={e["probability"]:.3f}'
                            f'</span> {_article_link(e["article_id"])}</li>' for e in examples)
            parts.append(f'<div><b>{escape(label)}</b><ul class="examples">{lines}</ul></div>')
        blocks.append(f'<details><summary>{escape(period["period"])}</summary>{"".join(parts)}</details>')
    return "".join(blocks)


def _articles(report: dict[str, Any]) -> str:
    rows = "".join(f'<tr id="{escape(article_anchor(article_id))}"><td class="key">{escape(article_id)}</td>'
                   f'<td class="key">{escape(info["published"] or "—")}</td>'
                   f'<td class="key">{escape(info["period"])}</td></tr>'
                   for article_id, info in report["articles_cited"].items())
    return ('<table id="articles"><thead><tr><th class="key">article id</th><th class="key">published</th>'
            f'<th class="key">period</th></tr></thead><tbody>{rows}</tbody></table>')


def render(report: dict[str, Any], charts: dict[str, tuple[bytes, str]]) -> str:
    """The whole page; ``charts`` maps a file name to its PNG bytes and alt text."""
    images = "".join(f'<figure><img src="{data_uri(png)}" alt="{escape(alt)}"><figcaption>{escape(alt)}'
                     "</figcaption></figure>" for png, alt in charts.values())
    by = report["by"] + (f", by {report['by_field']}" if report["by_field"] else "")
    intro = (f"{report['articles']} articles, {report['sentences']} sentences from "
             f"<code>{escape(report['source'])}</code>, per {escape(by)}; "
             f"{report['undated_articles']} articles ({report['undated_sentences']} sentences) have no "
             "usable date and are counted in the undated row. Shares are summed calibrated probabilities "
             f"over sentences, with {report['level']:.0%} bootstrap intervals over articles "
             f"({report['resamples']} resamples); argmax shares count each sentence's top label.")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>warlens trend report</title>
<style>{STYLE}</style></head><body>
<h1>warlens trend report</h1>
<p id="intro">{intro}</p>
<h2>Drift</h2>{_drift(report)}
<h2>Charts</h2>{images}
<h2>Per period</h2>{_table(report)}
<h2>Most confident sentences per label and period</h2>{_examples(report)}
<h2>Cited articles</h2>{_articles(report)}
</body></html>
"""
