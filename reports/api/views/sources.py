"""GET /api/v1/sources/: the sources approved reports cite, in their public shape.

A public source is listed once. A confidential one is listed once per approved report citing
it, after the public ones, in the order of those reports: listed once, the count of
"confidential local source" entries (or their place among the ids) would tell two reports
resting on one confidential source from two resting on two (DOMAIN.md, "Visibility and
protection"); once per citing report, as the totals count it, it tells nothing."""

from django.db.models import (
    BigIntegerField,
    Case,
    F,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import generics, renderers

from reports import selectors
from reports.api import filters, pagination, serializers
from reports.api.auth import HasSubmitScope, client_of
from reports.api.renderers import CSVRenderer
from reports.models import Report, Source
from reports.models.core import PUBLIC_ID_RANGE
from reports.vocabulary import SourceType
from reports.workflow import Status

from .base import ApiMixin, plain_table, rows_of

SOURCE_COLUMNS = list(serializers.PublicSourceSerializer.Meta.fields)

# Positions of the confidential entries: after every public source's id, by citing report.
CONFIDENTIAL_AFTER = PUBLIC_ID_RANGE[1]
TYPE_RANK = {value: rank for rank, value in enumerate(SourceType.values)}


@extend_schema_view(
    get=extend_schema(
        summary="Sources cited by approved reports",
        description="Only sources some approved report cites, each public source once (by "
        "id: a public id drawn at random, never the database's count, whose gaps would tell how "
        "many confidential sources there are; the write API's `sources` take it). A "
        "confidential source appears by its type label only (id, name, title, URL, date and "
        "language are null), once per approved report citing it, after the public ones, so "
        "nothing here tells whether two reports cite the same one. Formats: JSON, CSV.",
        parameters=[OpenApiParameter("format", OpenApiTypes.STR, enum=["json", "csv"])],
        examples=[
            OpenApiExample(
                "A news article",
                value={
                    "id": 482709336618592,
                    "source_type": "news_media",
                    "label": "The Irrawaddy, 13 Nov 2023: Karenni Armed Group Seizes Seven "
                    "Myanmar Junta Bases Since Saturday",
                    "is_confidential": False,
                    "conflict_of_interest": False,
                    "name": "The Irrawaddy",
                    "title": "Karenni Armed Group Seizes Seven Myanmar Junta Bases Since Saturday",
                    "url": "https://www.irrawaddy.com/",
                    "published_on": "2023-11-13",
                    "language": "en",
                },
                response_only=True,
            )
        ],
    ),
)
class SourceList(ApiMixin, generics.ListAPIView):
    serializer_class = serializers.PublicSourceSerializer
    filterset_class = filters.SourceFilter
    pagination_class = pagination.SourcePositionPagination
    renderer_classes = [renderers.JSONRenderer, CSVRenderer]

    def get_queryset(self):
        """Citations by approved reports: one per public source (its first), every one of a
        confidential source, each with the position the list is ordered by."""
        citations = Report.sources.through.objects.filter(report__status=Status.APPROVED)
        first = citations.filter(source_id=OuterRef("source_id")).order_by("id").values("id")[:1]
        type_rank = Case(
            *(When(source__source_type=v, then=Value(r)) for v, r in TYPE_RANK.items()),
            default=Value(len(TYPE_RANK)),
        )
        return (
            citations.filter(Q(source__is_confidential=True) | Q(id=Subquery(first)))
            .annotate(
                position=Case(
                    When(source__is_confidential=False, then=F("source__public_id")),
                    default=Value(CONFIDENTIAL_AFTER) + F("report_id") * 64 + type_rank,
                    output_field=BigIntegerField(),
                )
            )
            .select_related("source")
        )

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        data = self.get_serializer([citation.source for citation in page], many=True).data
        return self.get_paginated_response(data)

    def as_table(self, data):
        return plain_table("sources", rows_of(data), SOURCE_COLUMNS)


@extend_schema_view(
    get=extend_schema(
        summary="Your organisation's own sources",
        description="The sources your organisation added, on the web form or through "
        "submissions, confidential ones included and in full, by their public id: the ids a "
        "submission's `sources` take, to cite an informant again. Another organisation's "
        "sources are never listed. Needs a key with the `submit` scope; every request is kept "
        "in the access record, and the answer is never cached.",
    ),
)
class OwnSourceList(generics.ListAPIView):
    # The client as the database has it now (a read of data that is not public).
    fresh_client = True
    permission_classes = [HasSubmitScope]
    serializer_class = serializers.OwnSourceSerializer
    pagination_class = pagination.PublicIdCursorPagination
    renderer_classes = [renderers.JSONRenderer]
    # No filter: only the paging parameters, any other refused (as on the public lists).
    filter_backends = [filters.StrictFilterBackend]
    metadata_class = None

    def initial(self, request, *args, **kwargs):
        # Who asks, before anything can refuse the request (a format it does not serve is
        # refused first otherwise): every request is in the access record under its user.
        self.perform_authentication(request)
        super().initial(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI schema: no client asks
            return Source.objects.none()
        # The client's own organisation (HasSubmitScope: its user may act for it), never the
        # user's, which a moderator's service account may not share.
        return selectors.sources_of_organization(client_of(self.request).organization)
