"""Work items and their history, bot runs, the append-only audit log.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "work_items",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("idempotency_key", sa.String(255), nullable=False),
        sa.Column("source_ref", sa.String(2000), nullable=True),
        sa.Column("payload", Json, nullable=False),
        sa.Column("result", Json, nullable=True),
        sa.Column("parent_id", sa.Integer(), sa.ForeignKey("work_items.id"), nullable=True),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_owner", sa.String(200), nullable=True),
        sa.Column("lease_expires_at", sa.DateTime(), nullable=True),
        sa.Column("not_before", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("exception_type", sa.String(20), nullable=True),
        sa.Column("exception_code", sa.String(80), nullable=True),
        sa.Column("exception_message", sa.Text(), nullable=True),
        sa.Column("evidence", Json, nullable=True),
        sa.Column("traceback", sa.Text(), nullable=True),
        sa.UniqueConstraint("idempotency_key"),
    )
    op.create_index("ix_work_items_state_kind", "work_items", ["state", "kind"])

    op.create_table(
        "item_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("item_id", sa.Integer(), sa.ForeignKey("work_items.id"), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("from_state", sa.String(20), nullable=True),
        sa.Column("to_state", sa.String(20), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("detail", Json, nullable=True),
    )
    op.create_index("ix_item_events_item_id", "item_events", ["item_id"])

    op.create_table(
        "bot_runs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("bot", sa.String(80), nullable=False),
        sa.Column("worker", sa.String(200), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("counts", Json, nullable=False),
    )
    op.create_index("ix_bot_runs_bot", "bot_runs", ["bot"])

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("run_id", sa.Integer(), sa.ForeignKey("bot_runs.id"), nullable=True),
        sa.Column("item_id", sa.Integer(), sa.ForeignKey("work_items.id"), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("bot", sa.String(80), nullable=False),
        sa.Column("action", sa.String(80), nullable=False),
        sa.Column("system", sa.String(80), nullable=False),
        sa.Column("target", sa.String(500), nullable=False),
        sa.Column("detail", Json, nullable=True),
        sa.Column("document_number", sa.String(80), nullable=True),
    )
    op.create_index("ix_audit_log_run_id", "audit_log", ["run_id"])
    op.create_index("ix_audit_log_item_id", "audit_log", ["item_id"])
    op.create_index("ix_audit_log_document_number", "audit_log", ["document_number"])
    _make_audit_log_append_only()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS o2c_refuse_audit_change()")
    for table in ("audit_log", "bot_runs", "item_events", "work_items"):
        op.drop_table(table)


def _make_audit_log_append_only() -> None:
    """Refuse UPDATE and DELETE on audit rows in the database itself, not only in the ORM."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION o2c_refuse_audit_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'the audit log is append-only';
            END $$
            """
        )
        op.execute(
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION o2c_refuse_audit_change()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log "
                "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
            )
