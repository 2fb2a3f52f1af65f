"""Credit gate, credit reports, invoices and their delivery, customer portal.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("work_items") as batch:
        batch.add_column(sa.Column("priority", sa.Integer(), nullable=True))
    op.create_table(
        "credit_reports",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("customer_id", sa.String(40), nullable=False),
        sa.Column("company_name", sa.String(200), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("agency_ref", sa.String(80), nullable=False),
        sa.Column("rating", sa.String(10), nullable=False),
        sa.Column("payment_index", sa.Integer(), nullable=False),
        sa.Column("recommended_limit", sa.String(20), nullable=True),
        sa.Column("currency", sa.String(3), nullable=True),
        sa.Column("report_date", sa.String(10), nullable=False),
        sa.Column("fetched_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_credit_reports_customer_id", "credit_reports", ["customer_id"])
    op.create_table(
        "portal_contacts",
        sa.Column("web_user_id", sa.Integer(), sa.ForeignKey("web_users.id"), primary_key=True),
        sa.Column("customer_id", sa.String(80), nullable=False),
    )
    op.create_index("ix_portal_contacts_customer_id", "portal_contacts", ["customer_id"])
    op.create_table(
        "portal_attachments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("customer_id", sa.String(80), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("mime_type", sa.String(100), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.Column("uploaded_by", sa.String(200), nullable=False),
    )
    op.create_index("ix_portal_attachments_customer_id", "portal_attachments", ["customer_id"])


def downgrade() -> None:
    op.drop_index("ix_portal_attachments_customer_id", table_name="portal_attachments")
    op.drop_table("portal_attachments")
    op.drop_index("ix_portal_contacts_customer_id", table_name="portal_contacts")
    op.drop_table("portal_contacts")
    op.drop_index("ix_credit_reports_customer_id", table_name="credit_reports")
    op.drop_table("credit_reports")
    with op.batch_alter_table("work_items") as batch:
        batch.drop_column("priority")
