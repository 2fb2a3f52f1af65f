"""Remittance advices printed by Chromium from HTML, with known truth.

reportlab places every string where it is told; real advices often come from browsers,
report writers and office suites, whose PDFs have kerned glyph runs, their own word
spacing and tables laid out by a layout engine (Chromium repeats a table's header on every
printed page by itself). This generator writes the same content model as
``remittances.py`` as HTML in three structures and prints it with Chromium:

- ``html_bordered``: a bordered table, fields as a label/value table on the right
- ``html_plain``: no borders, amounts right-aligned, fields as "Label: value" paragraphs
- ``html_sentence``: the payment told in a sentence, a zebra table
"""

import html
import random

from tests.generators.remittances import (_cell_texts, _fmt_total, _head_texts, _symbol, contract_json, fmt_date,
                                          fmt_money, make_truth)

HTML_LAYOUTS = ["html_bordered", "html_plain", "html_sentence"]
FONTS = ["Arial, Helvetica, sans-serif", "'Times New Roman', Times, serif", "'Courier New', Courier, monospace",
         "'DejaVu Sans', sans-serif"]
MONEY = {"gross", "discount", "deduction", "paid"}


def remittance_html(seed: int, layout: str) -> tuple[str, dict]:
    """The HTML of one advice and its truth (contract 1's JSON)."""
    rng = random.Random(seed)
    truth, style = make_truth(rng, "aligned_text")
    style["layout"] = layout
    e = html.escape
    font = rng.choice(FONTS)
    size = rng.choice([9, 10, 11])
    fields = {
        style["labels"]["payment_reference"]: truth["payment_reference"],
        style["labels"]["payment_date"]: fmt_date(truth["payment_date"], style["date_format"]),
        style["labels"]["payment_method"]: style["method_word"],
        style["labels"]["total"]: _fmt_total(truth, style),
    }
    if style["currency_shown"] == "label":
        fields[style["labels"]["currency"]] = truth["currency"]
    heads = _head_texts(style)
    border = "1px solid #444" if layout == "html_bordered" else "none"
    parts = [f"""<!doctype html><html><head><meta charset="utf-8"><style>
body {{ font-family: {font}; font-size: {size}pt; margin: 0; }}
table.lines {{ border-collapse: collapse; width: 100%; margin-top: 14pt; }}
table.lines th, table.lines td {{ border: {border}; padding: 2pt 6pt; }}
table.lines th {{ text-align: left; }}
table.lines .m {{ text-align: right; }}
table.lines tbody tr:nth-child(even) {{ background: {'#eee' if layout == 'html_sentence' else 'none'}; }}
.fields {{ float: right; }} .fields td {{ padding: 1pt 8pt; }}
h1 {{ font-size: {size + 6}pt; margin: 0 0 4pt 0; }}
</style></head><body>"""]
    title = rng.choice(["Remittance Advice", "Payment Advice"])
    place = rng.choice(["letterhead", "title_from", "title_dash", "label", "right"])
    address = f"<div>{rng.randrange(10, 999)} Commerce Way</div><div>Springfield</div>"
    if place == "letterhead":
        parts.append(f"<h1>{e(truth['payer'])}</h1>{address}<h2>{title}</h2>")
    elif place == "title_from":
        parts.append(f"<h1>{title} from {e(truth['payer'])}</h1>{address}")
    elif place == "title_dash":
        parts.append(f"<h1>{e(truth['payer'])} &ndash; {title}</h1>{address}")
    elif place == "right":
        parts.append(f"<div style='text-align:right'><h1>{e(truth['payer'])}</h1>{address}</div><h2>{title}</h2>")
    else:
        fields = {style["labels"]["payer"]: truth["payer"], **fields}
        parts.append(f"<h2>{title}</h2>")
    if layout == "html_bordered":
        rows = "".join(f"<tr><td>{e(k)}</td><td>{e(v)}</td></tr>" for k, v in fields.items())
        parts.append(f"<table class='fields'>{rows}</table>")
        parts.append(f"<p>{e(style['labels']['payee'])}: {e(style['our_name'])}</p><div style='clear:both'></div>")
    elif layout == "html_plain":
        parts.extend(f"<div>{e(k)}: {e(v)}</div>" for k, v in fields.items())
        parts.append(f"<p>{e(style['labels']['payee'])}: {e(style['our_name'])}</p>")
    else:
        if place == "label":
            parts.append(f"<p>{e(style['labels']['payer'])}: {e(truth['payer'])}</p>")
        amount = _fmt_total(truth, style)
        symbol = _symbol(truth["currency"])
        if not any(ch.isalpha() for ch in amount) and not (symbol and symbol in amount):
            amount = f"{truth['currency']} {amount}"
        parts.append(f"<p>Payment of {e(amount)} was sent on "
                     f"{e(fmt_date(truth['payment_date'], style['date_format']))} by {e(style['method_word'])}, "
                     f"reference {e(truth['payment_reference'])}.</p>")
    header = "".join(f"<th class='{'m' if role in MONEY else ''}'>{e(' '.join(heads[role]))}</th>"
                     for role in style["order"])
    body = []
    for line in truth["lines"]:
        cells = _cell_texts(line, style)
        body.append("<tr>" + "".join(f"<td class='{'m' if role in MONEY else ''}'>{e(cells[role])}</td>"
                                     for role in style["order"]) + "</tr>")
    total_cells = ["" for _ in style["order"]]
    total_cells[0] = style["total_row"]
    total_cells[-1 if style["order"][-1] == "paid" else style["order"].index("paid")] = \
        fmt_money(truth["total"], style)
    foot = "<tr>" + "".join(f"<td class='{'m' if role in MONEY else ''}'><b>{e(t)}</b></td>"
                            for role, t in zip(style["order"], total_cells)) + "</tr>"
    parts.append(f"<table class='lines'><thead><tr>{header}</tr></thead><tbody>{''.join(body)}</tbody>"
                 f"<tbody>{foot}</tbody></table></body></html>")
    return "".join(parts), contract_json(truth)


def write_html_corpus(folder, count: int, seed: int = 0, browser=None) -> list[tuple[object, dict, str]]:
    """Print ``count`` advices with Chromium into ``folder``; return (path, truth, layout) for each.

    :param browser: a running Playwright Browser to print with (the tests' session browser:
        one process may run only one sync Playwright at a time); None starts one.
    """
    from contextlib import nullcontext
    from pathlib import Path

    from bots.runtime.browser import open_browser

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    corpus = []
    with (nullcontext(browser) if browser else open_browser()) as printer:
        page = printer.new_page()
        for i in range(count):
            layout = HTML_LAYOUTS[i % len(HTML_LAYOUTS)]
            source, truth = remittance_html(seed + i, layout)
            page.set_content(source)
            path = folder / f"remittance_{layout}_{seed + i:05d}.pdf"
            page.pdf(path=str(path), format=truth and "Letter", margin={"top": "40px", "bottom": "40px",
                                                                           "left": "40px", "right": "40px"})
            corpus.append((path, truth, layout))
        page.close()
    return corpus
