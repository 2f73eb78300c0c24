"""The gazetteer: administrative areas with their P-codes."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import exists, select
from sqlalchemy.orm import Session
from sqlmodel import col

from referral_api.db.tables import (
    AdminAreaRow,
)
from referral_api.domain.model import (
    AdminArea,
)


def _admin_area(row: AdminAreaRow) -> AdminArea:
    return AdminArea(
        pcode=row.pcode,
        name=row.name,
        level=row.level,
        parent_pcode=row.parent_pcode,
        label_lon=row.label_lon,
        label_lat=row.label_lat,
        cod_version=row.cod_version,
        geometry=row.geometry,
        name_ref=row.name_ref,
        area_sqkm=row.area_sqkm,
        valid_on=row.valid_on,
        source=row.source,
        licence=row.licence,
    )


def save_admin_areas(*, session: Session, areas: Iterable[AdminArea]) -> int:
    """Insert or replace gazetteer units; returns how many were written."""
    count = 0
    for area in areas:
        row = session.get(AdminAreaRow, area.pcode) or AdminAreaRow(
            pcode=area.pcode,
            name=area.name,
            level=area.level,
            label_lon=area.label_lon,
            label_lat=area.label_lat,
            cod_version=area.cod_version,
        )
        row.name = area.name
        row.name_ref = area.name_ref
        row.level = area.level
        row.parent_pcode = area.parent_pcode
        row.label_lon = area.label_lon
        row.label_lat = area.label_lat
        row.geometry = area.geometry
        row.area_sqkm = area.area_sqkm
        row.cod_version = area.cod_version
        row.valid_on = area.valid_on
        row.source = area.source
        row.licence = area.licence
        session.add(row)
        count += 1
    return count


def list_admin_areas(
    *, session: Session, level: int | None = None, parent_pcode: str | None = None
) -> list[AdminArea]:
    """Gazetteer units, optionally of one level or under one parent, by P-code."""
    statement = select(AdminAreaRow)
    if level is not None:
        statement = statement.where(col(AdminAreaRow.level) == level)
    if parent_pcode is not None:
        statement = statement.where(col(AdminAreaRow.parent_pcode) == parent_pcode)
    rows = session.scalars(statement.order_by(col(AdminAreaRow.pcode)))
    return [_admin_area(row) for row in rows]


def get_admin_area(*, session: Session, pcode: str) -> AdminArea | None:
    """The gazetteer unit with that P-code."""
    row = session.get(AdminAreaRow, pcode)
    return None if row is None else _admin_area(row)


def has_admin_areas(*, session: Session) -> bool:
    """Whether the gazetteer holds anything."""
    return bool(session.scalar(select(exists().where(col(AdminAreaRow.pcode).is_not(None)))))
