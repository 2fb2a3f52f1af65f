"""What a table column holds, from the wording of its header cell.

Buyers label columns every way there is ("Qty", "Order qty", "Menge", "Unit price (USD)",
"Vendor part #"). ``column_role`` names the field a header cell stands for, or None.

Item numbers need care: a purchase order is written by the buyer, so "your item",
"supplier part" and "vendor #" are the seller's (our) numbers, while "our item",
"buyer part", "customer SKU" are the buyer's own. "Mfr part" is ours only where no
column names the supplier's number. ``pick_sku_column`` prefers ours.
"""

import re
from functools import lru_cache

# Roles, checked in this order: the first pattern that matches the whole cell wins.
_ITEM_WORDS = (r"(?:item|part|sku|code|article|art|material|product|prod|catalog(?:ue)?|cat|ref(?:erence)?|number|num|no|nr|id|#|p/n|pn"
               r"|artikel|artikelnummer|artikelnr|nummer|codice|cod|articolo|c[oó]digo|art[ií]culo|artigo|r[ée]f[ée]rence|r[ée]f"
               r"|referencia|refer[eê]ncia)")
# "Your", "supplier" in the buyers' languages: ihre/uw/vs./vostro, fournisseur, proveedor, fornecedor, leverancier.
_YOUR = r"(?:your|supplier|suppliers|vendor|vendors|seller|sellers|lieferanten|ihre|uw|vs|vostro|vostra|leveranciers?|fornitore)"
_SUPPLIER_AFTER = r"(?:supplier|vendor|seller|yours|fournisseur|proveedor|fornecedor|fornitore|leverancier|lieferant)"
_PATTERNS = [
    ("line", r"(?:line|ln|pos|position|row|#|no|nr|s\s*no|sr\s*no|(?:line|ln|pos)\s*(?:no|nr|#|number)|item\s*line)"),
    ("po_number", r"(?:customer\s+|cust\s+|buyer\s+|your\s+|our\s+)?(?:purchase\s*order|po|p\s*o)(?:\s*(?:no|nr|number|num|#|ref|reference|id))?"),
    ("po_number", r"order\s*(?:no|nr|number|num|#|ref|reference|id)"),
    ("sku", _YOUR + r"\s*" + _ITEM_WORDS + r"(?:\s*" + _ITEM_WORDS + r")*"),
    ("sku", r"(?:item|part|article|product|" + _ITEM_WORDS + r")\s*(?:no|nr|number|#|code)?\s*(?:/\s*)?(?:de\s+|del\s+|do\s+)?"
            + _SUPPLIER_AFTER + r"(?:\s*" + _ITEM_WORDS + r")*"),
    ("sku", r"(?:vendor|supplier|vpn|lieferanten\s*artikel\s*nr|lieferantenartikelnummer|r[ée]f[ée]rence\s+fournisseur)"),
    # The manufacturer's part number: ours beside the buyer's item code, but a column
    # that names the supplier's (vendor's) number beats it.
    ("mfr_sku", r"(?:mfr|mfg|manufacturer|manufacturers|hersteller)\s*" + _ITEM_WORDS + r"(?:\s*" + _ITEM_WORDS + r")*|mfr|mfg|mpn"),
    ("buyer_sku", r"(?:our|buyer|buyers|customer|customers|cust|client|internal|purchaser)\s*" + _ITEM_WORDS + r"(?:\s*" + _ITEM_WORDS + r")*"),
    ("buyer_sku", r"(?:item|part|article|product)\s*(?:no|nr|number|#|code)?\s*(?:buyer|customer|ours|internal)"),
    ("description", r"(?:item\s+|product\s+|article\s+|part\s+|artikel|artikel\s+)?(?:description|desc|descr|name|bezeichnung|beschreibung|designation|désignation|descripción|descripcion|libellé|libelle|details?|text"
                    r"|omschrijving|descrizione|descri[cç][aã]o|designa[cç][aã]o|concepto)(?:\s+of\s+(?:goods|items?|products?|articles?))?(?:\s*/\s*[a-z]+)?"),
    ("description", r"(?:product|article|goods)"),
    # A combined cell ("Part # / Description") holds the description with a code before it.
    ("description", r"[\w# ]{1,20}/\s*(?:description|desc|descr|bezeichnung)"),
    ("quantity", r"(?:order(?:ed)?\s+|req(?:uested)?\s+|ord\s+)?(?:qty|qnty|quantity|quantities|menge|bestellmenge|anzahl|quantité|quantite|qt[ée]"
                 r"|cantidad|cant|aantal|quantit[àa]|q\s*t[àa]|qt[àa]|quantidade|qtd|qtde|pcs|pieces|count)(?:\s*(?:ordered|ord|req|requested))?(?:\s*(?:ea|pcs|units|cs|cases))?"),
    ("quantity", r"(?:units(?:\s+ordered)?|ordered|order\s+units|cases|cartons|ctns|boxes|packs|pallets|(?:no|number)\s+of\s+(?:units|cases|pieces))"),
    # A discount column (rate or amount) is no part of the unit price or the line amount.
    ("discount", r"(?:cash\s+|trade\s+|line\s+)?(?:disc|discount|rabatt|remise|descuento|sconto)(?:\s*(?:%|pct|percent|rate|amount|amt|value))?"),
    ("amount", r"(?:line\s+|net\s+|total\s+|extended\s+|ext\s+)?(?:amount|total|extended|ext|value|betrag|gesamt|montant|importe|sum|subtotal)(?:\s*(?:price|amount|value|cost|net))?(?:\s*(?:usd|eur|gbp|cad|chf|aud|\$|€|£))?"),
    ("amount", r"(?:gesamtpreis|gesamtbetrag|positionswert|montant(?:\s+ht)?|total\s+ht|importe(?:\s+total)?|prix\s+total|precio\s+total"
               r"|bedrag|totaal|regeltotaal|importo|totale|valor(?:\s+total)?|montante|prezzo\s+totale|pre[cç]o\s+total)"),
    ("unit_price", r"list\s+price|(?:prix|precio|preis|prezzo|pre[cç]o|prijs)\s*(?:unitaire|unitario|unit[aá]rio|unit|pro\s+st[üu]ck|je\s+einheit|ht|per\s+stuk)(?:\s+ht)?"
                   r"|st[üu]ckpreis|stukprijs|eenheidsprijs|p\s*u(?:\s*ht)?|prezzo|pre[cç]o|prijs|\$\s*/\s*(?:unit|ea|each|pc)|(?:net\s+)?(?:unit\s+|net\s+|agreed\s+|contract\s+)?(?:price|cost|rate|preis|einzelpreis|prix|precio|each|unit\s*\$|per\s*unit)(?:\s*(?:each|ea|per\s*unit|/\s*unit|/\s*ea|/\s*(?:stk|st[üu]ck|pc|pcs|piece)|unit|net))?(?:\s*(?:usd|eur|gbp|cad|chf|aud|\$|€|£))?"),
    # Tax columns hold rates, codes or amounts that are no part of the unit price.
    ("tax", r"(?:sales\s+)?(?:tax|vat|mwst|ust|gst|tva|iva)(?:\s*(?:%|code|rate|amount|amt|class|\d+\s*%))?|taxable"),
    ("uom", r"(?:uom|u\s*m|u/m|unit|units\s*of\s*measure|unit\s*of\s*measure|pack|pack\s*size|einheit|me|eenheid|unit[àé]|unidad|unidade|un)"),
    ("line_date", r"(?:requested|required|req|delivery|need|needed|due|dock|arrival)\s+date|date\s+(?:required|needed|requested|wanted)|(?:requested\s+|req\s+|required\s+)?(?:delivery|deliver|need|needed|due|ship|required|request)\s*(?:date|by)?(?:\s*date)?"),
    ("ship_to", r"(?:ship\s*to|deliver\s*to|delivery\s+address|ship\s*to\s*address)"),
    ("item", r"(?:sku|item|part|article|art|material|product|prod|catalog(?:ue)?|cat|p/n|pn|code|artikel|artnr|ref)(?:\s*" + _ITEM_WORDS + r")*"),
    ("item", r"(?:stock|catalogue|catalog)\s+(?:code|no|number|#)|(?:artikelnummer|artikelnr|materialnummer|materialnr|référence|reference|referencia|c[oó]digo(?:\s+(?:de\s+)?art[ií]culo)?|code\s+produit)"),
    ("item", r"(?:codice(?:\s+articolo)?|cod\s+articolo|c[oó]digo(?:\s+d[oe]\s+artigo)?|refer[eê]ncia|r[ée]f|code\s+article|art\s*nr|artikel(?:\s+nr)?)"),
]
_COMPILED = [(role, re.compile(r"^" + pattern + r"$")) for role, pattern in _PATTERNS]


def normalize_header(text: str) -> str:
    """Lower-case a header cell and drop the punctuation that varies between writers."""
    s = (text or "").lower().replace("\u00a0", " ")
    s = re.sub(r"[()\[\]:.,;*_\"'?]", " ", s)
    s = s.replace("-", " ").replace("no#", "no").replace("#", " # ")
    s = re.sub(r"\bnumber\b", "number", s)
    return " ".join(s.split())


@lru_cache(maxsize=4096)
def column_role(text: str) -> str | None:
    """The field a table header cell names (``sku`` for ours, ``item`` for an item number
    that does not say whose, ``buyer_sku``, ``description``,
    ``quantity``, ``unit_price``, ``amount``, ``uom``, ``line``, ``po_number``,
    ``line_date``, ``ship_to``, ``tax``, ``discount``), or None when the cell is not a known header."""
    s = normalize_header(text)
    if not s or len(s) > 40:
        return None
    for role, pattern in _COMPILED:
        if pattern.match(s):
            return role
    # A code in parentheses after the words ("Vendor Part (VP)", "Qty (EA)") or a tax
    # qualifier ("Unit Price excl. VAT") does not change them.
    bare = normalize_header(re.sub(r"\([^)]*\)|(?i:\b(?:excl|excluding|incl|including|ex|net\s+of|zzgl|inkl|hors|ht)\b\.?\s*(?:vat|tax|gst|mwst|ust|taxes)?\s*$)", " ", text or ""))
    if bare and bare != s:
        return column_role(bare)
    return None


def is_header_row(cells: list[str]) -> bool:
    """True when a row of cells reads as the header of an order-lines table."""
    roles = [column_role(c) for c in cells if c.strip()]
    known = [r for r in roles if r]
    return (
        "quantity" in known
        and any(r in known for r in ("sku", "item", "mfr_sku", "buyer_sku", "description"))
        and len(set(known)) >= 2
        and len(known) * 2 > len(roles)
    )


def pick_sku_column(roles: list[str | None]) -> int | None:
    """Index of the column holding our item number: the seller's where both sides show,
    else the only item number there is."""
    for wanted in ("sku", "mfr_sku", "item", "buyer_sku"):
        if wanted in roles:
            return roles.index(wanted)
    return None
