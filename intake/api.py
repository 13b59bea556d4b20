"""`POST /api/v1/intake/extract/` (submit scope): the extractor for partner systems. A JSON body
with the text (or, where the deployment fetches addresses, a url), or a multipart upload of a
.txt/.html/.pdf file; the answer is the JSON list `manage.py extract_figures` prints. Nothing is
stored; throttled like every other call of the client."""

from datetime import date

from django.utils.cache import add_never_cache_headers
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from reports.api.auth import HasSubmitScope
from reports.api.parsers import DepthLimitedJSONParser
from reports.forms.fields import DaySerializerField
from reports.vocabulary import Cause, DatePrecision, Metric, Qualifier, SourceType, Unit

from .errors import IntakeInputError
from .extract import extract
from .reading import read_text

LANGUAGES = ["en", "my"]


class ExtractIn(serializers.Serializer):
    text = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, help_text="The text to read."
    )
    url = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="A public http(s) address to fetch instead, where this server allows it "
        "(TRACKER_INTAKE_FETCH_URLS).",
    )
    published = DaySerializerField(
        required=False, allow_null=True, help_text="The publication date, YYYY-MM-DD."
    )
    language = serializers.ChoiceField(
        choices=LANGUAGES, required=False, allow_null=True, help_text="Default: detected."
    )
    publisher = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text="Who published the text."
    )


class ExtractFileIn(serializers.Serializer):
    file = serializers.FileField(help_text="A .txt, .html or .pdf file (judged by its content).")
    published = DaySerializerField(required=False, allow_null=True)
    language = serializers.ChoiceField(choices=LANGUAGES, required=False, allow_null=True)
    publisher = serializers.CharField(required=False, allow_blank=True, max_length=200)


class CandidateOut(serializers.Serializer):
    metric = serializers.ChoiceField(choices=Metric.choices)
    value = serializers.IntegerField(allow_null=True)
    low = serializers.IntegerField(allow_null=True)
    high = serializers.IntegerField(allow_null=True)
    qualifier = serializers.ChoiceField(choices=Qualifier.choices)
    unit = serializers.ChoiceField(choices=Unit.choices)
    place_pcode = serializers.CharField(allow_null=True, help_text="null when unresolved.")
    place_text = serializers.CharField(allow_blank=True, help_text="The words naming the place.")
    start_date = serializers.DateField(allow_null=True)
    end_date = serializers.DateField(allow_null=True)
    date_precision = serializers.ChoiceField(choices=DatePrecision.choices, allow_null=True)
    cause = serializers.ChoiceField(choices=Cause.choices, allow_null=True)
    perpetrator = serializers.CharField(allow_null=True)
    source_name = serializers.CharField(allow_null=True)
    source_type = serializers.ChoiceField(choices=SourceType.choices, allow_null=True)
    sentence = serializers.CharField()
    excluded_reason = serializers.CharField(
        allow_null=True,
        help_text="Set for figures listed but not proposed: 'combatants', "
        "'combatants_and_civilians'.",
    )
    sentence_start = serializers.IntegerField()
    sentence_end = serializers.IntegerField()
    figure_start = serializers.IntegerField()
    figure_end = serializers.IntegerField()


class ExtractView(APIView):
    permission_classes = [HasSubmitScope]
    parser_classes = [DepthLimitedJSONParser, MultiPartParser]

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        add_never_cache_headers(response)
        return response

    @extend_schema(
        operation_id="intake_extract",
        summary="Candidate figures in an article or account (nothing is stored)",
        description="Reads English or Burmese text and proposes figures with their metric, "
        "value and qualifier, unit, place, dates, cause, perpetrator and source, each with its "
        "sentence and offsets. Combatant figures are listed with `excluded_reason` and never "
        "proposed as civilian harm. See docs/intake.md.",
        request={"application/json": ExtractIn, "multipart/form-data": ExtractFileIn},
        responses={
            200: CandidateOut(many=True),
            400: OpenApiResponse(description="The input cannot be read (named by `attr`)."),
            403: OpenApiResponse(description="No submit scope."),
        },
    )
    def post(self, request):
        upload = request.FILES.get("file")
        incoming = ExtractIn(data=request.data)
        if not incoming.is_valid():
            raise exceptions.ValidationError(incoming.errors)
        data = incoming.validated_data
        try:
            source = read_text(text=data.get("text") or None, upload=upload, url=data.get("url"))
            published: date | None = data.get("published") or source.published
            extraction = extract(
                source.text,
                published=published,
                language=data.get("language") or None,
                publisher=data.get("publisher") or source.publisher,
            )
        except IntakeInputError as error:
            field = "file" if error.field == "upload" else error.field
            raise exceptions.ValidationError({field: [error.message]}) from None
        return Response([candidate.as_json() for candidate in extraction.candidates])
