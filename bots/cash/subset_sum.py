"""Which of a customer's open items a lump sum pays: a bounded exact subset sum.

A payment without remittance may pay several invoices at once. The search looks for every
combination of at most ``max_items`` open amounts that adds up to the payment exactly, and
stops as soon as it has found two (then the answer is ambiguous), or when it has spent its
node or time budget (then it cannot say, and a person decides).
"""

import time
from dataclasses import dataclass


@dataclass(frozen=True)
class SubsetResult:
    """``solutions`` holds up to two combinations (tuples of the given keys)."""

    solutions: tuple[tuple, ...]
    complete: bool      # False when a budget ran out before the search finished

    @property
    def unique(self) -> tuple | None:
        """The one combination, when the search finished and found exactly one."""
        return self.solutions[0] if self.complete and len(self.solutions) == 1 else None


def find_subsets(amounts: dict, target: int, max_items: int = 6, max_candidates: int = 60,
                 max_nodes: int = 200_000, max_seconds: float = 0.25) -> SubsetResult:
    """Combinations of ``amounts`` (key to positive cents) that sum to ``target`` cents.

    :param max_candidates: more open items than this (after dropping those above the
        target) and the search does not start: the result is incomplete.
    """
    items = sorted(((cents, key) for key, cents in amounts.items() if 0 < cents <= target), reverse=True)
    if target <= 0 or not items:
        return SubsetResult((), True)
    if len(items) > max_candidates:
        return SubsetResult((), False)
    values = [cents for cents, _ in items]
    # suffix[i]: the most the items from i on can add, to prune branches that cannot reach the target.
    suffix = [0] * (len(values) + 1)
    for i in range(len(values) - 1, -1, -1):
        suffix[i] = suffix[i + 1] + values[i]
    solutions: list[tuple] = []
    nodes = 0
    deadline = time.monotonic() + max_seconds
    complete = True
    chosen: list[int] = []

    def search(start: int, remaining: int) -> bool:
        """Depth-first; returns False to stop the whole search."""
        nonlocal nodes, complete
        for i in range(start, len(values)):
            nodes += 1
            if nodes > max_nodes or (nodes % 4096 == 0 and time.monotonic() > deadline):
                complete = False
                return False
            value = values[i]
            if value > remaining:
                continue
            if suffix[i] < remaining:
                return True   # even all the rest cannot reach it
            if value == remaining:
                solutions.append(tuple(items[j][1] for j in chosen + [i]))
                if len(solutions) >= 2:
                    return False
                continue
            if len(chosen) + 1 < max_items:
                chosen.append(i)
                keep_going = search(i + 1, remaining - value)
                chosen.pop()
                if not keep_going:
                    return False
        return True

    search(0, target)
    return SubsetResult(tuple(solutions), complete or len(solutions) >= 2)


def find_signed_subsets(amounts: dict, target: int, max_items: int = 3,
                        max_combinations: int = 50_000) -> SubsetResult:
    """Combinations of at most ``max_items`` of ``amounts`` (cents, credit memos negative) that sum
    to ``target`` (which may be negative), counted up to two.

    For completing a payment whose memo names some of the invoices: the rest of the money may
    pay a few more, or a credit memo may have been taken. Negative amounts rule out the pruning
    of ``find_subsets``, so this one only looks at small combinations, within a budget.
    """
    import itertools

    keys = [key for key, cents in amounts.items() if cents != 0]
    solutions: list[tuple] = []
    tried = 0
    for size in range(1, max_items + 1):
        for combination in itertools.combinations(keys, size):
            tried += 1
            if tried > max_combinations:
                return SubsetResult(tuple(solutions), len(solutions) >= 2)
            if sum(amounts[key] for key in combination) == target:
                solutions.append(combination)
                if len(solutions) >= 2:
                    return SubsetResult(tuple(solutions), True)
    return SubsetResult(tuple(solutions), True)
