"""Drop the event indexes nothing reads, to make a million-row import cheaper (docs/performance.md, Import).

* ``source_id`` and ``category_id``: each is the first column of a (…, occurred_on)
  index, which serves every lookup the single-column one would;
* ``victim_key`` and ``offender_key`` (and their ``_like`` twins on PostgreSQL):
  nothing filters events by them.

Only indexes are dropped, found by introspection, so SQLite does not rebuild
the table as a field alteration would; the unique (source, external_id)
constraint stays. Going back recreates plain indexes.
"""

from django.db import migrations, models
import django.db.models.deletion

COLUMNS = ("source_id", "category_id", "victim_key", "offender_key")
TABLE = "records_event"


def drop_indexes(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, TABLE)
    for name, info in constraints.items():
        if (info.get("index") and not info.get("unique") and not info.get("primary_key")
                and list(info.get("columns") or []) in [[c] for c in COLUMNS]):
            schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(name)}")


def restore_indexes(apps, schema_editor):
    for column in COLUMNS:
        schema_editor.execute(f"CREATE INDEX {schema_editor.quote_name(f'{TABLE}_{column}_idx1')} "
                              f"ON {TABLE} ({schema_editor.quote_name(column)})")


class Migration(migrations.Migration):

    dependencies = [
        ('records', '0005_survey_import'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(drop_indexes, restore_indexes)],
            state_operations=[
                migrations.AlterField(
                    model_name='event',
                    name='category',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='events', to='records.category', verbose_name='categoría'),
                ),
                migrations.AlterField(
                    model_name='event',
                    name='offender_key',
                    field=models.CharField(blank=True, max_length=64, verbose_name='imputado (hash)'),
                ),
                migrations.AlterField(
                    model_name='event',
                    name='source',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='events', to='records.source', verbose_name='fuente'),
                ),
                migrations.AlterField(
                    model_name='event',
                    name='victim_key',
                    field=models.CharField(blank=True, max_length=64, verbose_name='víctima (hash)'),
                ),
            ],
        ),
    ]
