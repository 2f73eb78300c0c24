"""PostGIS geometry columns and spatial indexes (PostgreSQL only)

On PostgreSQL the provider's point, its service area and the admin boundaries also exist as
real PostGIS columns with GIST indexes, so that QGIS, tipg or pygeoapi can read the tables.
They are generated from the portable columns (lon/lat and GeoJSON) by the database itself,
so no code path can let them drift. SQLite keeps the portable columns only.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 21:40:00
"""

from collections.abc import Sequence

from alembic import op

from referral_api.db.spatial import POSTGIS_COLUMNS, POSTGIS_INDEXES

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _geojson(column: str) -> str:
    # SQLAlchemy stores Python None in a JSON column as JSON null, not SQL NULL.
    return (
        f"CASE WHEN {column} IS NULL OR {column}::text = 'null' THEN NULL "
        f"ELSE ST_SetSRID(ST_GeomFromGeoJSON({column}::text), 4326) END"
    )


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.execute(
        "ALTER TABLE provider ADD COLUMN location geometry(Point, 4326) GENERATED ALWAYS AS "
        "(CASE WHEN lon IS NULL OR lat IS NULL THEN NULL "
        "ELSE ST_SetSRID(ST_MakePoint(lon, lat), 4326) END) STORED"
    )
    op.execute(
        "ALTER TABLE provider ADD COLUMN service_area_geometry geometry(Geometry, 4326) "
        f"GENERATED ALWAYS AS ({_geojson('service_area')}) STORED"
    )
    op.execute(
        "ALTER TABLE admin_area ADD COLUMN boundary geometry(Geometry, 4326) "
        f"GENERATED ALWAYS AS ({_geojson('geometry')}) STORED"
    )
    op.execute("CREATE INDEX ix_provider_location ON provider USING gist (location)")
    op.execute(
        "CREATE INDEX ix_provider_service_area_geometry ON provider "
        "USING gist (service_area_geometry)"
    )
    op.execute("CREATE INDEX ix_admin_area_boundary ON admin_area USING gist (boundary)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for index in sorted(POSTGIS_INDEXES):
        op.execute(f"DROP INDEX IF EXISTS {index}")
    for table, column in sorted(POSTGIS_COLUMNS):
        op.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS {column}")
