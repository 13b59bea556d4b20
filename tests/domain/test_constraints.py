"""The rules the database itself enforces, whatever code writes."""

from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction

from gazetteer.models import Place
from reports.models import Figure, Report, ReportHistory, Source


@pytest.fixture
def report(field_partner, file_report):
    return file_report(field_partner)


def refused(write):
    with pytest.raises(IntegrityError), transaction.atomic():
        write()


def figure(report, **fields):
    return Figure(report=report, metric="killed", **fields)


def test_figure_constraints(report):
    refused(lambda: figure(report, qualifier="range", value_min=5, value_max=3).save())
    refused(lambda: figure(report, qualifier="exact", value=None, value_min=1, value_max=2).save())
    refused(lambda: figure(report, qualifier="exact", value=4, unit="households").save())
    refused(lambda: Figure.objects.filter(report=report).update(value=-1))
    assert report.figures.count() == 1
    figure(report, qualifier="range", value_min=3, value_max=5).save()
    assert report.figures.count() == 2


def test_report_constraints(report):
    refused(lambda: Report.objects.filter(pk=report.pk).update(end_date=date(2023, 11, 1)))
    refused(lambda: Report.objects.filter(pk=report.pk).update(latitude=91, longitude=97))
    refused(lambda: Report.objects.filter(pk=report.pk).update(latitude=19.6))
    refused(
        lambda: Report.objects.filter(pk=report.pk).update(
            latitude=19.6, longitude=97.2, location_precision="place"
        )
    )
    report.refresh_from_db()
    assert (report.end_date, report.latitude) == (date(2023, 11, 13), None)


def test_place_constraints(places):
    refused(
        lambda: Place.objects.create(
            pcode="MMR002", admin_level=1, name_en="Dup", path="/x/", parent=places["MMR"]
        )
    )
    refused(
        lambda: Place.objects.create(
            pcode="MMR999", admin_level=5, name_en="Deep", path="/x/", parent=places["MMR"]
        )
    )
    refused(
        lambda: Place.objects.create(pcode="MMR998", admin_level=1, name_en="Orphan", path="/x/")
    )


def test_source_url_must_be_http(db):
    refused(lambda: Source.objects.create(source_type="news_media", name="X", url="javascript:x"))


def test_history_cannot_be_edited(report):
    entry = report.history.get()
    with pytest.raises(TypeError, match="append-only"):
        entry.save()
    with pytest.raises(TypeError, match="append-only"):
        entry.delete()
    with pytest.raises(TypeError, match="append-only"):
        ReportHistory.objects.filter(pk=entry.pk).update(note="rewritten")
    # Below the ORM the database trigger refuses too.
    with (
        pytest.raises(Exception, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE reports_reporthistory SET note = 'rewritten' WHERE id = %s", [entry.pk]
        )
    entry.refresh_from_db()
    assert entry.note == ""


def test_a_point_needs_both_coordinates(report, places):
    refused(
        lambda: Report.objects.filter(pk=report.pk).update(
            latitude=19.6, location_precision="exact"
        )
    )
    refused(lambda: Place.objects.filter(pk=places["loikaw"].pk).update(latitude=19.6))


def test_history_rows_cannot_be_deleted_below_the_orm_on_postgresql(report):
    if connection.vendor != "postgresql":
        pytest.skip("the DELETE trigger is PostgreSQL's (see migration 0004)")
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        ReportHistory._base_manager.filter(report=report).delete()
    assert report.history.count() == 1
