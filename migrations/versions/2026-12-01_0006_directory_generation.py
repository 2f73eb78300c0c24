"""directory generation: which bulk load a directory's history starts from

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 23:50:00
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("directory_state", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("generation", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True)
        )
    # A directory from before is a generation of its own: no snapshot file names it yet.
    op.execute(
        sa.text("UPDATE directory_state SET generation = :generation").bindparams(
            generation=uuid.uuid4().hex
        )
    )


def downgrade() -> None:
    with op.batch_alter_table("directory_state", schema=None) as batch_op:
        batch_op.drop_column("generation")
