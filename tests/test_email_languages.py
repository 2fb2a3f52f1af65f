"""Orders in German, French, Spanish, Dutch, Italian and Portuguese
(tests/generators/multilingual_order_emails.py) parse to their contract-2 truth, in every
attachment type and in the body; then one test for each thing the corpus taught the parser."""

import collections
import json
import random
import re
from email.message import EmailMessage

import pytest

from inbox_parsers.email import parse_email
from inbox_parsers.purchase_orders import orders_from_file, orders_from_text
from inbox_parsers.purchase_orders.columns import column_role
from inbox_parsers.purchase_orders.files import po_number_in_file_name
from inbox_parsers.purchase_orders.labels import find_po_number, find_requested_date
from tests.generators.multilingual_order_emails import FORMATS, LANGUAGES, comparable, corpus, make_case

BODY_AND_FILES = [name for name in FORMATS if name != "pdf"]  # PDFs need the browser


def _wrong(cases) -> dict:
    """{format-index: (truth, got)} for every case that does not parse to exactly its truth."""
    got = [comparable(parse_email(case.raw)) for case in cases]
    return {f"{case.fmt}-{index}": (case.truth, mine) for index, (case, mine) in enumerate(zip(cases, got))
            if mine != case.truth}


def test_the_generator_writes_every_language_in_every_format_with_its_truth():
    cases = corpus(len(LANGUAGES) * len(BODY_AND_FILES), seed=1, formats=BODY_AND_FILES)
    assert collections.Counter(case.fmt for case in cases) == {f"{lang}-{fmt}": 1 for lang in LANGUAGES
                                                               for fmt in BODY_AND_FILES}
    first, again = make_case("csv", "de", random.Random(4)), make_case("csv", "de", random.Random(4))
    assert first.truth == again.truth
    assert [part.get_content() for part in first.message.iter_attachments()] == \
        [part.get_content() for part in again.message.iter_attachments()]  # the same seed writes the same file


def test_hundreds_of_orders_in_six_languages_read_exactly():
    cases = corpus(300, seed=20261203, formats=BODY_AND_FILES)
    wrong = _wrong(cases)
    shown = {name: json.dumps(pair, ensure_ascii=False)[:600] for name, pair in list(wrong.items())[:5]}
    assert not wrong, f"{len(wrong)}/{len(cases)} wrong: {shown}"


def test_contract_2_holds_for_the_orders_in_six_languages():
    """Beyond the truth: each order says where it came from, names the buyer's company (not
    the person who wrote), and prints quantities and prices the way contract 2 wants them."""
    for case in corpus(60, seed=20261205, formats=BODY_AND_FILES):
        result = parse_email(case.raw)
        files = [part.get_filename() for part in case.message.iter_attachments()]
        [order] = result["orders"]
        assert order["source"] == (f"attachment {files[0]}" if files else "body"), case.fmt
        assert order["customer"]["name"] == case.companies[0], case.fmt
        assert order["requested_date"] is None or re.fullmatch(r"\d{4}-\d{2}-\d{2}", order["requested_date"])
        for line in order["lines"]:
            assert re.fullmatch(r"\d+(?:\.\d+)?", line["quantity"]) and re.fullmatch(r"\d+\.\d{2}", line["unit_price"])
            assert line["description"], case.fmt


def test_pdf_orders_in_six_languages_read_exactly(browser):
    cases = corpus(len(LANGUAGES) * 3, seed=20261204, formats=["pdf"], browser=browser)
    assert all(b"application/pdf" in case.raw for case in cases)
    assert _wrong(cases) == {}


# --- one test per thing the corpus taught ---------------------------------------------------------

def _mail(body: str, subject: str, attachments=(), sender="einkauf@brenner-haustechnik.de") -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"], msg["Message-ID"] = sender, "orders@o2c-supply.example.com", subject, "<l@x>"
    msg["Date"] = "Tue, 24 Nov 2026 09:12:00 +0100"
    msg.set_content(body)
    for name, data in attachments:
        msg.add_attachment(data, maintype="text", subtype="csv", filename=name)
    return msg.as_bytes()


def test_a_german_subject_and_a_csv_named_after_the_order_keep_the_po_number():
    csv = "Artikelnummer;Bezeichnung;Menge;Einzelpreis\r\nNW-4410;Kugelhahn;1.500;18,75\r\nAB-100;Dichtung;2,5;1.204,50\r\n"
    for subject, name in [("Bestellung", "4500012345.csv"), ("Neue Bestellung", "2026-4471.csv"),
                          ("Bestellung 4500012345", "4500012345.csv"), ("Auftrag", "Bestellung_BE-26-00077.csv")]:
        [order] = parse_email(_mail("Anbei unsere Bestellung.\n\nMit freundlichen Grüßen\nKarin Becker\n", subject,
                                    [(name, csv.encode("cp1252"))]))["orders"]
        assert order["po_number"] == name.rsplit(".", 1)[0].split("_")[-1], (subject, name)
        assert [(line["sku"], line["quantity"], line["unit_price"]) for line in order["lines"]] == [
            ("NW-4410", "1500", "18.75"), ("AB-100", "2.5", "1204.50")]


@pytest.mark.parametrize("name, number, labelled", [
    ("PO4500012345.csv", "4500012345", True), ("Bestellung_2026-4471.xlsx", "2026-4471", True),
    ("order-2026-4471.pdf", "2026-4471", True), ("Commande_BE-26-00077.csv", "BE-26-00077", True),
    ("4500012345.csv", "4500012345", False), ("BE-26-00077.xlsx", "BE-26-00077", False),
    ("OC_2026-4471.csv", "2026-4471", False), ("BDC 4711.pdf", "4711", False),
    ("scan.pdf", None, False), ("2026-11-20.csv", None, False), ("20261120.csv", None, False),
    ("export 2.csv", None, False), ("Rechnung_4711.pdf", None, False), ("purchase_order.csv", None, False),
])
def test_the_po_number_a_file_name_gives(name, number, labelled):
    assert po_number_in_file_name(name) == (number, labelled)


def test_a_bare_number_file_name_does_not_override_the_po_the_email_gives():
    csv = b"Artikel;Menge;Preis\nNW-4410;24;18,75\n"
    [order] = parse_email(_mail("Bitte liefern.\n", "Bestellung 4711", [("IMG_1234.csv", csv)]))["orders"]
    assert order["po_number"] == "4711"
    [order] = parse_email(_mail("Bitte liefern.\n", "Bestellung PO/2026/118", [("PO-2026-118.csv", csv)]))["orders"]
    assert order["po_number"] == "PO/2026/118"  # the file name could not hold the slashes


@pytest.mark.parametrize("line, number", [
    ("Bestellung 2026-4471", "2026-4471"), ("Bestell-Nr.: PO/2026/118", "PO/2026/118"), ("Auftrags-Nr.: 4711", "4711"),
    ("Auftrag BE-26-00077", "BE-26-00077"), ("N° de commande : 4500012345", "4500012345"),
    ("Bon de commande 2026-4471", "2026-4471"), ("Commande n° 4711", "4711"), ("Pedido n.º 2026-4471", "2026-4471"),
    ("N.º pedido: 4711", "4711"), ("Orden de compra 4711", "4711"), ("Bestelling 2026-4471", "2026-4471"),
    ("Bestelnr.: 4711", "4711"), ("Inkoopordernummer: 4711", "4711"), ("N. ordine: 4711", "4711"),
    ("Ordine d'acquisto PO/2026/118", "PO/2026/118"), ("Nº da encomenda: 4711", "4711"),
    ("Nota de encomenda BE-26-00077", "BE-26-00077"),
    ("Bestellung vom 20.11.2026", None), ("Fecha de pedido: 10 de noviembre de 2026", None),
    ("Commande du 20/11/2026", None), ("Neue Bestellung", None), ("Auftragsbestätigung 4711", None),
])
def test_order_number_labels_in_six_languages(line, number):
    assert find_po_number([line]) == number


@pytest.mark.parametrize("line, printed", [
    ("Liefertermin: 13. Januar 2027", "13. Januar 2027"), ("Date de livraison : 13 janvier 2027", "13 janvier 2027"),
    ("Fecha de entrega: 13 de enero de 2027", "13 de enero de 2027"), ("Gewenste leverdatum: 13 januari 2027", "13 januari 2027"),
    ("Data di consegna: 13 gennaio 2027", "13 gennaio 2027"), ("Prazo de entrega: 13 de janeiro de 2027", "13 de janeiro de 2027"),
    ("Entrega prevista: 13-01-2027", "13-01-2027"), ("Consegna richiesta: 13/01/2027", "13/01/2027"),
])
def test_requested_date_labels_and_month_names_in_six_languages(line, printed):
    assert find_requested_date(["Bestelldatum: 20.11.2026", line]) == printed


@pytest.mark.parametrize("header, role", [
    ("Artikel", "item"), ("Artikelnummer", "item"), ("Ihre Artikelnummer", "sku"), ("Bestellmenge", "quantity"),
    ("Einzelpreis", "unit_price"), ("Référence", "item"), ("Quantité", "quantity"), ("Prix unitaire", "unit_price"),
    ("P.U. HT", "unit_price"), ("Cantidad", "quantity"), ("Precio", "unit_price"), ("Ref. proveedor", "sku"),
    ("Aantal", "quantity"), ("Stukprijs", "unit_price"), ("Omschrijving", "description"), ("Uw artikelnummer", "sku"),
    ("Quantità", "quantity"), ("Q.tà", "quantity"), ("Prezzo unitario", "unit_price"), ("Codice articolo", "item"),
    ("Vs. codice", "sku"), ("Quantidade", "quantity"), ("Preço unitário", "unit_price"), ("Descrição", "description"),
    ("Ref. fornecedor", "sku"), ("Importo", "amount"), ("Totaal", "amount"), ("Valor", "amount"), ("U.M.", "uom"),
])
def test_column_headers_in_six_languages(header, role):
    assert column_role(header) == role


@pytest.mark.parametrize("total", ["Gesamtsumme", "Totaal", "Totale", "Total TTC", "Zwischensumme"])
def test_a_totals_row_in_the_buyers_language_is_no_order_line(total):
    text = f"Artikel\tMenge\tPreis\nNW-4410\t24\t18,75\n\t{total}\t450,00\n"
    [order] = orders_from_text(text)
    assert [(line["sku"], line["quantity"]) for line in order["lines"]] == [("NW-4410", "24")]


def test_decimal_commas_and_thousands_dots_or_spaces():
    csv = ("Référence;Désignation;Quantité;Prix unitaire;Montant\n"
           "NW-4410;Robinet;1\u202f500;1\u202f204,50;1\u202f806\u202f750,00\nAB-100;Joint;2,5;18,75;46,88\n").encode()
    [order] = orders_from_file("Commande_2026-4471.csv", csv)
    assert order["po_number"] == "2026-4471"
    assert [(line["quantity"], line["unit_price"]) for line in order["lines"]] == [("1500", "1204.50"), ("2.5", "18.75")]
