"""Storage: SQLModel tables, the database engine and Alembic migrations."""
