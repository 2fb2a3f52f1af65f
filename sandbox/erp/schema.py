"""Tables of the ERP database (``erp.sqlite``).

Money is stored as decimal strings with two places ("1234.50") and summed in Python with
``Decimal``; dates as ISO strings. Tests read these tables directly to check what bots did.
"""

SCHEMA = """
CREATE TABLE customers (
    customer_id     TEXT PRIMARY KEY,          -- "C1001"
    name            TEXT NOT NULL UNIQUE,      -- with its legal form: "Pinecrest Grocers LLC"
    street          TEXT NOT NULL,
    city            TEXT NOT NULL,             -- city line with postcode, as printed
    country         TEXT NOT NULL,             -- ISO 3166 alpha-2
    currency        TEXT NOT NULL,             -- ISO 4217
    credit_limit    TEXT NOT NULL,
    payment_terms   TEXT NOT NULL,             -- as printed: "2/10 net 30"
    discount_pct    TEXT NOT NULL,             -- "2.00"
    discount_days   INTEGER NOT NULL,
    net_days        INTEGER NOT NULL,
    email           TEXT NOT NULL,
    ship_to         TEXT NOT NULL              -- default ship-to address of new orders
);

CREATE TABLE items (
    item_id         TEXT PRIMARY KEY,          -- "NW-4410"
    description     TEXT NOT NULL,
    unit            TEXT NOT NULL,             -- EA, CS, BX, PK, KG
    price           TEXT NOT NULL              -- list price, in the order's currency
);

CREATE TABLE sales_orders (
    order_no        INTEGER PRIMARY KEY,       -- 10000001 upwards
    customer_id     TEXT NOT NULL REFERENCES customers(customer_id),
    customer_po     TEXT NOT NULL,
    order_date      TEXT NOT NULL,
    requested_date  TEXT,
    ship_to         TEXT NOT NULL,
    currency        TEXT NOT NULL,
    net_value       TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'open',   -- open (shipped once shipped_on is set), invoiced
    delivery_no     INTEGER,
    shipped_on      TEXT,
    created_by      TEXT NOT NULL
);
CREATE INDEX sales_orders_po ON sales_orders(customer_id, customer_po);

CREATE TABLE order_lines (
    order_no        INTEGER NOT NULL REFERENCES sales_orders(order_no),
    line_no         INTEGER NOT NULL,
    item_id         TEXT NOT NULL REFERENCES items(item_id),
    description     TEXT NOT NULL,
    quantity        TEXT NOT NULL,
    unit_price      TEXT NOT NULL,
    amount          TEXT NOT NULL,
    PRIMARY KEY (order_no, line_no)
);

CREATE TABLE invoices (
    invoice         TEXT PRIMARY KEY,          -- "INV-10001", a credit memo "CM-50001"
    kind            TEXT NOT NULL DEFAULT 'invoice',  -- invoice, credit_memo (negative amounts)
    order_no        INTEGER REFERENCES sales_orders(order_no),  -- none for a credit memo
    customer_id     TEXT NOT NULL REFERENCES customers(customer_id),
    invoice_date    TEXT NOT NULL,
    due_date        TEXT NOT NULL,
    discount_date   TEXT,                      -- last day of the cash discount, if the terms give one
    discount_pct    TEXT NOT NULL,
    currency        TEXT NOT NULL,
    amount          TEXT NOT NULL,
    open_amount     TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'open'    -- open, paid (cleared)
);
CREATE INDEX invoices_customer ON invoices(customer_id, status);

-- Cash receipts (payment documents) and their reversals.
CREATE TABLE receipts (
    doc_no          INTEGER PRIMARY KEY,       -- 1400000001 upwards
    customer_id     TEXT NOT NULL REFERENCES customers(customer_id),
    reference       TEXT NOT NULL,             -- the payer's payment reference
    payment_date    TEXT NOT NULL,
    currency        TEXT NOT NULL,
    amount          TEXT NOT NULL,
    applied         TEXT NOT NULL,             -- sum of the amounts applied to invoices
    on_account      TEXT NOT NULL,             -- the rest, unapplied cash on the account
    status          TEXT NOT NULL DEFAULT 'posted',  -- posted, reversed
    reversal_doc    INTEGER,                   -- the document that reversed this one
    reversal_reason TEXT,
    posted_by       TEXT NOT NULL
);
CREATE INDEX receipts_reference ON receipts(reference);

CREATE TABLE receipt_lines (
    doc_no          INTEGER NOT NULL REFERENCES receipts(doc_no),
    invoice         TEXT NOT NULL REFERENCES invoices(invoice),
    amount          TEXT NOT NULL,             -- cash applied
    discount        TEXT NOT NULL,             -- cash discount granted (closes the invoice)
    deduction       TEXT NOT NULL,             -- short payment disputed (stays open)
    reason_code     TEXT,                      -- why the deduction was taken
    PRIMARY KEY (doc_no, invoice)
);

-- Credit management (FD32): a customer whose orders are blocked for credit reasons.
CREATE TABLE credit_blocks (
    customer_id     TEXT PRIMARY KEY REFERENCES customers(customer_id),
    reason          TEXT NOT NULL,
    blocked_on      TEXT NOT NULL,
    blocked_by      TEXT NOT NULL
);

-- Number ranges: the next number each document type gets.
CREATE TABLE number_ranges (
    name            TEXT PRIMARY KEY,
    next_value      INTEGER NOT NULL
);
INSERT INTO number_ranges VALUES ('sales_order', 10000001), ('delivery', 80000001),
                                 ('invoice', 10001), ('receipt', 1400000001);
"""

# Reason codes for deductions, as the cash-receipt screen offers them.
REASON_CODES = {
    "PR": "Pricing",
    "SH": "Shortage",
    "DM": "Damage",
    "PM": "Promotion / trade spend",
    "FR": "Freight",
    "TX": "Tax",
    "OT": "Other",
}

CURRENCIES = ("USD", "EUR", "GBP", "CAD")
