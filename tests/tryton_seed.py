"""Seed a fresh Tryton 8.0 database with a company a sales clerk can key orders in.

Run by tests/tryton_erp.py with the Python of Tryton's own virtual environment (it
imports proteus and trytond, which .venv does not have)::

    TRYTON_VENV/bin/python tests/tryton_seed.py CONF DATABASE < catalog.json

The catalog on stdin says which customers and products to create
(``{"company": ..., "customers": [...], "products": [{"code", "name", "list_price"}]}``).
It makes, through proteus as an administrator would: the currency, the company with an
employee for the admin user, a minimal chart of accounts, this year's fiscal year with
its periods and invoice sequences, a payment term, the customers and the goods, and it
marks the configuration wizard's items done so the first login opens no wizard.
"""

import datetime
import json
import sys
from decimal import Decimal

from proteus import Model, Wizard, config as proteus_config
from trytond.modules.account.tests.tools import create_chart, create_fiscalyear, get_accounts
from trytond.modules.account_invoice.tests.tools import create_payment_term, set_fiscalyear_invoice_sequences
from trytond.modules.company.tests.tools import create_company, get_company


def seed(catalog: dict) -> None:
    """Create everything the catalog names, in the order Tryton needs it."""
    Party = Model.get("party.party")
    company_party = Party(name=catalog["company"])
    company_party.save()
    create_company(party=company_party, currency=catalog.get("currency", "USD"))
    company = get_company()
    _employ_admin(company)

    create_chart(company)
    accounts = get_accounts(company)
    fiscalyear = set_fiscalyear_invoice_sequences(create_fiscalyear(company, today=datetime.date.today()))
    fiscalyear.click("create_period")

    payment_term = create_payment_term()
    payment_term.save()
    for name in catalog["customers"]:
        customer = Party(name=name)
        customer.customer_payment_term = payment_term
        customer.save()
    _create_goods(catalog["products"], accounts)
    _finish_config_wizard()


def _employ_admin(company) -> None:
    """Give the admin user an employee of the company (sales need one to be quoted)."""
    Party = Model.get("party.party")
    Employee = Model.get("company.employee")
    User = Model.get("res.user")
    employee_party = Party(name="Order Desk")
    employee_party.save()
    employee = Employee(party=employee_party, company=company)
    employee.save()
    admin, = User.find([("login", "=", "admin")])
    admin.employees.append(Employee(employee.id))
    admin.employee = Employee(employee.id)
    admin.save()


def _create_goods(products: list[dict], accounts: dict) -> None:
    """One salable good per catalog entry: code, name, list price, unit "Unit"."""
    Category = Model.get("product.category")
    Template = Model.get("product.template")
    Uom = Model.get("product.uom")
    unit, = Uom.find([("name", "=", "Unit")])
    category = Category(name="Goods", accounting=True)
    category.account_revenue = accounts["revenue"]
    category.account_expense = accounts["expense"]
    category.save()
    for product in products:
        template = Template(name=product["name"], type="goods", default_uom=unit, salable=True)
        template.list_price = Decimal(product["list_price"])
        template.account_category = category
        template.code = product["code"]  # a variant's code is the template's code and its own suffix
        template.save()


def _finish_config_wizard() -> None:
    """Mark every configuration wizard item done, or the first login opens the wizard."""
    Item = Model.get("ir.module.config_wizard.item")
    for item in Item.find([("state", "!=", "done")]):
        item.state = "done"
        item.save()


def main(argv: list[str]) -> int:
    conf, database = argv[1], argv[2]
    proteus_config.set_trytond(database, config_file=conf)
    seed(json.load(sys.stdin))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
