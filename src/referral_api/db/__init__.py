"""Storage: tables, engine, migrations and the repository that maps rows to domain values."""
