"""Lump sums without remittance, generated with their truth, and two oracles that know nothing
of the matcher's meet-in-the-middle.

- ``brute_force_sets``: every set of at most 6 items, each at each of its amounts, tried one by
  one (itertools). For the small cases, where that is cheap.
- ``count_sets``: how many sets (0, 1 or "2 or more") add up to a target, by a dynamic program
  over sums kept as bits of Python integers (one saturating counter per set size). Exact for any
  number of items; its cost grows with the target, not with the combinations, so it can check
  customers of 500 open items.

``small_case`` draws a handful of items (some with a discount variant) and a target; and
``customer_world`` builds customers of 100 to 500 open items (amounts spread over four orders of
magnitude, some invoices recent enough for a cash discount) each paying 1 to 4 of its smaller
invoices in one lump sum, possibly net of the discount, with no remittance and a memo that
names nothing. Discounts are computed here from the standard terms (2/10 and 1/15, 3 days'
grace), not with the matcher's code.
"""

import itertools
import math
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

PAYMENT_DATE = date(2026, 11, 20)
STANDARD_TERMS = ((Decimal("0.02"), 10), (Decimal("0.01"), 15))
GRACE_DAYS = 3


def brute_force_sets(options: dict, target: int, max_items: int = 6) -> set[tuple]:
    """Every set (sorted tuple of (key, cents)) of at most ``max_items`` keys adding up to ``target``."""
    found = set()
    keys = sorted(options)
    for size in range(1, min(max_items, len(keys)) + 1):
        for combination in itertools.combinations(keys, size):
            for amounts in itertools.product(*(sorted(set(options[key])) for key in combination)):
                if sum(amounts) == target:
                    found.add(tuple(zip(combination, amounts)))
    return found


def count_sets(options: list[tuple[int, ...]], target: int, max_items: int = 6) -> int:
    """How many sets of at most ``max_items`` items (each at one of its amounts) add up to ``target``:
    0, 1 or 2 (meaning two or more)."""
    mask = (1 << (target + 1)) - 1
    # one[k] / two[k]: bit s set when at least one / two sets of k items sum to s.
    one = [1] + [0] * max_items
    two = [0] * (max_items + 1)
    for amounts in options:
        amounts = sorted({c for c in amounts if 0 < c <= target})
        for k in range(max_items, 0, -1):
            total_one, total_two = one[k], two[k]
            for cents in amounts:
                add_one, add_two = (one[k - 1] << cents) & mask, (two[k - 1] << cents) & mask
                total_two |= add_two | (total_one & add_one)
                total_one |= add_one
            one[k], two[k] = total_one, total_two
    bit = 1 << target
    hits = sum(1 for k in range(1, max_items + 1) if one[k] & bit)
    return 2 if hits >= 2 or any(two[k] & bit for k in range(1, max_items + 1)) else hits


def small_case(rng: random.Random) -> tuple[dict, int]:
    """A few items (1-11), some with a second amount (net of a discount), and a target that often
    is a sum of some of them and sometimes is two sums at once."""
    scale = rng.choice([50, 500, 5000, 500000])
    options = {}
    for number in range(rng.randint(1, 11)):
        cents = rng.randint(1, scale)
        options[f"I{number}"] = (cents, cents - cents // 50) if rng.random() < 0.3 and cents >= 50 else (cents,)
    keys = list(options)
    picked = rng.sample(keys, rng.randint(1, min(6, len(keys))))
    target = sum(rng.choice(options[key]) for key in picked)
    if rng.random() < 0.2:
        target += rng.randint(-3, 3)
    return options, max(target, 1)


def discounts(amount_cents: int, invoice_date: date, paid_on: date = PAYMENT_DATE) -> list[int]:
    """The cash discounts the standard terms still allow, in cents, computed independently."""
    days = (paid_on - invoice_date).days
    found = {int((Decimal(amount_cents) * rate).to_integral_value(ROUND_HALF_EVEN)) for rate, allowed in STANDARD_TERMS
             if 0 <= days <= allowed + GRACE_DAYS}
    return sorted(found - {0}, reverse=True)


@dataclass
class Customer:
    """One customer's open items and the lump sum it paid."""

    customer_id: str
    name: str
    items: list[dict]             # open-items CSV rows
    paid: dict[str, int]          # invoice -> cents the lump sum pays it at
    payment: dict                 # contract JSON payment, no lines

    def options(self) -> list[tuple[int, ...]]:
        """Every item's possible amounts (open, and net of each discount still valid)."""
        found = []
        for item in self.items:
            cents = _cents(item["open_amount"])
            taken = discounts(cents, date.fromisoformat(item["invoice_date"]))
            found.append((cents,) + tuple(cents - discount for discount in taken))
        return found


def customer_world(seed: int, customers: int, smallest: int = 100, largest: int = 500) -> list[Customer]:
    """``customers`` customers of ``smallest`` to ``largest`` open items, each with one lump-sum payment."""
    rng = random.Random(seed)
    world = []
    used_names = set()
    for number in range(customers):
        customer_id = f"C{5000 + number}"
        name = _name(rng, used_names)
        items = []
        for position in range(rng.randint(smallest, largest)):
            cents = max(100, int(math.exp(rng.gauss(math.log(500_000), 1.3))))
            invoice_date = PAYMENT_DATE - timedelta(days=rng.choice([2, 5, 9, 12, 16, 25, 40, 70]))
            amount = f"{cents // 100}.{cents % 100:02d}"
            items.append({"customer_id": customer_id, "customer_name": name,
                          "invoice": f"INV-{number:03d}{position:04d}", "invoice_date": invoice_date.isoformat(),
                          "due_date": (invoice_date + timedelta(days=30)).isoformat(), "currency": "USD",
                          "amount": amount, "open_amount": amount})
        # The lump sum pays some of the smaller invoices (as customers clear old small ones): among
        # the few items below such a sum, one set is often the only one.
        smaller = sorted(items, key=lambda item: _cents(item["amount"]))[:max(6, len(items) // 40)]
        paid = {}
        for item in rng.sample(smaller, rng.choice([1, 2, 2, 3, 3, 4])):
            cents = _cents(item["amount"])
            taken = discounts(cents, date.fromisoformat(item["invoice_date"]))
            paid[item["invoice"]] = cents - taken[0] if taken and rng.random() < 0.5 else cents
        total = sum(paid.values())
        payment = {"payment_reference": f"LS{number:04d}", "payer": name.upper(),
                   "payment_date": PAYMENT_DATE.isoformat(),
                   "currency": "USD", "total": f"{total // 100}.{total % 100:02d}", "memo": "ACH CREDIT", "lines": []}
        world.append(Customer(customer_id, name, items, paid, payment))
    return world


def _cents(text: str) -> int:
    return int(Decimal(text).scaleb(2))


def _name(rng: random.Random, used: set[str]) -> str:
    syllables = ["ka", "ro", "vel", "dos", "trin", "ma", "bel", "lor", "zen", "qui", "par", "ten", "hol", "mir"]
    while True:
        name = "".join(rng.choice(syllables) for _ in range(4)).capitalize()
        if name not in used:
            used.add(name)
            return f"{name} {rng.choice(['Grocers', 'Supply', 'Hardware', 'Marine'])} Inc"
