"""Downloads of exactly what the dashboard shows: the same Answer from reports.aggregates as
tables (tables.py) in CSV, HXL, XLSX and GeoJSON (formats.py), by name (download.py)."""

from .download import DOWNLOADS, about_rows, download, question_summary
from .formats import cell, csv_lines, csv_response, filename, geojson_response, xlsx_response
from .tables import (
    HXL_METRIC,
    REPORT_COLUMNS,
    Column,
    Table,
    area_columns,
    area_label,
    area_tag,
    areas_table,
    breakdown_level,
    metric_columns,
    period_columns,
    periods_table,
    public_reports_by_id,
    reports_behind,
    reports_table,
    representative_points,
    sort_areas,
)

__all__ = [
    "DOWNLOADS",
    "HXL_METRIC",
    "REPORT_COLUMNS",
    "Column",
    "Table",
    "about_rows",
    "area_columns",
    "area_label",
    "area_tag",
    "areas_table",
    "breakdown_level",
    "cell",
    "csv_lines",
    "csv_response",
    "download",
    "filename",
    "geojson_response",
    "metric_columns",
    "period_columns",
    "periods_table",
    "public_reports_by_id",
    "question_summary",
    "reports_behind",
    "reports_table",
    "representative_points",
    "sort_areas",
    "xlsx_response",
]
