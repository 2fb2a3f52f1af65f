"""Which of a customer's open items a lump sum pays: an exact, bounded subset-sum search.

A payment without remittance may pay several invoices at once, some of them net of a cash
discount still valid on the payment date. ``find_lump_sums`` finds every set of at most
``max_items`` open items (each at one of its possible amounts: the open amount, or net of a
discount) that adds up to the payment to the cent, up to a few of them: one set is an
answer, two or more are ``ambiguous``.

How (meet in the middle over whole cents): every set of k items, sorted by position, is split
into its first ceil(k/2) items (a "left block") and the rest (a "right block", at most 3
items). The blocks of each size are built once, as numpy arrays, and the right blocks sorted
by (sum, first item): for each left block, a binary search finds the right blocks whose sum
makes up the payment and whose first item comes after the left block's last. Each set (with
its choice of amounts) is so met exactly once, and 500 open items never mean looping over
their 10^13 combinations of six.

Bounds, per payment: at most ``max_blocks`` blocks of one size are held (about 40 bytes
each: 1,000,000 blocks is some 40 MB), and ``max_seconds`` of work. When the blocks of the
items would be more, only the smallest items that fit are searched for the larger sets, and
the result says ``complete=False`` with the bound that stopped it (``bound``). Two sets found
prove the payment ambiguous whether or not the search finished.

A unique set may still be a coincidence: among a few hundred open items, some combination of
six hits almost any amount. ``chance_matches`` estimates how many sets (of as many items as
the one found, or fewer) would add up to the payment by chance alone, from the spread of the
amounts (see its docstring); the engine applies a unique set only when that estimate is small.
For a payment that is no lump sum of open items at all, that estimate is about the chance of a
"unique" set appearing anyway.
"""

import math
import time
from dataclasses import dataclass
from itertools import combinations

import numpy as np

DEFAULT_MAX_BLOCKS = 1_000_000


@dataclass(frozen=True)
class SubsetResult:
    """The sets found and whether the search was exhaustive.

    ``solutions`` holds up to ``max_solutions`` sets, each a tuple of ``(key, cents)`` pairs
    (the item and the amount it is taken at). ``bound`` names the limit that stopped an
    incomplete search, in plain words.
    """

    solutions: tuple[tuple, ...]
    complete: bool
    bound: str | None = None
    searched: int = 0          # how many open items could take part

    @property
    def unique(self) -> tuple | None:
        """The one set, when the search finished and found exactly one."""
        return self.solutions[0] if self.complete and len(self.solutions) == 1 else None

    @property
    def ambiguous(self) -> bool:
        """Two or more sets exist (found; no need for the search to have finished)."""
        return len(self.solutions) >= 2


def find_lump_sums(options: dict, target: int, max_items: int = 6, max_blocks: int = DEFAULT_MAX_BLOCKS,
                   max_seconds: float = 1.0, max_solutions: int = 5) -> SubsetResult:
    """Sets of at most ``max_items`` keys of ``options`` whose amounts add up to ``target`` cents.

    :param options: key to the amounts (positive cents) the item may be paid at, most likely
        first (its open amount, then net of each discount); one set takes each key once.
    :param max_blocks: the most blocks (partial sets) of one size held at once: the memory bound.
    :param max_seconds: the time bound; checked between the stages of the search.
    :param max_solutions: stop collecting sets after this many (two already mean ambiguous).
    """
    deadline = time.monotonic() + max_seconds
    keys = [key for key, amounts in options.items() if any(0 < cents <= target for cents in amounts)]
    if target <= 0 or not keys:
        return SubsetResult((), True)
    # Items by their smallest amount, so "the smallest items" are a prefix of the positions.
    keys.sort(key=lambda key: min(c for c in options[key] if 0 < c <= target))
    entry_item, entry_cents = [], []
    for position, key in enumerate(keys):
        for cents in dict.fromkeys(options[key]):
            if 0 < cents <= target:
                entry_item.append(position)
                entry_cents.append(cents)
    items = np.array(entry_item, dtype=np.int32)
    cents = np.array(entry_cents, dtype=np.int64)
    if target % math.gcd(*entry_cents) != 0:
        return SubsetResult((), True, searched=len(keys))   # every sum is a multiple of the gcd
    search = _Search(items, cents, len(keys), target, max_blocks, deadline)
    found: list[tuple] = []
    smallest = sorted(min(c for c in options[key] if 0 < c <= target) for key in keys)
    largest = sorted((max(c for c in options[key] if 0 < c <= target) for key in keys), reverse=True)
    for size in range(1, min(max_items, len(keys)) + 1):
        if sum(smallest[:size]) > target:
            break          # even the smallest items are too much: no larger set either
        if sum(largest[:size]) < target:
            continue       # even the largest items fall short
        for choice in search.sets_of_size(size, max_solutions - len(found)):
            found.append(tuple((keys[items[e]], int(cents[e])) for e in choice))
        if len(found) >= 2 or search.timed_out():
            if search.timed_out() and len(found) < 2:
                search.stop(f"the time bound of {max_seconds:g} s per payment was reached while looking at sets of "
                            f"{size}")
            break
    return SubsetResult(tuple(found), search.bound is None or len(found) >= 2, search.bound, len(keys))


class _Search:
    """The blocks of each size (built on first use) and the search for sets of one size."""

    def __init__(self, items, cents, item_count, target, max_blocks, deadline):
        self.items, self.cents, self.item_count = items, cents, item_count
        self.target, self.max_blocks, self.deadline = target, max_blocks, deadline
        self.bound: str | None = None
        self._blocks: dict[int, _Blocks] = {}

    def timed_out(self) -> bool:
        return time.monotonic() > self.deadline

    def stop(self, why: str) -> None:
        self.bound = self.bound or why

    def blocks(self, size: int) -> "_Blocks":
        """All blocks of ``size`` distinct items, or those of the smallest items when all would be too many."""
        if size not in self._blocks:
            limit = self.item_count
            while _block_count(self.items, size, limit) > self.max_blocks:
                limit = int(limit * 0.9)
            if limit < self.item_count:
                self.stop(f"the memory bound ({self.max_blocks:,} partial sets) allowed sets of {size} only "
                          f"among the {limit} smallest of {self.item_count} open items")
            self._blocks[size] = _Blocks.build(self.items, self.cents, size, limit)
        return self._blocks[size]

    def sets_of_size(self, size: int, wanted: int) -> list[tuple]:
        """Up to ``wanted`` sets of ``size`` entries (each a tuple of entry indices) adding up to the target."""
        if wanted <= 0:
            return []
        left = self.blocks((size + 1) // 2)
        if size == 1:
            rows = np.flatnonzero(left.sums == self.target)[:wanted]
            return [tuple(left.entries[row]) for row in rows]
        right = self.blocks(size // 2)
        if not len(left.sums) or not len(right.sums):
            return []
        # Right blocks keyed by (sum, first item); one key per block, so two binary searches
        # find, for each left block, those that complete it and begin after it ends.
        span = self.item_count + 1
        keys = right.sums * span + right.first
        order = np.argsort(keys, kind="stable")
        keys = keys[order]
        need = self.target - left.sums
        useful = np.flatnonzero((need > 0) & (need <= right.sums.max()))
        need, last = need[useful], left.last[useful]
        low = np.searchsorted(keys, need * span + last + 1, side="left")
        high = np.searchsorted(keys, need * span + self.item_count, side="right")
        hits = np.flatnonzero(high > low)
        found = []
        for hit in hits:
            for position in range(low[hit], high[hit]):
                found.append(tuple(left.entries[useful[hit]]) + tuple(right.entries[order[position]]))
                if len(found) >= wanted:
                    return found
        return found


def _block_count(items: np.ndarray, size: int, limit: int) -> int:
    """How many blocks of ``size`` distinct items (of positions below ``limit``) the entries make."""
    per_item = np.bincount(items[items < limit], minlength=limit).astype(float)
    # Elementary symmetric polynomial of the per-item entry counts: sets of distinct items, any entry each.
    counts = np.zeros(size + 1)
    counts[0] = 1.0
    for n in per_item:
        counts[1:] = counts[1:] + n * counts[:-1]
    return int(counts[size])


@dataclass
class _Blocks:
    """Partial sets of one size: their sums, first and last item, and entry indices (one row each)."""

    sums: np.ndarray
    first: np.ndarray
    last: np.ndarray
    entries: np.ndarray

    @classmethod
    def build(cls, items: np.ndarray, cents: np.ndarray, size: int, limit: int) -> "_Blocks":
        chosen = np.flatnonzero(items < limit)
        if size == 1:
            entries = chosen.reshape(-1, 1)
        else:
            # Extend each block of size - 1 by every entry of a later item: entries are in item
            # order, so the blocks ending before item i are a prefix of the (sorted) smaller blocks.
            smaller = cls.build(items, cents, size - 1, limit)
            ends = np.searchsorted(smaller.last, items[chosen], side="left")   # blocks ending before
            total = int(ends.sum())
            if total == 0:
                return cls(np.zeros(0, np.int64), np.zeros(0, np.int32), np.zeros(0, np.int32),
                           np.zeros((0, size), np.int64))
            owner = np.repeat(np.arange(len(chosen)), ends)
            starts = np.cumsum(ends) - ends
            prefix = np.arange(total) - np.repeat(starts, ends)
            entries = np.column_stack([smaller.entries[prefix], chosen[owner]])
        return cls(cents[entries].sum(axis=1), items[entries[:, 0]], items[entries[:, -1]], entries)


def chance_matches(options: list[tuple[int, ...]], target: int, max_items: int = 6,
                   found: list[tuple[int, ...]] = ()) -> float:
    """About how many sets of at most ``max_items`` of these items would add up to ``target`` by chance.

    ``found`` are the amounts of the items of the set the search found: the sets made of them
    alone (that set, at its other amounts) are near the target by construction, not by chance,
    and are left out.

    The number of sets whose sum falls within 1/16 of the target, divided by that window's width
    in cents: the density of set sums at the target, which is the expected number of exact hits
    if the cents were random. Amounts that are all multiples of something (whole dollars, tens)
    hit such targets far more often; the estimate is taken on that lattice too (items that are
    multiples of 1.00, 10.00 or 100.00, when the target is and at least three items are) and
    the largest figure kept.
    """
    if target <= 0:
        return 0.0
    estimates = [_density(options, target, max_items) - _density(found, target, max_items)]
    for step in (100, 1000, 10000):
        if target % step == 0:
            round_ones, round_found = _multiples(options, step), _multiples(found, step)
            if len(round_ones) >= 3:   # a habit of round amounts, not one round invoice
                estimates.append((_density(round_ones, target, max_items)
                                  - _density(round_found, target, max_items)) * step)
    return max(0.0, *estimates)


def _multiples(options, step: int) -> list[tuple[int, ...]]:
    """The items' amounts that are multiples of ``step``, for the items that have one."""
    return [kept for amounts in options if (kept := tuple(c for c in amounts if c % step == 0))]


def _density(options: list[tuple[int, ...]], target: int, max_items: int, bins: int = 2048) -> float:
    """Sets (of at most ``max_items`` items, each at one of its amounts) per cent of sum, near ``target``."""
    options = [kept for amounts in options if (kept := tuple(c for c in amounts if 0 < c <= target))]
    if not options:
        return 0.0
    width = max(1, -(-target // bins))
    size = target // width + bins // 8 + max_items + 2
    # counts[k][b]: how many sets of k items have their amounts' bins summing to b.
    counts = np.zeros((max_items + 1, size))
    counts[0, 0] = 1.0
    for amounts in options:
        shifts = [c // width for c in amounts]
        for k in range(max_items, 0, -1):
            for shift in shifts:
                counts[k, shift:] += counts[k - 1, :size - shift]
    window = max(target // 16, width * 8)
    low, high = (target - window) // width, (target + window) // width
    within = counts[1:, max(low, 0):high + 1].sum()
    return float(within / ((high - max(low, 0) + 1) * width))


def find_signed_subsets(amounts: dict, target: int, max_items: int = 3,
                        max_combinations: int = 50_000) -> SubsetResult:
    """Combinations of at most ``max_items`` of ``amounts`` (cents, credit memos negative) that sum
    to ``target`` (which may be negative), counted up to two.

    For completing a payment whose memo names some of the invoices: the rest of the money may
    pay a few more, or a credit memo may have been taken. Negative amounts rule out the
    meet-in-the-middle of ``find_lump_sums`` (which needs positive amounts up to the target),
    so this one only looks at small combinations, within a budget.
    """
    keys = [key for key, cents in amounts.items() if cents != 0]
    solutions: list[tuple] = []
    tried = 0
    for size in range(1, max_items + 1):
        for combination in combinations(keys, size):
            tried += 1
            if tried > max_combinations:
                return SubsetResult(tuple(solutions), len(solutions) >= 2, "combination budget")
            if sum(amounts[key] for key in combination) == target:
                solutions.append(combination)
                if len(solutions) >= 2:
                    return SubsetResult(tuple(solutions), True)
    return SubsetResult(tuple(solutions), True)
