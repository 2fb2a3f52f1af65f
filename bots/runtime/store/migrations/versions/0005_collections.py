"""Collections: outgoing mail, the receivables ledger, contacts, promises to pay, dispute cases, dunning.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
Money = sa.Numeric(18, 2)


def upgrade() -> None:
    op.create_table(
        "outgoing_messages",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(255), nullable=False, unique=True),
        sa.Column("message_id", sa.String(255), nullable=False, unique=True),
        sa.Column("purpose", sa.String(40), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("sender", sa.String(320), nullable=False),
        sa.Column("recipients", Json, nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("raw", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.Column("found_in_sent", sa.Boolean(), nullable=False),
        sa.Column("meta", Json, nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
    )
    op.create_table(
        "ar_items",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("customer_id", sa.String(80), nullable=False),
        sa.Column("customer_name", sa.String(300), nullable=False),
        sa.Column("invoice", sa.String(80), nullable=False),
        sa.Column("invoice_date", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("amount", Money, nullable=False),
        sa.Column("open_amount", Money, nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.UniqueConstraint("customer_id", "invoice", name="uq_ar_items_customer_invoice"),
    )
    op.create_index("ix_ar_items_customer_id", "ar_items", ["customer_id"])
    op.create_table(
        "ar_receipts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("customer_id", sa.String(80), nullable=False),
        sa.Column("invoice", sa.String(80), nullable=False),
        sa.Column("receipt_date", sa.Date(), nullable=False),
        sa.Column("amount", Money, nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
    )
    op.create_index("ix_ar_receipts_customer_id", "ar_receipts", ["customer_id"])
    op.create_table(
        "collection_contacts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("customer_id", sa.String(80), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(320), nullable=True),
        sa.Column("phone", sa.String(40), nullable=True),
        sa.Column("language", sa.String(10), nullable=False),
        sa.Column("receives_dunning", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_collection_contacts_customer_id", "collection_contacts", ["customer_id"])
    op.create_table(
        "collection_contact_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("customer_id", sa.String(80), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("channel", sa.String(40), nullable=True),
        sa.Column("stage", sa.Integer(), nullable=True),
        sa.Column("invoices", Json, nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("message_key", sa.String(255), nullable=True),
    )
    op.create_index("ix_collection_contact_log_customer_id", "collection_contact_log", ["customer_id"])
    op.create_table(
        "collection_promises",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("customer_id", sa.String(80), nullable=False),
        sa.Column("invoices", Json, nullable=False),
        sa.Column("amount", Money, nullable=False),
        sa.Column("promised_date", sa.Date(), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_collection_promises_customer_id", "collection_promises", ["customer_id"])
    op.create_table(
        "collection_cases",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("customer_id", sa.String(80), nullable=False),
        sa.Column("invoice", sa.String(80), nullable=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("reason", sa.String(80), nullable=False),
        sa.Column("team", sa.String(80), nullable=False),
        sa.Column("amount", Money, nullable=True),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("source", sa.String(40), nullable=False),
        sa.Column("source_ref", sa.String(255), nullable=True, unique=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("opened_by", sa.String(200), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("closed_by", sa.String(200), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
    )
    op.create_index("ix_collection_cases_customer_id", "collection_cases", ["customer_id"])
    op.create_index("ix_collection_cases_invoice", "collection_cases", ["invoice"])
    op.create_table(
        "dunning_notices",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("customer_id", sa.String(80), nullable=False),
        sa.Column("invoice", sa.String(80), nullable=False),
        sa.Column("stage", sa.Integer(), nullable=False),
        sa.Column("message_key", sa.String(255), nullable=False),
        sa.Column("noticed_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("customer_id", "invoice", "stage", name="uq_dunning_notices_stage"),
    )
    op.create_index("ix_dunning_notices_message_key", "dunning_notices", ["message_key"])
    op.create_table(
        "customer_risk_scores",
        sa.Column("customer_id", sa.String(80), primary_key=True),
        sa.Column("score", sa.Numeric(6, 2), nullable=False),
        sa.Column("factors", Json, nullable=False),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "collection_assignments",
        sa.Column("customer_id", sa.String(80), primary_key=True),
        sa.Column("collector", sa.String(200), nullable=False),
        sa.Column("assigned_at", sa.DateTime(), nullable=False),
        sa.Column("assigned_by", sa.String(200), nullable=False),
    )
    op.create_index("ix_collection_assignments_collector", "collection_assignments", ["collector"])
    op.create_table(
        "order_stops",
        sa.Column("customer_id", sa.String(80), primary_key=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("set_at", sa.DateTime(), nullable=False),
        sa.Column("set_by", sa.String(200), nullable=False),
        sa.Column("lifted_at", sa.DateTime(), nullable=True),
        sa.Column("lifted_by", sa.String(200), nullable=True),
    )


def downgrade() -> None:
    for table in ("order_stops", "collection_assignments", "customer_risk_scores", "dunning_notices",
                  "collection_cases", "collection_promises", "collection_contact_log", "collection_contacts",
                  "ar_receipts", "ar_items", "outgoing_messages"):
        op.drop_table(table)
