"""Stage 7: check the remittance adds up, and say so in plain words when it does not.

Numbers are never changed here; the supervisor must see what the payer printed.
"""

from decimal import Decimal


def check(remittance: dict) -> list[str]:
    """Warnings for lines that do not add up to the total and lines whose arithmetic is off."""
    warnings = []
    lines = remittance["lines"]
    total = remittance.get("total")
    for line in lines:
        expected = line["gross"] - line["discount"] - line["deduction"]
        if expected != line["paid"]:
            warnings.append(
                f"line {line['invoice']}: gross {line['gross']} - discount {line['discount']} - deduction "
                f"{line['deduction']} = {expected}, but paid is {line['paid']}")
    if lines:
        paid = sum((line["paid"] for line in lines), Decimal("0.00"))
        if total is None:
            warnings.append(f"no payment total printed; the lines add up to {paid}")
        elif paid != total:
            warnings.append(f"the lines add up to {paid} but the payment total is {total} "
                            f"(difference {total - paid})")
    return warnings
