"""Robot Framework runs: artifacts kept per run.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    # What a run kept (name -> path): a Robot task's output.xml, log.html and report.html.
    op.add_column("bot_runs", sa.Column("artifacts", Json, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("bot_runs") as batch:
        batch.drop_column("artifacts")
