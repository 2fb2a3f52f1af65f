"""Console: users, sign-in throttling, item versions.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("work_items") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(sa.Column("assigned_to", sa.String(200), nullable=True))
    op.create_index("ix_work_items_state_updated", "work_items", ["state", "updated_at"])
    op.create_index("ix_work_items_assigned_to", "work_items", ["assigned_to"])
    op.create_index("ix_work_items_state_reason", "work_items", ["state", "exception_code"])

    op.create_table(
        "web_users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("realm", sa.String(40), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(40), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("password_changed_at", sa.DateTime(), nullable=False),
        sa.Column("last_sign_in_at", sa.DateTime(), nullable=True),
        sa.UniqueConstraint("realm", "name", name="uq_web_users_realm_name"),
    )
    op.create_table(
        "web_sign_in_failures",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("realm", sa.String(40), nullable=False),
        sa.Column("scope", sa.String(10), nullable=False),
        sa.Column("subject", sa.String(255), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(), nullable=False),
        sa.Column("blocked_until", sa.DateTime(), nullable=True),
        sa.UniqueConstraint("realm", "scope", "subject", name="uq_web_sign_in_failures_subject"),
    )
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("realm", sa.String(40), nullable=False),
        sa.Column("user_id", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.UniqueConstraint("token_hash"),
    )


def downgrade() -> None:
    op.drop_table("web_sessions")
    op.drop_table("web_sign_in_failures")
    op.drop_table("web_users")
    op.drop_index("ix_work_items_state_reason", table_name="work_items")
    op.drop_index("ix_work_items_assigned_to", table_name="work_items")
    op.drop_index("ix_work_items_state_updated", table_name="work_items")
    with op.batch_alter_table("work_items") as batch:
        batch.drop_column("assigned_to")
        batch.drop_column("version")
