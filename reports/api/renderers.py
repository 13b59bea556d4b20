"""The API's formats besides JSON (CSV, HXL-tagged CSV, GeoJSON): each view lays its rows out as
an exports.Table or as GeoJSON features, and these renderers only write them."""

import json

from rest_framework import renderers
from rest_framework.utils.encoders import JSONEncoder

from reports import exports


class _TableRenderer(renderers.BaseRenderer):
    charset = "utf-8"
    hxl = False

    def render(self, data, accepted_media_type=None, renderer_context=None):
        view = renderer_context["view"]
        table = view.as_table(data)
        lines = exports.csv_lines(table, hxl=self.hxl)
        if is_continuation(renderer_context.get("request")):
            # A page reached through a `next` or `previous` link continues the first one:
            # no header row (nor HXL row), so the pages joined are one CSV file (docs/api.md).
            for _ in range(2 if self.hxl else 1):
                next(lines)
        return "".join(lines).encode(self.charset)


def is_continuation(request) -> bool:
    """A page of a list asked with a cursor (the `next` or `previous` link of another page)."""
    return request is not None and bool(request.query_params.get("cursor"))


class CSVRenderer(_TableRenderer):
    media_type = "text/csv"
    format = "csv"


class HXLRenderer(_TableRenderer):
    """CSV with a second row of HXL hashtags (#date+start, #adm1+code, #affected+killed ...)."""

    # Chosen by ?format=hxl or "Accept: text/csv; hxl=true" (views.Negotiation); answered
    # as "text/csv; hxl=true".
    media_type = "text/csv"
    format = "hxl"
    hxl = True

    def render(self, data, accepted_media_type=None, renderer_context=None):
        # DRF labels a response with the renderer's bare media type; say it is HXL.
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = f"text/csv; hxl=true; charset={self.charset}"
        return super().render(data, accepted_media_type, renderer_context)


class GeoJSONRenderer(renderers.BaseRenderer):
    """A FeatureCollection (RFC 7946: longitude first); a record without a point is a feature
    with a null geometry. Paging links ride along as foreign members (next, previous)."""

    media_type = "application/geo+json"
    format = "geojson"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        view = renderer_context["view"]
        collection = {"type": "FeatureCollection", "features": view.as_features(data)}
        if isinstance(data, dict) and "results" in data:
            collection["next"] = data.get("next")
            collection["previous"] = data.get("previous")
        return json.dumps(collection, cls=JSONEncoder, ensure_ascii=False).encode(self.charset)


class Documents(list):
    """JSON documents already written (reports.publication), to be sent as they are."""


class DocumentJSONRenderer(renderers.JSONRenderer):
    """DRF's JSON, except that kept documents are joined in as stored text rather than parsed
    and written again: one report as its document, a page as the envelope around them."""

    def get_indent(self, accepted_media_type, renderer_context):
        # Stored documents are compact; "Accept: application/json; indent=4" is not honoured.
        return None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, Documents):
            # A single record (retrieve) is a one-document list.
            return "".join(data).encode()
        results = data.get("results") if isinstance(data, dict) else None
        if not isinstance(results, Documents):
            return super().render(data, accepted_media_type, renderer_context)
        envelope = super().render(data | {"results": []}, accepted_media_type, renderer_context)
        # Compact (get_indent), so the envelope ends with its last key's value and brace.
        if not envelope.endswith(b"[]}"):
            raise ValueError(f"Unexpected JSON envelope ending {envelope[-20:]!r}")
        return envelope[:-3] + b"[" + ",".join(results).encode() + b"]}"


def feature(latitude, longitude, properties: dict) -> dict:
    geometry = (
        {"type": "Point", "coordinates": [longitude, latitude]}
        if latitude is not None and longitude is not None
        else None
    )
    return {"type": "Feature", "geometry": geometry, "properties": properties}
