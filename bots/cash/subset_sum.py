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
their 10^13 combinations of six. The search goes in stages (sets of 1-2, 3-4, then 5-6 items)
and stops at the first that brings the count to two. A customer of up to 40 amounts in all is
searched in a single pass over a cached table of combinations, and a payment smaller than any
three of its items by a look-up per amount.

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
from functools import lru_cache
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
    :param max_seconds: the time bound, in CPU seconds of this thread (a wall clock would stop
        searches early on a busy machine; the process's CPU clock costs far more to read once
        pyarrow's threads exist); checked before each size of block is built.
    :param max_solutions: stop collecting sets after this many (two already mean ambiguous).
    """
    fitting = {}   # key to its distinct amounts that can be part of the target, in order
    for key, amounts in options.items():
        fits = [cents for cents in dict.fromkeys(amounts) if 0 < cents <= target]
        if fits:
            fitting[key] = fits
    if target <= 0 or not fitting:
        return SubsetResult((), True)
    least = {key: min(fits) for key, fits in fitting.items()}
    # Items by their smallest amount, so "the smallest items" are a prefix of the positions.
    keys = sorted(fitting, key=least.__getitem__)
    entry_item, entry_cents = [], []
    for position, key in enumerate(keys):
        entry_item += [position] * len(fitting[key])
        entry_cents += fitting[key]
    if target % math.gcd(*entry_cents) != 0:
        return SubsetResult((), True, searched=len(keys))   # every sum is a multiple of the gcd
    smallest = sorted(least.values())
    largest_set = 0
    while largest_set < min(max_items, len(keys)) and sum(smallest[:largest_set + 1]) <= target:
        largest_set += 1   # sets of more items than this exceed the target whatever they are
    bound = None
    if largest_set <= 2:   # no three items fit under the target: a look-up per entry is all it takes
        choices = _singles_and_pairs(entry_item, entry_cents, target, largest_set, max_solutions)
    elif len(entry_cents) <= SMALL_SEARCH:
        choices = _small_search(np.array(entry_item, dtype=np.int32), np.array(entry_cents, dtype=np.int64),
                                len(keys), target, largest_set, max_solutions)
    else:   # the one pass takes well under a millisecond: only the staged search needs the clock
        deadline = time.thread_time() + max_seconds
        search = _Search(np.array(entry_item, dtype=np.int32), np.array(entry_cents, dtype=np.int64), len(keys),
                         target, max_blocks, deadline, max_seconds)
        choices, bound = search.sets(largest_set, max_solutions), search.bound
    found = tuple(tuple((keys[entry_item[e]], entry_cents[e]) for e in choice) for choice in choices)
    return SubsetResult(found, bound is None or len(found) >= 2, bound, len(keys))


def _singles_and_pairs(items: list[int], cents: list[int], target: int, max_items: int, wanted: int) -> list[tuple]:
    """The sets of one entry, then of two entries of distinct items, that make up ``target``
    (entry indices, in the order ``_small_search`` finds them)."""
    found = [(entry,) for entry, amount in enumerate(cents) if amount == target][:wanted]
    if max_items < 2 or len(found) >= wanted:
        return found
    entries_of: dict[int, list[int]] = {}
    for entry, amount in enumerate(cents):
        entries_of.setdefault(amount, []).append(entry)
    for entry, amount in enumerate(cents):
        for other in entries_of.get(target - amount, ()):
            if items[other] > items[entry]:
                found.append((entry, other))
                if len(found) >= wanted:
                    return found
    return found


SMALL_SEARCH = 40   # up to this many amounts (of all items together): one pass over cached combinations


def _small_search(items: np.ndarray, cents: np.ndarray, item_count: int, target: int, max_items: int,
                  wanted: int) -> list[tuple]:
    """``_Search`` in one pass, for a few amounts (the common customer): every block of entries of
    distinct items, as many as a set of ``max_items`` needs on one side (a table of combinations
    made once per number of entries), one sort, and the two binary searches for all left blocks at once."""
    if max_items <= 0:
        return []
    entries, size = _combinations_up_to(len(cents), (max_items + 1) // 2)
    # Each entry's item, the padding as -1, -2, -3: entries of one item (its amounts, adjacent)
    # show as equal neighbours, and the padding never equals anything.
    padded = entries >= 0
    item_of = np.where(padded, items[entries], _PADDING[:entries.shape[1]])
    sums = np.where(padded, cents[entries], 0).sum(axis=1)
    keep = sums <= target
    for column in range(1, entries.shape[1]):
        keep &= item_of[:, column - 1] != item_of[:, column]
    within = np.flatnonzero(keep)
    sums, size, item_of = sums[within], size[within], item_of[within]
    first = np.where(size > 0, item_of[:, 0], item_count)   # the empty block begins after everything
    last = item_of.max(axis=1)
    span = item_count + 1
    keys = (sums * 4 + size) * span + first
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    found = []
    for extra in (-1, 0):   # the right block one item smaller than the left one, or as big
        right_size = size + extra
        left = np.flatnonzero((size > 0) & (right_size >= 0) & (size + right_size <= max_items))
        base = ((target - sums[left]) * 4 + right_size[left]) * span
        low = np.searchsorted(keys, base + last[left] + 1, side="left")
        high = np.searchsorted(keys, base + item_count, side="right")
        for hit in np.flatnonzero(high > low):
            for position in range(low[hit], high[hit]):
                pair = np.concatenate([entries[within[left[hit]]], entries[within[order[position]]]])
                found.append(tuple(int(e) for e in pair if e >= 0))
                if len(found) >= wanted:
                    return sorted(found, key=len)
    return sorted(found, key=len)


_PADDING = np.array([-1, -2, -3], dtype=np.int64)


@lru_cache(maxsize=3 * (SMALL_SEARCH + 1))
def _combinations_up_to(count: int, most: int) -> tuple[np.ndarray, np.ndarray]:
    """Every combination of 0 to ``most`` of ``count`` positions (rows padded with -1), and its size."""
    rows = [()] + [c for size in range(1, most + 1) for c in combinations(range(count), size)]
    entries = np.full((len(rows), most), -1, dtype=np.int64)
    for number, row in enumerate(rows):
        entries[number, :len(row)] = row
    size = (entries >= 0).sum(axis=1)
    for array in (entries, size):
        array.setflags(write=False)
    return entries, size


class _Search:
    """One search: blocks of 0 to 3 items, and the pairs of them that make up the target.

    A set of k items (sorted by position) is met once, as its first ceil(k/2) items (a left
    block of 1 to 3) and the rest (a right block of the same size or one fewer, possibly none)
    that begins after the left block ends.
    """

    def __init__(self, items, cents, item_count, target, max_blocks, deadline, max_seconds):
        self.items, self.cents, self.item_count = items, cents, item_count
        self.target, self.max_blocks = target, max_blocks
        self.deadline, self.max_seconds = deadline, max_seconds
        self.bound: str | None = None

    def stop(self, why: str) -> None:
        self.bound = self.bound or why

    def sets(self, max_items: int, wanted: int) -> list[tuple]:
        """Up to ``wanted`` sets of at most ``max_items`` entries (tuples of entry indices), smallest first.

        In stages: sets of 1-2 items (left blocks of one), then 3-4, then 5-6, stopping as soon as
        two sets are found, so that an ambiguous lump sum rarely needs the blocks of three.
        """
        found: list[tuple] = []
        parts = [_Blocks.empty(self.item_count)]
        for half in range(1, (max_items + 1) // 2 + 1):
            if half > 1 and time.thread_time() > self.deadline:
                self.stop(f"the time bound of {self.max_seconds:g} s per payment was reached before sets of "
                          f"{2 * half - 1} or more items were searched")
                break
            parts.append(self._blocks_of(half, parts[-1]))
            found += self._pairs(parts[half], [parts[half - 1], parts[half]], max_items, wanted - len(found))
            if len(found) >= 2:
                break
        return found

    def _pairs(self, left: "_Blocks", rights: list["_Blocks"], max_items: int, wanted: int) -> list[tuple]:
        """Sets made of a left block and a right block that begins after it, adding up to the target."""
        size = left.entries.shape[1]
        rights = [right for right in rights if len(right.sums) and size + right.entries.shape[1] <= max_items]
        if not len(left.sums) or not rights or wanted <= 0:
            return []
        found: list[tuple] = []
        need = self.target - left.sums
        span = self.item_count + 1
        for right in rights:
            # Right blocks keyed by (sum, first item): two binary searches find, for each left
            # block, those that make up the rest and begin after it ends.
            keys = right.sums * span + right.first
            order = np.argsort(keys, kind="stable")
            keys = keys[order]
            low = np.searchsorted(keys, need * span + left.last + 1, side="left")
            high = np.searchsorted(keys, need * span + self.item_count, side="right")
            for hit in np.flatnonzero(high > low):
                for position in range(low[hit], high[hit]):
                    found.append(tuple(left.entries[hit]) + tuple(right.entries[order[position]]))
                    if len(found) >= wanted:
                        return found
        return found

    def _blocks_of(self, size: int, smaller: "_Blocks") -> "_Blocks":
        """Every block of ``size`` items with a sum within the target, only among the smallest items
        when all of them would pass the memory bound."""
        limit = _largest_prefix(self.items, size, self.max_blocks, self.item_count)
        if limit < self.item_count:
            self.stop(f"the memory bound ({self.max_blocks:,} partial sets) allowed sets of {2 * size - 1} or more "
                      f"items only among the {limit} smallest of {self.item_count} open items")
        return _Blocks.extend(smaller if size > 1 else None, self.items, self.cents, size, limit, self.target)


def _largest_prefix(items: np.ndarray, size: int, max_blocks: int, item_count: int) -> int:
    """The most items (the smallest first) whose blocks of ``size`` stay within ``max_blocks``."""
    if math.comb(len(items), size) <= max_blocks:
        return item_count   # fewer blocks than that even if every entry were an item of its own
    per_item = np.bincount(items, minlength=item_count).tolist()
    # Elementary symmetric polynomials of the per-item entry counts, item by item: how many
    # blocks of distinct items (each at any of its amounts) the first items make.
    counts = [1.0] + [0.0] * size
    for position, entries in enumerate(per_item):
        for k in range(size, 0, -1):
            counts[k] += entries * counts[k - 1]
        if counts[size] > max_blocks:
            return max(position, size)
    return item_count


@dataclass
class _Blocks:
    """Partial sets of one size: their sums, first and last item, and entry indices (one row each)."""

    sums: np.ndarray
    first: np.ndarray
    last: np.ndarray
    entries: np.ndarray

    @classmethod
    def empty(cls, item_count: int) -> "_Blocks":
        """The block of no items: it "begins" after every item, so any left block may come before it."""
        return cls(np.zeros(1, np.int64), np.full(1, item_count, np.int64), np.full(1, -1, np.int64),
                   np.zeros((1, 0), np.int64))

    @classmethod
    def extend(cls, smaller, items, cents, size, limit, target) -> "_Blocks":
        """Blocks of ``size`` items below ``limit``: each smaller block with one entry of a later item.

        Entries are in item order, so the blocks ending before item i are a prefix of the smaller
        blocks (kept sorted by their last item); blocks over the target are dropped at once.
        """
        chosen = np.flatnonzero(items < limit)
        if smaller is None:
            entries = chosen.reshape(-1, 1)
        else:
            ends = np.searchsorted(smaller.last, items[chosen], side="left")
            total = int(ends.sum())
            owner = np.repeat(np.arange(len(chosen)), ends)
            starts = np.cumsum(ends) - ends
            prefix = np.arange(total) - np.repeat(starts, ends)
            entries = np.column_stack([smaller.entries[prefix], chosen[owner]])
        sums = cents[entries].sum(axis=1)
        within = sums <= target
        entries, sums = entries[within], sums[within]
        return cls(sums, items[entries[:, 0]].astype(np.int64), items[entries[:, -1]].astype(np.int64), entries)


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
    window = max(target // 16, max(1, -(-target // bins)) * 8)
    if max_items == 1:   # single items: count the amounts near the target, no need for bins
        near = sum(1 for amounts in options for c in amounts if target - window <= c <= target + window)
        return near / (2 * window + 1)
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
