"""Migrations that count the summaries with the tracker's own code (0032 and 0035 build a
facet, 0037 counts events again) run it only on summary tables as this release has them: that
code writes every column its models have. On an older database migrated past several of them
at once, a table may still lack a column a later migration adds; each such count is then put
off, and every summary is rebuilt once all migrations have run (post_migrate: reports.apps).
A later migration counting the summaries uses count_or_defer() too."""

from collections.abc import Callable

# The counts put off in this run of `migrate` (one process).
deferred: list[str] = []


def tables_are_current(connection) -> bool:
    """Whether every summary table has every column its model has."""
    from reports.models import EventCount, FlowTotal, SourceUse, StockStep

    with connection.cursor() as cursor:
        for model in (EventCount, FlowTotal, SourceUse, StockStep):
            table = connection.introspection.get_table_description(cursor, model._meta.db_table)
            columns = {column.name for column in table}
            if any(field.column not in columns for field in model._meta.concrete_fields):
                return False
    return True


def count_or_defer(connection, name: str, count: Callable[[], object]) -> None:
    """count() now, or put off to one rebuild of every summary once migrate has run them all
    (rebuild_if_deferred, or 0037 itself when it rebuilds)."""
    if tables_are_current(connection):
        count()
    else:
        deferred.append(name)


def rebuild_if_deferred(connection) -> None:
    """Rebuild every summary if a count was put off (after migrate: the tables are current
    then, unless migrate was asked to stop short, and then it is said what to run)."""
    if not deferred:
        return
    if not tables_are_current(connection):
        print(  # noqa: T201 - a migration's word to the person running it
            "\n  Summaries not counted here (their tables change again later): run "
            "`python manage.py rebuild_aggregates` once migrated."
        )
        return
    from reports.aggregates import rebuild_summaries

    rebuild_summaries()
    deferred.clear()


def rebuild_every_summary(apps, connection, name: str) -> None:
    """A migration's rebuild of every summary (0037, 0041): nothing on a new database (no
    event counted, none put off), else count_or_defer(); when it ran, the counts put off
    before it are done too."""
    from reports.aggregates import rebuild_summaries

    EventCount = apps.get_model("reports", "EventCount")
    if not EventCount.objects.exists() and not deferred:
        return  # nothing counted yet (a new database)
    count_or_defer(connection, name, rebuild_summaries)
    if name not in deferred:
        deferred.clear()
