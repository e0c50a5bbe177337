"""The database's half of `appendonly`: on PostgreSQL a trigger refuses every UPDATE and DELETE
of an append-only table's rows, so history and audit cannot be rewritten even by plain SQL
(a psql session, a script, a bug that bypasses the ORM).

`protect(table)` is the migration operation; it does nothing on other databases (SQLite has the
ORM guard only). TRUNCATE is deliberately left alone: it is what a test run uses to empty the
tables, and it needs the table owner's rights anyway.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations


def _names(table: str) -> tuple[str, str]:
    return f"{table}_append_only", f"{table}_refuse_change"


def create_sql(table: str) -> list[str]:
    trigger, function = _names(table)
    return [
        f"""
        CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION USING MESSAGE = TG_TABLE_NAME || ' is append-only',
                HINT = 'History and audit rows are inserted, never updated or deleted.';
        END;
        $$
        """,
        f"DROP TRIGGER IF EXISTS {trigger} ON {table}",
        f"CREATE TRIGGER {trigger} BEFORE UPDATE OR DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION {function}()",
    ]


def drop_sql(table: str) -> list[str]:
    trigger, function = _names(table)
    return [f"DROP TRIGGER IF EXISTS {trigger} ON {table}", f"DROP FUNCTION IF EXISTS {function}()"]


def protect(table: str) -> migrations.RunPython:
    """A migration operation adding the trigger to `table` on PostgreSQL (reversible)."""

    def run(statements: list[str]) -> Any:
        def apply(apps: Any, schema_editor: Any) -> None:
            if schema_editor.connection.vendor != "postgresql":
                return
            for sql in statements:
                schema_editor.execute(sql)

        return apply

    return migrations.RunPython(run(create_sql(table)), run(drop_sql(table)))
