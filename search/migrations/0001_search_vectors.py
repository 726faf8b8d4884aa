"""Full-text search on PostgreSQL: a stored tsvector column per searched table, GIN-indexed.

Stored generated columns rather than expression indexes alone: ranking (ts_rank) reads the
vector of every matching row, and a stored one is read instead of parsed again from the text
on each search. PostgreSQL keeps them in step with the text itself (GENERATED ALWAYS ... STORED).
The models do not declare them (SQLite has no tsvector): search.results reads them with RawSQL.

On SQLite this migration does nothing; search falls back to icontains (search/results.py).
"""

from __future__ import annotations

from django.db import migrations

# table: the weighted text its vector is made of ("english" configuration; A ranks above B).
VECTORS = {
    "definitions_source": (
        "setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A')"
        " || setweight(to_tsvector('english'::regconfig, coalesce(body, '')), 'B')"
    ),
    "definitions_definition": (
        "setweight(to_tsvector('english'::regconfig, coalesce(quote, '')), 'A')"
        " || setweight(to_tsvector('english'::regconfig, coalesce(summary, '')), 'B')"
    ),
    "definitions_distinction": (
        "setweight(to_tsvector('english'::regconfig,"
        " coalesce(axis_a, '') || ' ' || coalesce(axis_b, '')), 'A')"
        " || setweight(to_tsvector('english'::regconfig,"
        " coalesce(text_a, '') || ' ' || coalesce(text_b, '')), 'B')"
    ),
    "comments_comment": "to_tsvector('english'::regconfig, coalesce(body, ''))",
}


def add_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, vector in VECTORS.items():
        schema_editor.execute(
            f"ALTER TABLE {table} ADD COLUMN search_vector tsvector "
            f"GENERATED ALWAYS AS ({vector}) STORED"
        )
        schema_editor.execute(
            f"CREATE INDEX {table}_search ON {table} USING gin (search_vector)"
        )


def drop_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in VECTORS:
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_search")
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_vector")


class Migration(migrations.Migration):
    dependencies = [
        ("definitions", "0004_claims"),
        ("comments", "0005_moderators_read_removals_and_log"),
    ]

    operations = [migrations.RunPython(add_vectors, drop_vectors, elidable=False)]
