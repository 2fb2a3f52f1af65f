"""The customer's credit data from the ERP's credit screen (FD32), as a credit clerk reads it.

``read_credit_standing(erp, "C1004")`` opens FD32 on the ERP client's page, shows the
customer's credit data and reads each row (labels in selectors/erp/customer_credit.yaml):
credit limit, open receivables, open orders, days the oldest item is overdue, credit block.
"""

from decimal import Decimal, InvalidOperation

from bots.credit.rules import CreditStanding
from bots.runtime.errors import ApplicationException, BusinessException
from bots.runtime.screens import Screen, locate

_FACTS = ("customer_id", "currency", "credit_limit", "open_receivables", "open_orders", "oldest_overdue_days",
          "credit_block")


def read_credit_standing(erp, customer_id: str) -> CreditStanding:
    """Open FD32 for ``customer_id`` on ``erp`` (an ``ErpClient``) and read its credit data.

    :raises BusinessException: ``unknown_customer`` when the ERP has no such customer.
    :raises ApplicationException: the screen showed something that is not credit data.
    """
    erp.open_transaction("FD32")
    screen = Screen(erp.page, "erp/customer_credit")
    screen["customer"].fill(customer_id)
    with erp.page.expect_navigation():
        screen["show"].click()
    erp._check_page(f"show the credit data of customer {customer_id}")  # busy, expired session, maintenance
    if screen["credit_data"].count() == 0:
        status = erp.status_text()
        raise BusinessException("unknown_customer", f"the ERP shows no credit data for customer {customer_id}: "
                                f"{status or 'no message'}", {"status_bar": status})
    value = screen.entry("value")
    facts = {name: " ".join(locate(screen[name], value).inner_text().split()) for name in _FACTS}
    if facts["customer_id"].upper() != customer_id.upper():
        raise ApplicationException("erp_screen", f"the credit screen shows customer {facts['customer_id']}, "
                                   f"not {customer_id}")
    block = facts["credit_block"]
    return CreditStanding(
        customer_id=facts["customer_id"], currency=facts["currency"],
        credit_limit=_amount(facts, "credit_limit"), open_receivables=_amount(facts, "open_receivables"),
        open_orders=_amount(facts, "open_orders"), oldest_overdue_days=int(_amount(facts, "oldest_overdue_days")),
        blocked=block.lower().startswith("blocked"), block_reason=block.partition(":")[2].strip())


def _amount(facts: dict, name: str) -> Decimal:
    text = facts[name].replace(",", "")
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ApplicationException("erp_screen", f"the credit screen's {name.replace('_', ' ')} "
                                   f"is not a number: {facts[name]!r}") from None
