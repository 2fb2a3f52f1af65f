"""The names of the demo world's payment files and of the three ways the demo feeds payments to
the matcher; the steps write and use them, the report reads them."""

STATEMENT = "payments.camt053.xml"
BAI2 = "payments.bai2"
PAYMENTS_JSON = "payments.json"
# The three ways the demo feeds payments to the matcher; the first is the bots' own path.
PIPELINE = "camt.053 + remittance PDFs"
AS_SENT = "payments.json"
BANK_ONLY = "BAI2, no remittance"
