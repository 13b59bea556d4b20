"""GET /api/v1/parties/: the parties to the conflict moderators keep, by slug: what a report's
alleged perpetrator, a source's issuing party and the `perpetrator` filter name."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import renderers, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from reports import publication
from reports.models import Party

from .base import ApiMixin


class PartyList(ApiMixin, APIView):
    renderer_classes = [renderers.JSONRenderer]
    filter_backends: list = []

    @extend_schema(
        summary="Parties to the conflict",
        description="Every party a report may allege as the perpetrator, by name. `slug` is "
        "what `perpetrator=` (reports, aggregates, submissions) takes; `unknown` stands for "
        "a perpetrator the sources say is not known. A short list: not paged.",
        responses=inline_serializer(
            "Party",
            {
                "slug": serializers.CharField(),
                "name": serializers.CharField(),
                "name_my": serializers.CharField(),
                "short_name": serializers.CharField(),
                "kind": serializers.CharField(),
            },
            many=True,
        ),
    )
    def get(self, request):
        return Response([publication.party_data(party) for party in Party.objects.all()])
