"""Customer and item masters shared by every sandbox system and the scenario generator.

The ERP, the customer portal, the bank portal and ``sandbox.scenario`` all build their
data from these two functions, so a customer number, a payer name or a price means the
same thing everywhere for a given seed::

    from sandbox.masterdata import customers, items
    for customer in customers(7):
        print(customer.customer_id, customer.name, customer.terms.label)

Deterministic: the same seed gives the same masters on every machine.
"""

import random
from dataclasses import dataclass
from decimal import Decimal

CENT = Decimal("0.01")


@dataclass(frozen=True)
class PaymentTerms:
    """Payment terms such as "2/10 net 30": a discount percent within ``discount_days``, else net."""

    code: str
    label: str
    net_days: int
    discount_percent: Decimal = Decimal("0")
    discount_days: int = 0


@dataclass(frozen=True)
class Customer:
    """One customer (sold-to party) as the ERP knows it, plus how it pays and orders."""

    customer_id: str
    name: str
    legal_name: str          # what the bank shows as payer ("Pinecrest Grocers LLC")
    country: str
    currency: str
    terms: PaymentTerms
    credit_limit: Decimal
    buyer_name: str
    buyer_email: str
    ship_to: str
    bill_to: str
    iban: str                # the payer's account, as a bank statement shows it
    item_prefix: str         # how the buyer numbers our items in its own system ("PG-")


@dataclass(frozen=True)
class Item:
    """One item we sell: our number (sku), description, unit of measure and list price."""

    sku: str
    description: str
    uom: str
    price: Decimal


TERMS = {
    "N30": PaymentTerms("N30", "Net 30", 30),
    "N45": PaymentTerms("N45", "Net 45", 45),
    "2N30": PaymentTerms("2N30", "2/10 net 30", 30, Decimal("2"), 10),
    "1N30": PaymentTerms("1N30", "1/15 net 30", 30, Decimal("1"), 15),
}

_TERMS_CYCLE = ["2N30", "N30", "N45", "2N30", "1N30", "N30"]

# name, legal suffix, country, currency, city line
_CUSTOMERS = [
    ("Pinecrest Grocers", "LLC", "US", "USD", "Savannah GA 31401"),
    ("Harbor Freight Outfitters", "Inc.", "US", "USD", "Norfolk VA 23510"),
    ("Bluebonnet Markets", "Inc.", "US", "USD", "Austin TX 78701"),
    ("Granite State Hardware", "Co.", "US", "USD", "Concord NH 03301"),
    ("Lakeshore Home Supply", "LLC", "US", "USD", "Duluth MN 55802"),
    ("Mesa Verde Provisions", "Inc.", "US", "USD", "Tucson AZ 85701"),
    ("Cascade Outdoor Retail", "Corp.", "US", "USD", "Tacoma WA 98402"),
    ("Old Mill General Stores", "LLC", "US", "USD", "Lancaster PA 17602"),
    ("Prairie Farm & Ranch", "Inc.", "US", "USD", "Topeka KS 66603"),
    ("Magnolia Kitchenware", "LLC", "US", "USD", "Jackson MS 39201"),
    ("Nordhafen Handel", "GmbH", "DE", "EUR", "20457 Hamburg"),
    ("Van der Berg Groothandel", "B.V.", "NL", "EUR", "3011 Rotterdam"),
]

_STREETS = {"US": ["Harbor Rd", "Main St", "Commerce Blvd", "Industrial Pkwy", "Depot Ave", "Mill St",
                   "Market St", "Warehouse Way"],
            "DE": ["Hafenstrasse", "Lagerweg", "Industriestrasse"],
            "NL": ["Havenweg", "Kade", "Industrieweg"]}
_FIRST = ["Dana", "Luis", "Priya", "Tom", "Grace", "Ahmed", "Mia", "Karl", "Eva", "Noah", "Sara", "Jan"]
_LAST = ["Whitfield", "Moreno", "Raman", "Keller", "Okafor", "Lindqvist", "Baptiste", "Schmidt",
         "de Vries", "Nakamura", "Hughes", "Brennan"]

# family code, description stem, unit of measure, price range in dollars
_ITEM_FAMILIES = [
    ("NW", "Nitrile work gloves, box of 100", "BX", (12, 30)),
    ("CT", "Cotton tea towels, pack of 6", "PK", (8, 22)),
    ("SS", "Stainless steel mixing bowl", "EA", (9, 45)),
    ("LB", "LED bulb A19 800lm, 4-pack", "PK", (6, 18)),
    ("GH", "Garden hose 50 ft", "EA", (19, 60)),
    ("BR", "Bamboo cutting board", "EA", (11, 35)),
    ("TP", "Thermal paper rolls, case of 50", "CS", (28, 75)),
    ("WB", "Insulated water bottle 750 ml", "EA", (10, 28)),
    ("DS", "Dish soap 1 gal", "EA", (7, 16)),
    ("PT", "Paper towels, case of 12", "CS", (18, 40)),
]
_VARIANTS = ["small", "medium", "large", "blue", "green", "black", "white", "grey"]


def customers(seed: int) -> list[Customer]:
    """Return the customer master for ``seed``: ids C1001, C1002... in a stable order."""
    rng = random.Random(f"customers-{seed}")
    rows = list(_CUSTOMERS)
    rng.shuffle(rows)
    result = []
    for number, (name, suffix, country, currency, city) in enumerate(rows, start=1001):
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        words = [w for w in name.replace("&", "").split() if w]
        stem = words[0] if len(words[0]) > 4 else words[0] + words[1]
        domain = "".join(ch for ch in stem.lower() if ch.isalpha()) + rng.choice([".com", "-corp.com", ".net"])
        if country != "US":
            domain = domain.rsplit(".", 1)[0] + "." + country.lower()
        street = f"{rng.randint(10, 990)} {rng.choice(_STREETS[country])}"
        # Terms rotate so every seed has customers with and without an early-payment discount.
        terms = TERMS[_TERMS_CYCLE[(number + seed) % len(_TERMS_CYCLE)]]
        result.append(Customer(
            customer_id=f"C{number}",
            name=name,
            legal_name=f"{name} {suffix}",
            country=country,
            currency=currency,
            terms=terms,
            credit_limit=Decimal(rng.choice([25, 50, 75, 100, 150, 250]) * 1000),
            buyer_name=f"{first} {last}",
            buyer_email=f"{first.lower()}.{last.lower().replace(' ', '')}@{domain}",
            ship_to=f"Dock {rng.randint(1, 9)}, {street}, {city}",
            bill_to=f"Accounts Payable, {street}, {city}",
            iban=_iban(rng, country),
            item_prefix="".join(w[0] for w in words[:2]).upper() + "-",
        ))
    return result


def items(seed: int) -> list[Item]:
    """Return the item master for ``seed``: skus like ``NW-4410`` with list prices in Decimal."""
    rng = random.Random(f"items-{seed}")
    result = []
    used = set()
    for code, description, uom, (low, high) in _ITEM_FAMILIES:
        for variant in rng.sample(_VARIANTS, 3):
            number = rng.randint(1000, 9899)
            while number in used:
                number += 7
            used.add(number)
            price = (Decimal(rng.randint(low * 100, high * 100)) / 100).quantize(CENT)
            result.append(Item(f"{code}-{number}", f"{description}, {variant}", uom, price))
    return result


def customer_by_id(seed: int) -> dict[str, Customer]:
    """The customer master as a dict keyed by customer id."""
    return {customer.customer_id: customer for customer in customers(seed)}


def item_by_sku(seed: int) -> dict[str, Item]:
    """The item master as a dict keyed by sku."""
    return {item.sku: item for item in items(seed)}


def buyer_item_number(customer: Customer, item: Item) -> str:
    """The buyer's own number for ``item``: what its purchase orders print beside ours."""
    digits = "".join(ch for ch in item.sku if ch.isdigit())
    return f"{customer.item_prefix}{int(digits) * 7 % 100000:05d}"


def _iban(rng: random.Random, country: str) -> str:
    # Looks like an IBAN; US payers have account numbers, but the sandbox gives every
    # payer the same shape so statements stay simple.
    body = "".join(str(rng.randint(0, 9)) for _ in range(18))
    return f"{country}{rng.randint(10, 99)}{body}"
