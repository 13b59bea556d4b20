"""OpenAPI pieces drf-spectacular cannot guess: how an API key is sent."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "reports.api.auth.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Api-Key <key>` (or `Bearer <key>`); an administrator issues keys.",
        }


READ_PATHS = ("reports", "events", "places", "sources", "retractions", "aggregates")
# name: (description if the code gave none, an example)
PARAMETERS = {
    "start": ("First day (YYYY-MM-DD).", "2023-11-01"),
    "end": ("Last day (YYYY-MM-DD).", "2023-11-30"),
    "area": ("P-code of a place at any admin level.", "MMR002"),
    "metric": ("A metric.", "killed"),
    "tag": ("A free tag (case-insensitive).", "Operation 1111"),
    "event": ("An event's id.", 7),
    "updated_since": ("ISO 8601 time with a zone.", "2023-11-14T00:00:00+06:30"),
    "cursor": ("The cursor of a `next` or `previous` link; do not build it yourself.", None),
    "page_size": ("Records per page, 1-1000 (default 100).", 100),
    "q": ("Part of a name in English or Burmese, or the start of a P-code.", "Loikaw"),
    "parent": ("P-code of the parent place.", "MMR002D001"),
    "id": ("The record's stable identifier.", 42),
    "pcode": ("The place's P-code.", "MMR002001701"),
    "format": (
        "Response format, instead of the Accept header (the formats this endpoint offers).",
        None,
    ),
    "level": ("Admin level of the area breakdown.", 3),
    "period": ("Time series step.", "month"),
}


GEOJSON = {
    "type": "object",
    "description": "A GeoJSON FeatureCollection of the same records (longitude first); a "
    "record without a point has a null geometry. Lists carry their paging links as `next` "
    "and `previous`.",
    "properties": {
        "type": {"type": "string", "enum": ["FeatureCollection"]},
        "features": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "type": {"type": "string", "enum": ["Feature"]},
                    "geometry": {"type": "object", "nullable": True},
                    "properties": {"type": "object"},
                },
                "required": ["type", "geometry", "properties"],
            },
        },
        "next": {"type": "string", "nullable": True},
        "previous": {"type": "string", "nullable": True},
    },
    "required": ["type", "features"],
}
CSV = {"type": "string", "description": "CSV with a header row (HXL: and a row of hashtags)."}


def describe_read_parameters(result, generator, request, public):
    """drf-spectacular postprocessing hook for the read endpoints: every parameter gets a
    description and, where a value makes sense, an example; CSV and GeoJSON responses get
    their own shapes (drf-spectacular would give them the JSON list's)."""
    for path, item in result.get("paths", {}).items():
        if not any(path.startswith(f"/api/v1/{name}/") for name in READ_PATHS):
            continue
        for operation in item.values():
            content = operation.get("responses", {}).get("200", {}).get("content", {})
            for media_type, body in content.items():
                if media_type.startswith("text/csv"):
                    body["schema"] = CSV
                elif media_type == "application/geo+json":
                    body["schema"] = GEOJSON
            for parameter in operation.get("parameters", []):
                description, example = PARAMETERS.get(parameter["name"], ("", None))
                if not parameter.get("description") and description:
                    parameter["description"] = description
                if (
                    example is not None
                    and "example" not in parameter
                    and "examples" not in parameter
                ):
                    parameter["example"] = example
    return result
