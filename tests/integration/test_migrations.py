from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from referral_api.db.engine import make_engine
from referral_api.db.migrate import alembic_config, upgrade
from tests.conftest import PROJECT_DIR


def test_upgrade_on_an_empty_database_leaves_no_drift_from_the_models(settings):
    engine = make_engine(settings.database_url)
    upgrade(settings.migrations_dir, engine)
    config = alembic_config(settings.migrations_dir, engine)
    command.check(config)  # raises when models and migrations disagree
    tables = set(inspect(engine).get_table_names())
    assert {"organization", "provider", "service", "admin_area", "directory_state"} <= tables
    engine.dispose()


def test_upgrade_twice_is_harmless_and_the_history_is_linear(settings):
    engine = make_engine(settings.database_url)
    upgrade(settings.migrations_dir, engine)
    upgrade(settings.migrations_dir, engine)
    script = ScriptDirectory.from_config(alembic_config(settings.migrations_dir, engine))
    assert len(script.get_heads()) == 1
    engine.dispose()


def test_migration_files_carry_their_date():
    script_names = [path.name for path in (PROJECT_DIR / "migrations" / "versions").glob("*.py")]
    assert script_names
    assert all(name[:4].isdigit() and name[4] == "-" for name in script_names)
