"""idempotency claims: a token, and a lease instead of 24 hours

A create claims its Idempotency-Key before it runs. Until now the claim held for the whole
replay window, so a process that died in between blocked the key for 24 hours; now an
unanswered claim lapses after a short lease, and `claim_token` tells which request holds
it, so that a request overtaken by a retry cannot answer (and write) as well.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 14:05:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_records = sa.table(
    "idempotency_record",
    sa.column("status_code", sa.Integer()),
    sa.column("created_at", sqlmodel.sql.sqltypes.UTCDateTime()),
)


def upgrade() -> None:
    with op.batch_alter_table("idempotency_record", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("claim_token", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True)
        )
    # Claims left unanswered by a crash before this revision would block their keys for
    # the rest of their 24 hours; no create runs for minutes, so older ones are dead.
    cutoff = datetime.now(UTC) - timedelta(minutes=5)
    op.execute(
        _records.delete().where(_records.c.status_code.is_(None), _records.c.created_at < cutoff)
    )


def downgrade() -> None:
    with op.batch_alter_table("idempotency_record", schema=None) as batch_op:
        batch_op.drop_column("claim_token")
