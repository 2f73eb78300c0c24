"""Providers and the organizations that run them: rows to domain values and back."""

from __future__ import annotations

import contextlib
import functools
import json
import operator
import uuid
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from enum import Enum
from mmap import mmap
from operator import attrgetter, call
from typing import Any, TypeVar, get_args, get_origin, get_type_hints

import numpy as np
import orjson
from numpy.typing import NDArray
from sqlalchemy import (
    JSON,
    ColumnElement,
    Date,
    DateTime,
    String,
    Table,
    Text,
    Uuid,
    cast,
    delete,
    exists,
    false,
    func,
    insert,
    or_,
    select,
    type_coerce,
    update,
)
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlmodel import UTCDateTime, col

from referral_api.db.tables import (
    OrganizationRow,
    ProviderRow,
    ServiceRow,
)
from referral_api.domain.access import Viewer
from referral_api.domain.clock import utc_now
from referral_api.domain.directory import Sketch, StoredProviders
from referral_api.domain.geometry import BBox
from referral_api.domain.model import (
    Access,
    AdminCodes,
    Contacts,
    Cost,
    Eligibility,
    Modality,
    Organization,
    OrganizationKind,
    Provider,
    Service,
    ServiceArea,
    Sex,
    Status,
    Visibility,
)
from referral_api.domain.queries import ProviderQuery


def _organization(row: OrganizationRow) -> Organization:
    return Organization(
        id=row.id,
        name=row.name,
        kind=OrganizationKind(row.kind),
        acronym=row.acronym,
        email=row.email,
        phone=row.phone,
        website=row.website,
    )


def save_organization(*, session: Session, organization: Organization) -> None:
    """Insert or update an organization."""
    now = utc_now()
    row = session.get(OrganizationRow, organization.id)
    if row is None:
        row = OrganizationRow(
            id=organization.id,
            name=organization.name,
            kind=organization.kind.value,
            created_at=now,
            updated_at=now,
        )
    row.name = organization.name
    row.kind = organization.kind.value
    row.acronym = organization.acronym
    row.email = organization.email
    row.phone = organization.phone
    row.website = organization.website
    row.updated_at = now
    session.add(row)


def list_organizations(*, session: Session) -> list[Organization]:
    """Every organization, by id."""
    rows = session.scalars(select(OrganizationRow).order_by(col(OrganizationRow.id)))
    return [_organization(row) for row in rows]


def organization_ids(*, session: Session) -> set[str]:
    """The ids of every organization."""
    return set(session.scalars(select(col(OrganizationRow.id))))


T = TypeVar("T")


class _Decoder:
    """Column values as the domain takes them, whether a row comes decoded (an ORM object,
    or a driver that parses dates) or raw (JSON as text, as `_raw` selects it)."""

    def __init__(self, *, remember: bool = True) -> None:
        self._remember = remember
        self._decoded: dict[str, Any] = {}
        self._values: dict[tuple[Any, ...], Any] = {}

    def shared(self, make: Callable[..., T], *raw: Any) -> T:
        """`make(*raw)`, one value for all equal raw values of a read: thousands of
        providers offer the same service or sit in the same admin units, and one object
        for them all saves the memory of a copy each."""
        if not self._remember:
            return make(*raw)
        key = (make, *raw)
        found: T | None = self._values.get(key)
        if found is None:
            found = self._values[key] = make(*raw)
        return found

    def json(self, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        found = self._decoded.get(value, self)
        if found is self:
            found = json.loads(value)
            # Short values repeat across thousands of rows; geometries are one of a kind.
            if self._remember and len(value) <= _SHORT_JSON:
                self._decoded[value] = found
        return found

    @staticmethod
    def uuid(value: Any) -> uuid.UUID:
        return uuid.UUID(value) if isinstance(value, str) else value

    def datetime(self, value: Any) -> datetime | None:
        """As `UTCDateTime` reads it: stored without an offset means UTC. A load stamps all
        its rows with one moment, and verifications fall on a few: each is parsed once."""
        if value is None:
            return None
        if isinstance(value, str):
            return self.shared(_moment_of_text, value)
        return _utc(value)

    @staticmethod
    def date(value: Any) -> date | None:
        return date.fromisoformat(value) if isinstance(value, str) else value


def _utc(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.utcoffset() is None else at.astimezone(UTC)


def _moment_of_text(value: str) -> datetime:
    return _utc(datetime.fromisoformat(value))


_SHORT_JSON = 200
_DECODED = _Decoder(remember=False)  # for the few rows of a listing: holds nothing

# How a provider is stored: each field of the domain value in the column of its name, but
# for these groups, whose fields have columns of their own. Reads and writes follow this
# table, and a test holds it to the domain model and to the `provider` table.
_GROUP_COLUMNS: dict[str, dict[str, str]] = {
    "admin": {
        "adm1": "adm1_pcode", "adm2": "adm2_pcode", "adm3": "adm3_pcode",
        "cod_version": "cod_version",
    },
    "service_area": {
        "geometry": "service_area", "radius_km": "service_radius_km",
        "pcodes": "service_area_pcodes",
    },
    "contacts": {"phones": "phones", "email": "email", "focal_point_role": "focal_point_role"},
}  # fmt: skip
# What storage sets on each write rather than takes from the provider.
_STORAGE_OWNED = ("id", "revision", "created_at", "updated_at")
# The services' columns take the names of their fields, eligibility's included.
_SERVICE_GROUPS = {"eligibility": {field.name: field.name for field in fields(Eligibility)}}


def _stored_fields(
    kind: type[Any], groups: dict[str, dict[str, str]], rows_of_their_own: tuple[str, ...] = ()
) -> tuple[tuple[str, type[Any], str], ...]:
    """(dotted path, domain type, column) of every stored field of `kind`, in its order."""
    hints = get_type_hints(kind)
    stored: list[tuple[str, Any, str]] = []
    for field in fields(kind):
        if field.name in rows_of_their_own:
            continue
        group = groups.get(field.name)
        if group is None:
            stored.append((field.name, hints[field.name], field.name))
        else:
            parts = get_type_hints(hints[field.name])
            stored += [
                (f"{field.name}.{part}", parts[part], column) for part, column in group.items()
            ]
    return tuple(stored)


_PROVIDER_FIELDS = _stored_fields(Provider, _GROUP_COLUMNS, rows_of_their_own=("services",))
_SERVICE_FIELDS = _stored_fields(Service, _SERVICE_GROUPS)
# The columns `_provider` and `_service` read, in the order of the domain's fields.
_PROVIDER_COLUMNS = tuple(column for _, _, column in _PROVIDER_FIELDS)
_SERVICE_COLUMNS = tuple(column for _, _, column in _SERVICE_FIELDS)
_provider_values = attrgetter(*_PROVIDER_COLUMNS)
_service_values_of = attrgetter(*_SERVICE_COLUMNS)


def _enum_values(items: Iterable[Enum]) -> list[Any]:
    return [item.value for item in items]


def _as_it_is(value: Any) -> Any:
    return value


def _to_column(kind: Any) -> Callable[[Any], Any]:
    """How a domain value of type `kind` is written: enums by value, tuples as JSON lists,
    dictionaries copied, anything else as it is."""
    if isinstance(kind, type) and issubclass(kind, Enum):
        return attrgetter("value")
    if get_origin(kind) is tuple:
        item = get_args(kind)[0]
        return _enum_values if isinstance(item, type) and issubclass(item, Enum) else list
    if get_origin(kind) is dict:
        return dict
    return _as_it_is


class _Columns:
    """The column values of the `stored` fields of a provider or a service."""

    def __init__(self, stored: Sequence[tuple[str, Any, str]]) -> None:
        self.names = tuple(column for _, _, column in stored)
        self.fields = attrgetter(*(path for path, _, _ in stored))
        self.converters = tuple(_to_column(kind) for _, kind, _ in stored)

    def of(self, value: Any) -> tuple[Any, ...]:
        """The values, in the order of `names`."""
        return tuple(map(call, self.converters, self.fields(value)))

    def __call__(self, value: Any) -> dict[str, Any]:
        return dict(zip(self.names, self.of(value), strict=True))


# The provider's stated fields as column values (storage-owned ones excluded).
_row_values = _Columns([field for field in _PROVIDER_FIELDS if field[2] not in _STORAGE_OWNED])
_service_columns = _Columns(_SERVICE_FIELDS)


def _raw(table: Any, names: Sequence[str]) -> list[ColumnElement[Any]]:
    """The columns as the driver returns them: SQLAlchemy's conversion of each JSON, date
    and UUID value is left to `_Decoder`, which decodes a repeated value once."""
    columns: list[ColumnElement[Any]] = []
    for name in names:
        column = table.c[name]
        if isinstance(column.type, JSON):
            # As text on every backend: equal values then compare equal before decoding.
            columns.append(cast(column, Text).label(name))
        elif isinstance(column.type, DateTime | UTCDateTime | Date | Uuid):
            columns.append(type_coerce(column, String).label(name))
        else:
            columns.append(column)
    return columns


def _service(values: Sequence[Any], decode: _Decoder = _DECODED) -> Service:
    """The service of a row's values in `_SERVICE_COLUMNS` order."""
    (need, sexes, min_age, max_age, child_friendly, groups, cost, access, capabilities, notes) = (
        values
    )
    return Service(
        need=need,
        eligibility=Eligibility(
            sexes=tuple(Sex(sex) for sex in decode.json(sexes)),
            min_age=min_age,
            max_age=max_age,
            child_friendly=child_friendly,
            population_groups=tuple(decode.json(groups)),
        ),
        cost=Cost(cost),
        access=Access(access),
        capabilities=tuple(decode.json(capabilities)),
        notes=dict(decode.json(notes)),
    )


def _service_of_raw(decode: _Decoder, *values: Any) -> Service:
    return _service(values, decode)


def _provider(
    values: Sequence[Any], services: Iterable[Service], decode: _Decoder = _DECODED
) -> Provider:
    """The provider of a row's values in `_PROVIDER_COLUMNS` order."""
    (
        id_, organization_id, name, modality, description, lon, lat, address,
        adm1, adm2, adm3, cod_version, area, radius_km, area_pcodes, phones, email,
        focal_point_role, opening_hours, timezone, languages, accessibility, status,
        status_reason, status_until, accepting_referrals, visibility, last_verified_at,
        last_verified_by, verification, source, licence, revision, created_at, updated_at,
    ) = values  # fmt: skip
    return Provider(
        id=decode.uuid(id_),
        organization_id=organization_id,
        name=name,
        modality=Modality(modality),
        services=tuple(services),
        description=dict(decode.json(description)),
        lon=lon,
        lat=lat,
        address=address,
        admin=decode.shared(AdminCodes, adm1, adm2, adm3, cod_version),
        service_area=_service_area(decode, area, radius_km, area_pcodes),
        contacts=Contacts(
            phones=tuple(decode.json(phones)), email=email, focal_point_role=focal_point_role
        ),
        opening_hours=opening_hours,
        timezone=timezone,
        languages=tuple(decode.json(languages)),
        accessibility=tuple(decode.json(accessibility)),
        status=Status(status),
        status_reason=status_reason,
        status_until=decode.date(status_until),
        accepting_referrals=accepting_referrals,
        visibility=Visibility(visibility),
        last_verified_at=decode.datetime(last_verified_at),
        last_verified_by=last_verified_by,
        verification=verification,
        source=source,
        licence=licence,
        revision=revision,
        created_at=decode.datetime(created_at),
        updated_at=decode.datetime(updated_at),
    )


def _service_area(decode: _Decoder, geometry: Any, radius_km: Any, pcodes: Any) -> ServiceArea:
    return ServiceArea(
        geometry=decode.json(geometry), radius_km=radius_km, pcodes=tuple(decode.json(pcodes))
    )


_COLUMN = {name: position for position, name in enumerate(_PROVIDER_COLUMNS)}
_ID, _LON, _LAT, _MODALITY, _VISIBILITY = (
    _COLUMN[name] for name in ("id", "lon", "lat", "modality", "visibility")
)
_AREA = tuple(_COLUMN[column] for column in _GROUP_COLUMNS["service_area"].values())
_NEED = _SERVICE_COLUMNS.index("need")
_RESTRICTED = Visibility.RESTRICTED.value


def _sketch(values: Sequence[Any], services: Sequence[Sequence[Any]], decode: _Decoder) -> Sketch:
    """The sketch of a row's values in `_PROVIDER_COLUMNS` order, with its services'."""
    geometry, radius_km, pcodes = (values[column] for column in _AREA)
    return Sketch(
        id=decode.uuid(values[_ID]),
        lon=values[_LON],
        lat=values[_LAT],
        needs=decode.shared(_needs, *(service[_NEED] for service in services)),
        modality=Modality(values[_MODALITY]),
        # A polygon is one of a kind; other areas repeat, as their text does.
        service_area=_service_area(decode, geometry, radius_km, pcodes)
        if geometry is not None
        else decode.shared(_service_area, decode, geometry, radius_km, pcodes),
        restricted=values[_VISIBILITY] == _RESTRICTED,
    )


def _needs(*codes: str) -> frozenset[str]:
    return frozenset(codes)


class ProviderRecords:
    """Providers kept each as its row's values in one compact record, end to end in one
    buffer, and decoded when asked for: a snapshot decodes the few that searches read.

    The buffer is the directory's own or a snapshot file's, mapped into memory: the
    workers of an instance then share its pages.
    """

    def __init__(self, buffer: bytearray | mmap, ends: Sequence[int] | NDArray[np.int64]) -> None:
        self.buffer, self.ends = buffer, ends
        self._view = memoryview(buffer)
        self._decode = _Decoder()

    def __len__(self) -> int:
        return len(self.ends)

    def provider(self, row: int) -> Provider:
        """The provider of a row."""
        start = int(self.ends[row - 1]) if row else 0
        values, services = orjson.loads(self._view[start : int(self.ends[row])])
        decode = self._decode
        return _provider(
            values, [decode.shared(_service_of_raw, decode, *raw) for raw in services], decode
        )


class _RecordsWriter:
    # orjson's output keeps the memory it was written in, a few kilobytes per record
    # where the record is a few hundred bytes: records are copied into one buffer.
    def __init__(self) -> None:
        self._written = bytearray()
        self._ends = array("q")

    def add(self, values: Sequence[Any], services: Sequence[Sequence[Any]]) -> None:
        # orjson writes the driver's UUIDs, moments and dates as the text `_Decoder` reads.
        self._written += orjson.dumps((values, services))
        self._ends.append(len(self._written))

    def done(self) -> ProviderRecords:
        # The buffer itself, not a copy of it (600 MB at a million): nothing adds to it now.
        return ProviderRecords(self._written, self._ends)


def _service_values(provider: Provider) -> list[dict[str, Any]]:
    return [
        {"provider_id": provider.id, "position": position, **_service_columns(service)}
        for position, service in enumerate(provider.services)
    ]


# Rows read at a time by the reads of the whole directory.
_ROWS_PER_FETCH = 10_000


def stored_provider_ids(*, session: Session) -> set[bytes]:
    """The ids of every stored provider (deleted ones included), as bytes.

    A load reads them once, before it writes: asking for each chunk's ids instead made
    PostgreSQL scan the whole table it was filling, whose statistics still said empty
    (94 of 140 seconds at 100,000 providers).
    """
    ids = session.scalars(select(col(ProviderRow.id)).execution_options(yield_per=_ROWS_PER_FETCH))
    return {stored.bytes for stored in ids}


# Rows per bulk write, so that a load holds the values of a few thousand rows at once
# rather than those of the whole directory.
_ROWS_PER_WRITE = 5000
_PROVIDER_TABLE = ProviderRow.__table__  # type: ignore[attr-defined]
_SERVICE_TABLE = ServiceRow.__table__  # type: ignore[attr-defined]


def _wrapped_json_as_text(value: Any) -> Any:
    """The text psycopg would write of a value it is given to write as JSON (in its
    wrapper): made where the rows are made, in a worker, rather than in the loading process
    as it copies them (a fifth of its time at 100,000 providers), and read back as `_raw`
    reads the column. SQLite's driver is given the text itself."""
    try:
        wrapped, dumps = value.obj, value.dumps
    except AttributeError:
        return value
    text = (dumps or json.dumps)(wrapped)
    return text.decode() if isinstance(text, bytes) else text


class _DriverInsert:
    """Rows of a table written by the driver itself, in bulk.

    Each column's own conversion (SQLAlchemy's bind processor for the dialect) is looked up
    once and applied in one loop: SQLAlchemy's executemany compiles every row's parameters
    anew, which was two thirds of a load's writing time. PostgreSQL takes the rows by COPY,
    SQLite by the driver's executemany. Errors are SQLAlchemy's, as from any statement, and
    never show the rows.
    """

    def __init__(self, table: Table, columns: Sequence[str]) -> None:
        self._table = table
        self.columns = tuple(columns)

    def converters(self, dialect: Dialect) -> tuple[Callable[[Any], Any], ...]:
        """How each column's value becomes the driver's, for `dialect`: JSON as its text,
        which COPY takes as it takes the wrapper psycopg is otherwise given."""
        return tuple(
            _then(
                self._table.c[name].type.dialect_impl(dialect).bind_processor(dialect) or _as_it_is,
                _wrapped_json_as_text if isinstance(self._table.c[name].type, JSON) else _as_it_is,
            )
            for name in self.columns
        )

    def write(self, connection: Connection, converted: Sequence[Sequence[Any]]) -> None:
        """Write rows converted for the connection's dialect."""
        if not converted:
            return
        dialect = connection.dialect
        quote = dialect.identifier_preparer.quote
        names = ", ".join(quote(name) for name in self.columns)
        table = quote(self._table.name)
        if dialect.name != "postgresql":
            marks = ", ".join("?" * len(self.columns))
            connection.exec_driver_sql(f"INSERT INTO {table} ({names}) VALUES ({marks})", converted)
            return
        statement = f"COPY {table} ({names}) FROM STDIN"
        driver: Any = connection.connection.driver_connection
        try:
            with driver.cursor() as cursor, cursor.copy(statement) as copy:
                for row in converted:
                    copy.write_row(row)
        except dialect.loaded_dbapi.Error as error:
            raise DBAPIError.instance(
                statement, None, error, dialect.loaded_dbapi.Error, hide_parameters=True
            ) from error


_PROVIDER_INSERT = _DriverInsert(
    _PROVIDER_TABLE,
    ("id", *_row_values.names, "revision", "created_at", "updated_at", "deleted_at"),
)
_SERVICE_INSERT = _DriverInsert(
    _SERVICE_TABLE, ("provider_id", "position", *_service_columns.names)
)


# A new provider's row and its services' rows, as the driver of one dialect takes them:
# plain tuples, which another process sends back at a fifth of a named tuple's cost.
ProviderRows = tuple[tuple[Any, ...], tuple[tuple[Any, ...], ...]]


def _then(first: Callable[[Any], Any], second: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """`second` after `first`, either left out if it changes nothing."""
    if first is _as_it_is:
        return second
    if second is _as_it_is:
        return first
    return lambda value: second(first(value))


_UNKNOWN = object()
_REMEMBERED = 4096


class _Remembered:
    """A conversion done once per value for values that repeat (moments, lists of codes,
    the load's own moment): a column whose values cannot be kept as keys (dictionaries) is
    converted every time."""

    def __init__(self, convert: Callable[[Any], Any]) -> None:
        self._convert = convert
        self._known: dict[Any, Any] | None = {}

    def __call__(self, value: Any) -> Any:
        known = self._known
        if known is None:
            return self._convert(value)
        try:
            found = known.get(value, _UNKNOWN)
        except TypeError:  # not hashable: the column holds dictionaries
            self._known = None
            return self._convert(value)
        if found is _UNKNOWN:
            found = self._convert(value)
            if len(known) < _REMEMBERED:
                known[value] = found
        return found


class _Steps:
    """The conversions of a row's values that change them: most columns take the value as
    it is, and a load converts some thirty values per provider, most of them repeated."""

    def __init__(self, *stages: Sequence[Callable[[Any], Any]]) -> None:
        composed = [functools.reduce(_then, column) for column in zip(*stages, strict=True)]
        self._steps = tuple(
            (at, _Remembered(step)) for at, step in enumerate(composed) if step is not _as_it_is
        )

    def __call__(self, values: list[Any]) -> tuple[Any, ...]:
        for at, step in self._steps:
            values[at] = step(values[at])
        return tuple(values)


# A new provider's values in the order of its insert, then in the order `_provider` reads.
_as_read = operator.itemgetter(*map(_PROVIDER_INSERT.columns.index, _PROVIDER_COLUMNS))


class NewRows:
    """The rows of new providers for `dialect`, stored at `now` (unless they say when they
    were created): made wherever the providers are read, in another process if need be."""

    def __init__(self, dialect: Dialect, now: datetime) -> None:
        self._now = now
        as_stored = (_as_it_is,) * 4  # revision, created_at, updated_at, deleted_at
        self._provider = _Steps(
            (_as_it_is, *_row_values.converters, *as_stored),
            _PROVIDER_INSERT.converters(dialect),
        )
        self._service = _Steps(
            (_as_it_is, _as_it_is, *_service_columns.converters),
            _SERVICE_INSERT.converters(dialect),
        )

    def __call__(self, provider: Provider) -> ProviderRows:
        """The rows of `provider`, known to be new."""
        created = provider.created_at or self._now
        fields = _service_columns.fields
        return (
            self._provider(
                [provider.id, *_row_values.fields(provider), 1, created, self._now, None]
            ),
            tuple(
                self._service([provider.id, position, *fields(service)])
                for position, service in enumerate(provider.services)
            ),
        )

    @staticmethod
    def record(rows: ProviderRows) -> bytes:
        """The record of a new provider's `rows` as they read back once written: what a
        load puts in the snapshot file of a directory it fills, without reading it again.
        (UUIDs, moments and dates orjson writes as text, which `_Decoder` reads.)"""
        provider, services = rows
        return orjson.dumps((_as_read(provider), [service[2:] for service in services]))


@contextlib.contextmanager
def indexes_set_aside(session: Session) -> Iterator[None]:
    """Within the block, the secondary indexes of the provider and service tables are
    dropped, and made again at its end, in the same transaction, if the directory is empty
    on SQLite: a load then sorts each index once rather than keeping it at every row.

    PostgreSQL would lock readers out of the tables for the whole load, so there the
    indexes stay (as they do on a directory that holds providers already).
    """
    connection = session.connection()
    # Services name their provider (a foreign key): no provider, no service either.
    if connection.dialect.name != "sqlite" or has_providers(session=session):
        yield
        return
    made = connection.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        " AND tbl_name IN (?, ?)",
        (_PROVIDER_TABLE.name, _SERVICE_TABLE.name),
    ).all()
    driver: Any = connection.connection.driver_connection
    if not driver.in_transaction:
        # The driver opens a transaction before a row is written, not before DDL: dropped
        # at once, the indexes would stay dropped when a failed load rolls back.
        connection.exec_driver_sql("BEGIN")
    for name, _ in made:
        connection.exec_driver_sql(f'DROP INDEX "{name}"')
    yield
    for _, sql in made:
        connection.exec_driver_sql(sql)


def insert_providers(*, session: Session, providers: Sequence[Provider]) -> None:
    """Insert providers known to be new, in bulk: a large load writes rows, not objects."""
    rows = NewRows(session.connection().dialect, utc_now())
    insert_rows(session=session, rows=[rows(provider) for provider in providers])


def insert_rows(*, session: Session, rows: Sequence[ProviderRows]) -> None:
    """Insert the rows of providers known to be new, made by `NewRows` for this dialect."""
    session.flush()  # the organizations they name first: the driver writes past the session
    connection = session.connection()
    for start in range(0, len(rows), _ROWS_PER_WRITE):
        chunk = rows[start : start + _ROWS_PER_WRITE]
        _PROVIDER_INSERT.write(connection, [provider for provider, _ in chunk])
        _SERVICE_INSERT.write(connection, [row for _, services in chunk for row in services])


def upsert_provider(*, session: Session, provider: Provider) -> None:
    """Store `provider` as given, replacing its services; a deleted one comes back."""
    row = session.get(ProviderRow, provider.id)
    if row is None:
        insert_providers(session=session, providers=[provider])
        return
    row.revision += 1
    row.updated_at = utc_now()
    row.deleted_at = None
    session.execute(delete(ServiceRow).where(col(ServiceRow.provider_id) == provider.id))
    for key, value in _row_values(provider).items():
        setattr(row, key, value)
    session.add(row)
    session.add_all(ServiceRow(**values) for values in _service_values(provider))


def _entitled(viewer: Viewer) -> ColumnElement[bool]:
    # Filters on location must not find restricted providers for callers who may not see
    # where they are: a shrinking bbox would otherwise pin a safe house down.
    public = col(ProviderRow.visibility) == Visibility.PUBLIC.value
    if viewer.is_admin:
        return ~false()
    if viewer.organization_id is None:
        return public
    return or_(public, col(ProviderRow.organization_id) == viewer.organization_id)


def _conditions(query: ProviderQuery, viewer: Viewer) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [col(ProviderRow.deleted_at).is_(None)]
    if query.need is not None:
        conditions.append(
            exists().where(
                col(ServiceRow.provider_id) == col(ProviderRow.id),
                or_(
                    col(ServiceRow.need) == query.need,
                    col(ServiceRow.need).startswith(query.need + "."),
                ),
            )
        )
    if query.pcode is not None:
        # At any level: a cell of the public grid may straddle two units of any level.
        conditions += [
            or_(
                col(ProviderRow.adm1_pcode) == query.pcode,
                col(ProviderRow.adm2_pcode) == query.pcode,
                col(ProviderRow.adm3_pcode) == query.pcode,
            ),
            _entitled(viewer),
        ]
    if query.bbox is not None:
        box = query.bbox
        conditions += [
            col(ProviderRow.lon).between(box.west, box.east),
            col(ProviderRow.lat).between(box.south, box.north),
            _entitled(viewer),
        ]
    if query.status is not None:
        conditions.append(col(ProviderRow.status) == query.status.value)
    if query.modified_after is not None:
        conditions.append(col(ProviderRow.updated_at) > query.modified_after)
    if query.modified_from is not None:
        conditions.append(col(ProviderRow.updated_at) >= query.modified_from)
    if query.modified_until is not None:
        conditions.append(col(ProviderRow.updated_at) <= query.modified_until)
    if query.public_located:
        conditions += [
            col(ProviderRow.visibility) == Visibility.PUBLIC.value,
            col(ProviderRow.lon).is_not(None),
            col(ProviderRow.lat).is_not(None),
        ]
    return conditions


# Identifiers per IN (...) list: each is one bound parameter, and PostgreSQL takes at most
# 65,535 a statement; 1,000 keeps each statement far below that, and its plan cheap.
_IN_CHUNK = 1000


def _with_services(session: Session, rows: Sequence[ProviderRow]) -> list[Provider]:
    if not rows:
        return []
    services: dict[uuid.UUID, list[ServiceRow]] = {row.id: [] for row in rows}
    ids = list(services)
    for start in range(0, len(ids), _IN_CHUNK):
        statement = (
            select(ServiceRow)
            .where(col(ServiceRow.provider_id).in_(ids[start : start + _IN_CHUNK]))
            .order_by(col(ServiceRow.provider_id), col(ServiceRow.position))
        )
        for service in session.scalars(statement):
            services[service.provider_id].append(service)
    return [
        _provider(
            _provider_values(row),
            [_service(_service_values_of(service)) for service in services[row.id]],
        )
        for row in rows
    ]


def find_providers(
    *,
    session: Session,
    query: ProviderQuery,
    viewer: Viewer,
    after: uuid.UUID | None,
    limit: int,
) -> list[Provider]:
    """Up to `limit` providers matching `query`, ordered by id, starting after `after`."""
    conditions = _conditions(query, viewer)
    if after is not None:
        conditions.append(col(ProviderRow.id) > after)
    statement = select(ProviderRow).where(*conditions).order_by(col(ProviderRow.id)).limit(limit)
    return _with_services(session, list(session.scalars(statement)))


def count_providers(*, session: Session, query: ProviderQuery, viewer: Viewer) -> int:
    """How many providers match `query`."""
    statement = select(func.count()).select_from(ProviderRow).where(*_conditions(query, viewer))
    return int(session.execute(statement).scalar_one())


@dataclass(frozen=True, slots=True)
class Extent:
    """Where and when the entries of a listing lie: a bounding box and updated_at bounds."""

    bbox: BBox | None
    first_updated_at: datetime | None
    last_updated_at: datetime | None


def provider_extent(*, session: Session, query: ProviderQuery, viewer: Viewer) -> Extent:
    """The extent of the providers matching `query` (those with a point, for the box)."""
    lon, lat, updated = col(ProviderRow.lon), col(ProviderRow.lat), col(ProviderRow.updated_at)
    statement = select(
        func.min(lon),
        func.min(lat),
        func.max(lon),
        func.max(lat),
        func.min(updated),
        func.max(updated),
    ).where(*_conditions(query, viewer))
    west, south, east, north, first, last = session.execute(statement).one()
    box = None
    if west is not None and south is not None and east is not None and north is not None:
        box = BBox(west, south, east, north)
    return Extent(box, first, last)


def get_provider(*, session: Session, provider_id: uuid.UUID) -> Provider | None:
    """The provider with that id, unless it does not exist or was deleted."""
    row = session.get(ProviderRow, provider_id)
    if row is None or row.deleted_at is not None:
        return None
    return _with_services(session, [row])[0]


def stored_providers(*, session: Session) -> tuple[StoredProviders, ProviderRecords]:
    """Every provider not deleted, by id: sketched, and kept to be decoded when asked for
    (the records of the same providers, for a snapshot file).

    The whole directory is read as plain rows, not ORM objects, and providers and services
    are read side by side in the same order, deleted providers included: a provider's
    services are the run of service rows that follow it, with no table of all the
    services of the directory held in between (a few hundred megabytes at 100,000).
    """
    decode = _Decoder()
    services_table = ServiceRow.__table__  # type: ignore[attr-defined]
    ordered = select(*_raw(services_table, ("provider_id", *_SERVICE_COLUMNS))).order_by(
        services_table.c.provider_id, services_table.c.position
    )
    providers_table = ProviderRow.__table__  # type: ignore[attr-defined]
    statement = select(
        *_raw(providers_table, _PROVIDER_COLUMNS), providers_table.c.deleted_at.is_(None)
    ).order_by(providers_table.c.id)
    records, sketches = _RecordsWriter(), []
    # Fetched in batches, from server-side cursors on PostgreSQL: its driver would otherwise
    # hold both whole results in memory before the first row is read (3.4 GB at a million).
    connection = session.connection()
    services = iter(connection.execute(ordered.execution_options(yield_per=_ROWS_PER_FETCH)))
    pending = next(services, None)
    for *stored, live in connection.execute(statement.execution_options(yield_per=_ROWS_PER_FETCH)):
        offered = []
        while pending is not None and pending[0] == stored[_ID]:
            offered.append(pending[1:])
            pending = next(services, None)
        if live:
            records.add(stored, offered)
            sketches.append(_sketch(stored, offered, decode))
    if pending is not None:
        # Both reads follow the same column's order: services left over would have been
        # left out of their providers. A key constraint keeps this from happening.
        raise RuntimeError(f"services of an unknown provider {pending[0]} were read")
    kept = records.done()
    return StoredProviders(sketches, kept.provider), kept


def all_providers(*, session: Session) -> list[Provider]:
    """Every provider not deleted, by id, decoded."""
    _, records = stored_providers(session=session)
    return [records.provider(row) for row in range(len(records))]


def has_providers(*, session: Session) -> bool:
    """Whether the directory holds any provider, deleted ones included."""
    return bool(session.scalar(select(exists().where(col(ProviderRow.id).is_not(None)))))


def organization_exists(*, session: Session, organization_id: str) -> bool:
    """Whether the organization is known."""
    return session.get(OrganizationRow, organization_id) is not None


def update_provider_if(
    *, session: Session, provider: Provider, expected_revision: int
) -> int | None:
    """Replace a live provider if it is still at `expected_revision`; its new revision or None.

    The revision test and the write are one UPDATE, so two writers starting from the same
    revision cannot both succeed: that is what makes lost updates impossible.
    """
    result = session.execute(
        update(ProviderRow)
        .where(
            col(ProviderRow.id) == provider.id,
            col(ProviderRow.revision) == expected_revision,
            col(ProviderRow.deleted_at).is_(None),
        )
        .values(**_row_values(provider), revision=expected_revision + 1, updated_at=utc_now())
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None
    session.execute(delete(ServiceRow).where(col(ServiceRow.provider_id) == provider.id))
    session.execute(insert(ServiceRow), _service_values(provider))
    return expected_revision + 1


def set_deleted_if(
    *, session: Session, provider_id: uuid.UUID, expected_revision: int | None, deleted: bool
) -> int | None:
    """Soft-delete (or restore) a provider if it is at `expected_revision` (any when None)."""
    conditions = [
        col(ProviderRow.id) == provider_id,
        col(ProviderRow.deleted_at).is_(None)
        if deleted
        else col(ProviderRow.deleted_at).is_not(None),
    ]
    if expected_revision is not None:
        conditions.append(col(ProviderRow.revision) == expected_revision)
    now = utc_now()
    result = session.execute(
        update(ProviderRow)
        .where(*conditions)
        .values(
            deleted_at=now if deleted else None,
            revision=ProviderRow.revision + 1,
            updated_at=now,
        )
        .returning(col(ProviderRow.revision))
    )
    return result.scalar_one_or_none()


def restricted_among(*, session: Session, provider_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    """Those of the providers that are confidential now, deleted ones included."""
    wanted = list(set(provider_ids))
    if not wanted:
        return set()
    statement = select(col(ProviderRow.id)).where(
        col(ProviderRow.id).in_(wanted),
        col(ProviderRow.visibility) == Visibility.RESTRICTED.value,
    )
    return set(session.scalars(statement))


def get_provider_any(*, session: Session, provider_id: uuid.UUID) -> tuple[Provider, bool] | None:
    """The provider with that id and whether it is deleted, deleted ones included."""
    row = session.get(ProviderRow, provider_id)
    if row is None:
        return None
    return _with_services(session, [row])[0], row.deleted_at is not None
