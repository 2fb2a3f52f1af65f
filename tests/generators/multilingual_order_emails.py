"""Order emails from buyers who write German, French, Spanish, Dutch, Italian or Portuguese,
each with its contract-2 truth.

Usage::

    from tests.generators.multilingual_order_emails import FORMATS, LANGUAGES, corpus

    for case in corpus(300, seed=7):          # PDF cases are printed with headless Chromium
        assert comparable(parse_email(case.raw)) == case.truth

Each email is one order in one language, in one of the attachment types (CSV, XLSX, PDF) or
in the body (an HTML table, plain text). The language shows everywhere a buyer's system
puts it: the subject ("Bestellung 2026-4471", "Nouvelle commande"), the file name
("Bestellung_4500012345.csv", "BE-26-00077.xlsx"), the header labels ("Bestell-Nr.",
"N° de commande", "Nº de pedido", "Bestelnummer", "Numero ordine", "Nº da encomenda";
"Liefertermin", "Date de livraison", "Fecha de entrega", "Leverdatum", "Data di consegna",
"Prazo de entrega"), the column headers (Artikelnummer, Menge, Einzelpreis, Référence,
Quantité, Prix unitaire, Cantidad, Precio, Aantal, Stukprijs, Quantità, Prezzo unitario,
Quantidade, Preço unitário...), month names, decimal commas and thousands dots (or spaces).

The PO number (shaped 2026-4471, 4500012345, PO/2026/118, BE-26-00077...) is where buyers
put it: labelled in the document, or only in the subject, or only in the attachment's file
name (a German subject with no number and a CSV named after the order). ``Case.truth`` is
``wild_order_emails.truth_of``: status, and per order the PO number, the requested date,
the customer's email and the lines (sku, quantity, unit price); ``comparable`` reduces a
``parse_email`` result to the same.
"""

import csv
import html
import io
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from email.message import EmailMessage
from email.utils import format_datetime

from tests.generators.wild_order_emails import Case, Line, Order, comparable, render_pdfs, truth_of

__all__ = ["FORMATS", "LANGUAGES", "Case", "comparable", "corpus", "make_case"]

OUR_DOMAIN = "o2c-supply.example.com"


@dataclass(frozen=True)
class Language:
    """How buyers writing one language label, name and print an order."""

    code: str
    companies: tuple  # (company, domain)
    cities: tuple
    first_names: tuple
    last_names: tuple
    months: tuple
    long_dates: tuple  # str.format patterns over d (day), month (name), y (year)
    short_dates: tuple  # str.format patterns over d, m, y (zero padded)
    thousands: tuple  # thousands separators this language prints
    po_labels: tuple
    order_date_labels: tuple
    requested_labels: tuple
    ship_to_labels: tuple
    subjects_with_po: tuple
    subjects_without_po: tuple
    file_stems: tuple  # str.format patterns over po
    sku_labels: tuple
    description_labels: tuple
    quantity_labels: tuple
    price_labels: tuple
    amount_labels: tuple
    uom_labels: tuple
    units: tuple
    nouns: tuple
    title: str
    greeting: tuple
    attached: tuple  # "please find our order attached"
    below: tuple  # "please deliver the following"
    closing: str
    total: str


LANGUAGES = {
    "de": Language(
        "de", (("Brenner Haustechnik GmbH", "brenner-haustechnik.de"), ("Kraemer Bürobedarf KG", "kraemer-buero.de"),
               ("Alpen Gastro Service AG", "alpengastro.at"), ("Nordhafen Handel GmbH", "nordhafen-handel.de")),
        ("Hafenstraße 12, 20457 Hamburg", "Industriestr. 5, 50667 Köln", "Am Markt 3, 80331 München"),
        ("Bernd", "Karin", "Jürgen", "Anja", "Lukas"), ("Schmidt", "Müller", "Becker", "Wagner", "Hoffmann"),
        ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November",
         "Dezember"),
        ("{d}. {month} {y}",), ("{d:02d}.{m:02d}.{y}", "{d}.{m}.{y}", "{y}-{m:02d}-{d:02d}"), (".",),
        ("Bestellnummer", "Bestell-Nr.", "Bestellung Nr.", "Auftragsnummer", "Auftrags-Nr.", "Bestellung", "Auftrag"),
        ("Bestelldatum", "Datum", "Auftragsdatum"),
        ("Liefertermin", "Lieferdatum", "Wunschtermin", "Gewünschter Liefertermin"),
        ("Lieferadresse", "Lieferanschrift"),
        ("Bestellung {po}", "Auftrag {po}", "Unsere Bestellung Nr. {po}", "Bestellung Nr. {po}"),
        ("Bestellung", "Neue Bestellung", "Unsere Bestellung", "Auftrag"),
        ("Bestellung_{po}", "{po}", "Auftrag-{po}", "Bestellung {po}"),
        ("Artikelnummer", "Artikel-Nr.", "Art.-Nr.", "Artikel", "Ihre Artikelnummer"),
        ("Bezeichnung", "Beschreibung", "Artikelbezeichnung"),
        ("Menge", "Anzahl", "Bestellmenge"), ("Einzelpreis", "Preis", "Stückpreis", "Preis/Stk."),
        ("Gesamtpreis", "Betrag", "Gesamt"), ("Einheit", "ME"), ("Stk", "Karton", "kg"),
        ("Kugelhahn", "Dichtung", "Schraube M8x40", "Handseife 500ml", "Kabelbinder", "Papierhandtücher"),
        "BESTELLUNG", ("Guten Tag,", "Sehr geehrte Damen und Herren,", "Hallo,"),
        ("anbei unsere Bestellung.", "im Anhang finden Sie unsere Bestellung.", "bitte liefern Sie gemäß beigefügter Bestellung."),
        ("bitte liefern Sie folgende Artikel:", "wir bestellen hiermit:"), "Mit freundlichen Grüßen", "Gesamtsumme"),
    "fr": Language(
        "fr", (("Maison Dufresne SARL", "dufresne.fr"), ("Boulangeries Martin SAS", "boulangeries-martin.fr"),
               ("Quincaillerie Lefèvre", "lefevre-quincaillerie.fr"), ("Hôtel du Parc SA", "hotelduparc.be")),
        ("12 rue de la Gare, 69007 Lyon", "ZI Les Portes, 5 allée Verte, 33000 Bordeaux", "8 quai Fulchiron, 44000 Nantes"),
        ("Chloé", "Julien", "Camille", "Pierre", "Élodie"), ("Moreau", "Dubois", "Lefèvre", "Laurent", "Girard"),
        ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre",
         "décembre"),
        ("{d} {month} {y}",), ("{d:02d}/{m:02d}/{y}", "{d:02d}.{m:02d}.{y}", "{y}-{m:02d}-{d:02d}"), (" ", "\u202f", "."),
        ("N° de commande", "Numéro de commande", "Bon de commande", "Commande", "Commande n°", "N° commande"),
        ("Date de commande", "Date"), ("Date de livraison", "Livraison souhaitée", "Date de livraison souhaitée"),
        ("Adresse de livraison", "Livrer à"),
        ("Commande {po}", "Bon de commande {po}", "Commande n° {po}", "Notre commande {po}"),
        ("Nouvelle commande", "Commande", "Bon de commande"),
        ("Commande_{po}", "BDC_{po}", "{po}", "Bon de commande {po}"),
        ("Référence", "Réf.", "Référence fournisseur", "Code article"), ("Désignation", "Description", "Libellé"),
        ("Quantité", "Qté"), ("Prix unitaire", "P.U. HT", "Prix unitaire HT"), ("Montant", "Montant HT", "Total HT"),
        ("Unité",), ("pièce", "carton", "kg"),
        ("Robinet à bille", "Joint plat", "Vis M8x40", "Savon mains 500ml", "Serre-câbles", "Essuie-mains"),
        "BON DE COMMANDE", ("Bonjour,", "Madame, Monsieur,"),
        ("veuillez trouver ci-joint notre commande.", "ci-joint notre bon de commande.", "merci de traiter la commande jointe."),
        ("merci de nous livrer les articles suivants :", "nous vous commandons :"), "Cordialement", "Total TTC"),
    "es": Language(
        "es", (("Suministros Ibéricos S.L.", "suministros-ibericos.es"), ("Hostelería García S.A.", "hosteleriagarcia.es"),
               ("Ferretería Navarro", "ferreterianavarro.es")),
        ("Calle Mayor 14, 28013 Madrid", "Av. Diagonal 210, 08018 Barcelona", "Calle Colón 5, 46004 Valencia"),
        ("Lucía", "Javier", "Carmen", "Sergio"), ("García", "Navarro", "López", "Martínez"),
        ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre",
         "diciembre"),
        ("{d} de {month} de {y}",), ("{d:02d}/{m:02d}/{y}", "{d:02d}-{m:02d}-{y}", "{d}/{m}/{y}"), (".",),
        ("Nº de pedido", "Número de pedido", "Pedido", "Pedido n.º", "Orden de compra", "N.º pedido"),
        ("Fecha de pedido", "Fecha"), ("Fecha de entrega", "Entrega prevista", "Fecha de entrega solicitada"),
        ("Dirección de entrega", "Entregar en"),
        ("Pedido {po}", "Pedido n.º {po}", "Orden de compra {po}", "Nuestro pedido {po}"),
        ("Nuevo pedido", "Pedido", "Orden de compra"),
        ("Pedido_{po}", "{po}", "OC_{po}", "Pedido {po}"),
        ("Referencia", "Código", "Código de artículo", "Ref. proveedor"), ("Descripción", "Concepto"),
        ("Cantidad", "Cant."), ("Precio", "Precio unitario", "Precio unit."), ("Importe", "Total"),
        ("Unidad",), ("ud", "caja", "kg"),
        ("Válvula de bola", "Junta plana", "Tornillo M8x40", "Jabón de manos 500ml", "Bridas", "Toallas de papel"),
        "PEDIDO", ("Hola,", "Buenos días,", "Estimados señores:"),
        ("adjuntamos nuestro pedido.", "les enviamos adjunto el pedido.", "por favor, tramiten el pedido adjunto."),
        ("les rogamos nos envíen lo siguiente:", "solicitamos los siguientes artículos:"), "Saludos cordiales", "Total"),
    "nl": Language(
        "nl", (("Vandermolen Groothandel B.V.", "vandermolen.nl"), ("De Vries Horeca B.V.", "devrieshoreca.nl"),
               ("Bakkerij Jansen", "bakkerijjansen.be")),
        ("Havenweg 12, 3011 Rotterdam", "Stationsplein 4, 1012 AB Amsterdam", "Kerkstraat 9, 3500 Utrecht"),
        ("Sanne", "Daan", "Femke", "Pieter"), ("de Vries", "Jansen", "Bakker", "Visser"),
        ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november",
         "december"),
        ("{d} {month} {y}",), ("{d:02d}-{m:02d}-{y}", "{d:02d}/{m:02d}/{y}", "{d}-{m}-{y}"), (".",),
        ("Bestelnummer", "Bestelling", "Bestelnr.", "Inkoopordernummer", "Ordernummer"),
        ("Besteldatum", "Datum", "Orderdatum"), ("Leverdatum", "Gewenste leverdatum", "Afleverdatum"),
        ("Afleveradres", "Leveradres"),
        ("Bestelling {po}", "Inkooporder {po}", "Onze bestelling {po}", "Bestelling nr. {po}"),
        ("Nieuwe bestelling", "Bestelling", "Inkooporder"),
        ("Bestelling_{po}", "{po}", "Inkooporder-{po}"),
        ("Artikelnummer", "Artikelnr.", "Art.nr.", "Uw artikelnummer"), ("Omschrijving", "Artikelomschrijving"),
        ("Aantal",), ("Prijs", "Stukprijs", "Prijs per stuk", "Eenheidsprijs"), ("Bedrag", "Totaal", "Regeltotaal"),
        ("Eenheid",), ("st", "doos", "kg"),
        ("Kogelkraan", "Pakking", "Schroef M8x40", "Handzeep 500ml", "Kabelbinders", "Papieren handdoeken"),
        "INKOOPORDER", ("Beste,", "Goedemorgen,", "Geachte heer/mevrouw,"),
        ("in de bijlage vindt u onze bestelling.", "bijgaand onze inkooporder.", "graag de bijgevoegde bestelling leveren."),
        ("graag leveren:", "wij bestellen het volgende:"), "Met vriendelijke groet", "Totaal"),
    "it": Language(
        "it", (("Ferraris Ricambi S.r.l.", "ferrarisricambi.it"), ("Ristorazione Bianchi S.p.A.", "bianchi-ristorazione.it"),
               ("Idraulica Conti", "idraulicaconti.it")),
        ("Via Roma 12, 20121 Milano", "Corso Vittorio Emanuele 40, 10121 Torino", "Via dei Mille 3, 40121 Bologna"),
        ("Giulia", "Marco", "Francesca", "Luca"), ("Rossi", "Bianchi", "Conti", "Ferrari"),
        ("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre", "ottobre",
         "novembre", "dicembre"),
        ("{d} {month} {y}",), ("{d:02d}/{m:02d}/{y}", "{d:02d}.{m:02d}.{y}", "{d}/{m}/{y}"), (".",),
        ("Numero ordine", "N. ordine", "Ordine", "Ordine n.", "Ordine d'acquisto", "Nr. ordine"),
        ("Data ordine", "Data"), ("Data di consegna", "Consegna richiesta", "Data consegna"),
        ("Indirizzo di consegna", "Destinazione merce"),
        ("Ordine {po}", "Ordine n. {po}", "Ordine d'acquisto {po}", "Nostro ordine {po}"),
        ("Nuovo ordine", "Ordine", "Ordine d'acquisto"),
        ("Ordine_{po}", "{po}", "ODA_{po}", "Ordine {po}"),
        ("Codice articolo", "Codice", "Cod. articolo", "Vs. codice"), ("Descrizione",),
        ("Quantità", "Q.tà", "Qtà"), ("Prezzo unitario", "Prezzo", "Prezzo unit."), ("Importo", "Totale"),
        ("U.M.", "Unità"), ("pz", "cf", "kg"),
        ("Valvola a sfera", "Guarnizione", "Vite M8x40", "Sapone mani 500ml", "Fascette", "Asciugamani di carta"),
        "ORDINE D'ACQUISTO", ("Buongiorno,", "Gentili signori,", "Salve,"),
        ("in allegato il nostro ordine.", "vi inviamo in allegato l'ordine.", "si prega di evadere l'ordine allegato."),
        ("vi preghiamo di fornirci:", "ordiniamo quanto segue:"), "Cordiali saluti", "Totale"),
    "pt": Language(
        "pt", (("Distribuidora Lusitana Lda.", "lusitana.pt"), ("Restaurantes Costa S.A.", "costa-restaurantes.pt"),
               ("Ferragens Almeida", "ferragensalmeida.pt")),
        ("Rua Augusta 100, 1100-053 Lisboa", "Avenida da Boavista 500, 4100-111 Porto", "Rua do Sol 7, 3000-001 Coimbra"),
        ("Inês", "João", "Beatriz", "Tiago"), ("Costa", "Almeida", "Ferreira", "Santos"),
        ("janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro", "novembro",
         "dezembro"),
        ("{d} de {month} de {y}",), ("{d:02d}/{m:02d}/{y}", "{d:02d}-{m:02d}-{y}", "{y}-{m:02d}-{d:02d}"), (".", " "),
        ("Nº da encomenda", "Número da encomenda", "Encomenda", "Encomenda n.º", "Nota de encomenda", "Pedido de compra"),
        ("Data da encomenda", "Data"), ("Data de entrega", "Prazo de entrega", "Entrega prevista"),
        ("Morada de entrega", "Local de entrega", "Endereço de entrega"),
        ("Encomenda {po}", "Nota de encomenda {po}", "Encomenda n.º {po}", "A nossa encomenda {po}"),
        ("Nova encomenda", "Encomenda", "Nota de encomenda"),
        ("Encomenda_{po}", "{po}", "NE_{po}", "Encomenda {po}"),
        ("Referência", "Código", "Código do artigo", "Ref. fornecedor"), ("Descrição", "Designação"),
        ("Quantidade", "Qtd.", "Qtd"), ("Preço unitário", "Preço", "Preço unit."), ("Valor", "Total", "Montante"),
        ("Unidade", "Un."), ("un", "cx", "kg"),
        ("Válvula de esfera", "Junta", "Parafuso M8x40", "Sabonete 500ml", "Abraçadeiras", "Toalhas de papel"),
        "NOTA DE ENCOMENDA", ("Bom dia,", "Olá,", "Exmos. Senhores,"),
        ("segue em anexo a nossa encomenda.", "junto enviamos a nota de encomenda.", "agradecemos o envio da encomenda em anexo."),
        ("agradecemos o fornecimento de:", "encomendamos o seguinte:"), "Com os melhores cumprimentos", "Total"),
}

# PO numbers in the shapes European buyers' systems print; those with a slash cannot be a file name.
PO_SHAPES = [
    lambda rng: f"{rng.choice([2026, 2027])}-{rng.randint(1000, 9999)}",
    lambda rng: f"45000{rng.randint(10000, 99999)}",
    lambda rng: f"PO/{rng.choice([2026, 2027])}/{rng.randint(100, 999)}",
    lambda rng: f"{rng.choice(['BE', 'KA', 'NL', 'IT'])}-{rng.randint(20, 29)}-{rng.randint(1, 99999):05d}",
    lambda rng: f"{rng.randint(100000, 999999)}",
    lambda rng: f"A{rng.randint(10000, 99999)}",
]


def _sku(rng) -> str:
    return rng.choice([lambda: f"{rng.choice(['NW', 'HX', 'PT', 'BR'])}-{rng.randint(1000, 9999)}",
                       lambda: f"{rng.choice(['AC', 'ZF'])}-{rng.randint(10, 99)}-{rng.randint(100, 999)}",
                       lambda: f"{rng.choice(['PX', 'QM'])}{rng.randint(1000, 9999)}{rng.choice('ABC')}"])()


def _quantity(rng) -> Decimal:
    roll = rng.random()
    if roll < 0.12:
        return Decimal(rng.choice(["2.5", "0.5", "12.5", "7.25"]))
    if roll < 0.3:
        return Decimal(rng.choice([1000, 1200, 2500, 1500, 3000, 10000]))
    return Decimal(rng.randint(1, 240))


def _price(rng) -> Decimal:
    return Decimal(rng.randint(100000, 450000) if rng.random() < 0.2 else rng.randint(45, 49999)) / 100


@dataclass
class _Written:
    """One generated order with the language and how it is printed."""

    order: Order
    lang: Language
    thousands: str
    po_in: str  # "document", "subject" or "file"


def new_order(rng, lang: Language, po_in: str) -> _Written:
    company, domain = rng.choice(lang.companies)
    first, last = rng.choice(lang.first_names), rng.choice(lang.last_names)
    local = rng.choice(["einkauf" if lang.code == "de" else "compras" if lang.code in ("es", "pt") else "achats"
                        if lang.code == "fr" else "inkoop" if lang.code == "nl" else "acquisti", "orders",
                        _ascii(f"{first}.{last}".lower().replace(" ", ""))])
    ordered = date(2026, 11, 1) + timedelta(days=rng.randint(0, 27))
    requested = ordered + timedelta(days=rng.randint(5, 70)) if rng.random() < 0.85 else None
    lines, skus = [], set()
    for _ in range(rng.randint(1, 6)):
        sku = _sku(rng)
        while sku in skus:
            sku = _sku(rng)
        skus.add(sku)
        lines.append(Line(sku, "", rng.choice(lang.nouns), _quantity(rng), _price(rng), rng.choice(lang.units)))
    po = rng.choice(PO_SHAPES)(rng)
    while po_in == "file" and "/" in po:
        po = rng.choice(PO_SHAPES)(rng)
    order = Order(po, ordered, requested, company, domain, "EU", f"{first} {last}", f"{local}@{domain}",
                  rng.choice(lang.cities), lines)
    return _Written(order, lang, rng.choice(lang.thousands), po_in)


def _ascii(text: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


# --- printing numbers and dates the way each language does ---------------------------------

def _number(value: Decimal, thousands: str, places: int | None = 2) -> str:
    """1234.5 as "1.234,50" (or "1 234,50"); ``places`` None prints a quantity as it is."""
    text = f"{value:,.{places}f}" if places is not None else f"{value.normalize():,f}"
    whole, _, cents = text.partition(".")
    whole = whole.replace(",", thousands)
    return f"{whole},{cents}" if cents else whole


def _money(w: _Written, value: Decimal, rng, symbol: bool | None = None) -> str:
    body = _number(value, w.thousands)
    if symbol is None:
        symbol = rng.random() < 0.4
    return rng.choice([f"{body} €", f"€ {body}", f"{body} EUR", f"EUR {body}"]) if symbol else body


def _qty(w: _Written, q: Decimal, rng) -> str:
    if q != q.to_integral():
        return _number(q, w.thousands, None)
    if q >= 1000 and rng.random() < 0.5:
        return _number(q, w.thousands, 0)
    return str(int(q))


def _date(w: _Written, d: date, rng) -> str:
    if rng.random() < 0.4:
        return rng.choice(w.lang.long_dates).format(d=d.day, month=w.lang.months[d.month - 1], y=d.year)
    return rng.choice(w.lang.short_dates).format(d=d.day, m=d.month, y=d.year)


# --- the document's parts ------------------------------------------------------------------

def _header_fields(w: _Written, rng) -> list[tuple[str, str]]:
    """(label, value) pairs of the order's header, in the language, shuffled as forms are."""
    o, lang = w.order, w.lang
    fields = [(rng.choice(lang.order_date_labels), _date(w, o.order_date, rng))]
    if w.po_in == "document":
        fields.append((rng.choice(lang.po_labels), o.po_number))
    if o.requested:
        fields.append((rng.choice(lang.requested_labels), _date(w, o.requested, rng)))
    fields.append((rng.choice(lang.ship_to_labels), o.ship_to))
    rng.shuffle(fields)
    return fields


def _table(w: _Written, rng) -> list[list[str]]:
    """Header row and one row per line: SKU, description, quantity, [unit], price, [amount]."""
    lang = w.lang
    cols = [(rng.choice(lang.sku_labels), lambda ln: ln.sku), (rng.choice(lang.description_labels), lambda ln: ln.description),
            (rng.choice(lang.quantity_labels), lambda ln: _qty(w, ln.quantity, rng))]
    if rng.random() < 0.5:
        cols.append((rng.choice(lang.uom_labels), lambda ln: ln.uom))
    cols.append((rng.choice(lang.price_labels), lambda ln: _money(w, ln.unit_price, rng)))
    if rng.random() < 0.7:
        cols.append((rng.choice(lang.amount_labels),
                     lambda ln: _money(w, (ln.quantity * ln.unit_price).quantize(Decimal("0.01")), rng)))
    if rng.random() < 0.3:
        cols.insert(0, (rng.choice(["Pos.", "Pos", "#", "Nr."]), None))
    rows = [[label for label, _ in cols]]
    for index, line in enumerate(w.order.lines, 1):
        rows.append([str(index * rng.choice([1, 10])) if fn is None else fn(line) for _, fn in cols])
    return rows


def _total_row(w: _Written, width: int, rng) -> list[str]:
    return [""] * (width - 2) + [w.lang.total, _money(w, w.order.total, rng, symbol=True)]


def _message(w: _Written, rng) -> EmailMessage:
    o = w.order
    msg = EmailMessage()
    msg["From"] = f'"{o.buyer}" <{o.email}>' if rng.random() < 0.7 else o.email
    msg["To"] = f"orders@{OUR_DOMAIN}"
    subjects = w.lang.subjects_with_po if w.po_in == "subject" or (w.po_in == "document" and rng.random() < 0.5) \
        else w.lang.subjects_without_po
    msg["Subject"] = rng.choice(subjects).format(po=o.po_number)
    msg["Date"] = format_datetime(datetime(2026, 11, rng.randint(1, 28), rng.randint(6, 18), rng.randint(0, 59),
                                           tzinfo=timezone.utc))
    msg["Message-ID"] = f"<{rng.randint(10 ** 11, 10 ** 12)}.{rng.randint(1000, 9999)}@{o.domain}>"
    return msg


def _signature(w: _Written) -> str:
    return f"{w.lang.closing}\n{w.order.buyer}\n{w.order.company}\n"


def _body_text(w: _Written, rng, intro: tuple) -> str:
    return f"{rng.choice(w.lang.greeting)}\n\n{rng.choice(intro).capitalize()}\n\n"


def _file_name(w: _Written, rng, extension: str) -> str:
    if w.po_in == "file" or rng.random() < 0.5:
        stem = rng.choice(w.lang.file_stems).format(po=w.order.po_number.replace("/", "-"))
    else:
        stem = rng.choice([w.lang.title.title().replace(" ", "_"), "scan", "export"])
    return f"{stem}.{extension}"


# --- formats -----------------------------------------------------------------------------------

def fmt_csv(rng, w: _Written):
    rows = _table(w, rng)
    delimiter = rng.choice([";", ";", "\t", ","])
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n" if rng.random() < 0.5 else "\n")
    if rng.random() < 0.6:  # the header block some ERPs export above the lines
        for label, value in _header_fields(w, rng):
            writer.writerow([label, value])
        writer.writerow([])
    else:
        w.order.requested = None  # no header block: the file tells no delivery date
        if w.po_in == "document":
            writer.writerow([rng.choice(w.lang.po_labels), w.order.po_number])
            writer.writerow([])
    writer.writerows(rows)
    text = out.getvalue()
    encoding = rng.choice(["utf-8", "utf-8-sig", "cp1252"])
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:  # a narrow no-break space has no Windows-1252 byte
        data = text.encode("utf-8")
    msg = _message(w, rng)
    msg.set_content(_body_text(w, rng, w.lang.attached) + _signature(w))
    msg.add_attachment(data, maintype="text", subtype="csv", filename=_file_name(w, rng, "csv"))
    return msg, []


def fmt_xlsx(rng, w: _Written):
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = rng.choice([w.lang.title.title()[:30], "Sheet1", "Tabelle1"])
    ws.cell(1, 1, w.order.company)
    ws.cell(2, 1, w.lang.title).font = Font(bold=True, size=14)
    r = 4
    for label, value in _header_fields(w, rng):
        ws.cell(r, 1, f"{label}:" if rng.random() < 0.6 else label)
        ws.cell(r, 2, value)
        r += 1
    r += 1
    rows = _table(w, rng)
    numeric = rng.random() < 0.5
    for k, row in enumerate(rows):
        for c, value in enumerate(row, 1):
            ws.cell(r, c, value)
        if k and numeric:  # spreadsheets hold numbers, not printed text, in quantity and price cells
            line = w.order.lines[k - 1]
            for c, head in enumerate(rows[0], 1):
                if head in w.lang.quantity_labels:
                    ws.cell(r, c, int(line.quantity) if line.quantity == line.quantity.to_integral() else float(line.quantity))
                elif head in w.lang.price_labels:
                    ws.cell(r, c, float(line.unit_price)).number_format = "#,##0.00"
        r += 1
    buffer = io.BytesIO()
    wb.save(buffer)
    msg = _message(w, rng)
    msg.set_content(_body_text(w, rng, w.lang.attached) + _signature(w))
    msg.add_attachment(buffer.getvalue(), maintype="application",
                       subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet", filename=_file_name(w, rng, "xlsx"))
    return msg, []


def _html_document(w: _Written, rng) -> str:
    rows = _table(w, rng)
    rows.append(_total_row(w, len(rows[0]), rng))
    head = "".join(f"<div><span style='white-space:nowrap'>{html.escape(label)}:</span> {html.escape(value)}</div>"
                   for label, value in _header_fields(w, rng))
    table = "".join("<tr>" + "".join(f"<{'th' if k == 0 else 'td'}>{html.escape(cell)}</{'th' if k == 0 else 'td'}>"
                                     for cell in row) + "</tr>" for k, row in enumerate(rows))
    return (f"<html><head><meta charset='utf-8'><style>body{{font-family:Arial;font-size:11px}} table{{border-collapse:collapse;"
            f"width:100%}} td,th{{border:1px solid #888;padding:3px;text-align:left}}</style></head><body>"
            f"<h1>{html.escape(w.order.company)}</h1><h2>{html.escape(w.lang.title)}</h2>{head}<br>"
            f"<table>{table}</table></body></html>")


def fmt_pdf(rng, w: _Written):
    msg = _message(w, rng)
    msg.set_content(_body_text(w, rng, w.lang.attached) + _signature(w))
    return msg, [(_html_document(w, rng), _file_name(w, rng, "pdf"))]


def fmt_html_body(rng, w: _Written):
    if w.po_in == "file":
        w.po_in = "document"
    msg = _message(w, rng)
    document = _html_document(w, rng)
    intro = html.escape(_body_text(w, rng, w.lang.below)).replace("\n", "<br>")
    body = document.replace("<body>", f"<body><p>{intro}</p>", 1).replace(
        "</body>", f"<p>{html.escape(_signature(w)).replace(chr(10), '<br>')}</p></body>")
    msg.set_content(_body_text(w, rng, w.lang.below) + "\n(HTML)\n")
    msg.add_alternative(body, subtype="html")
    return msg, []


def fmt_text_body(rng, w: _Written):
    if w.po_in == "file":
        w.po_in = "document"
    rows = _table(w, rng)
    if rng.random() < 0.5:
        table = "\n".join("\t".join(row) for row in rows)
    else:
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        table = "\n".join("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows)
    header = "\n".join(f"{label}: {value}" for label, value in _header_fields(w, rng))
    msg = _message(w, rng)
    msg.set_content(_body_text(w, rng, w.lang.below) + header + "\n\n" + table + "\n\n" + _signature(w))
    return msg, []


FORMATS = {"csv": fmt_csv, "xlsx": fmt_xlsx, "pdf": fmt_pdf, "html_body": fmt_html_body, "text_body": fmt_text_body}


def make_case(fmt: str, language: str, rng) -> Case:
    """One email of ``fmt`` in ``language``; a PDF waits in ``pdf_html`` for ``render_pdfs``."""
    lang = LANGUAGES[language]
    po_in = rng.choice(["document", "document", "subject", "file"] if fmt in ("csv", "xlsx", "pdf") else
                       ["document", "document", "subject"])
    w = new_order(rng, lang, po_in)
    msg, pdfs = FORMATS[fmt](rng, w)
    case = Case(f"{language}-{fmt}", b"", truth_of([w.order]), message=msg, pdf_html=pdfs, companies=[w.order.company])
    if not pdfs:
        case.raw = msg.as_bytes()
    return case


def corpus(n: int, seed: int = 20261203, formats=None, languages=None, browser=None) -> list[Case]:
    """``n`` emails cycling through every language and format, PDFs printed, each with its truth."""
    rng = random.Random(seed)
    pairs = [(fmt, lang) for lang in (languages or LANGUAGES) for fmt in (formats or FORMATS)]
    cases = [make_case(*pairs[i % len(pairs)], rng) for i in range(n)]
    render_pdfs(cases, browser)
    return cases
