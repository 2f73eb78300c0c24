"""Directory files and empty databases, for the tests of loads."""

import json
import uuid
from pathlib import Path

from referral_api.db.engine import make_engine
from referral_api.db.migrate import upgrade
from referral_api.settings import Settings
from tests.conftest import sample_document


def migrated_sqlite(path: Path) -> Path:
    """An empty SQLite file at `path`, migrated: tests copy it rather than migrate again."""
    engine = make_engine(f"sqlite:///{path}")
    upgrade(Settings().migrations_dir, engine)
    engine.dispose()
    return path


def written(folder: Path, document, name: str = "directory.geojson") -> Path:
    """`document` as a file in `folder`."""
    path = folder / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def text_file(folder: Path, text: str) -> Path:
    """`text` as a file in `folder`, as it is: JSON or not."""
    path = folder / "written.geojson"
    path.write_text(text, encoding="utf-8")
    return path


def copies(count: int) -> dict:
    """The sample's features `count` times over, each copy of its own, ids included."""
    document = sample_document()
    features = [
        json.loads(json.dumps(feature))
        | {"id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{n}/{feature['id']}"))}
        for n in range(count)
        for feature in document["features"]
    ]
    return dict(document, features=features)
