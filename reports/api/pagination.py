"""Cursor pagination in a stable order, so a partner paging through changing data neither skips
nor repeats a record: a record changed after its page was read comes again later."""

from rest_framework.pagination import CursorPagination
from rest_framework.response import Response


class StableCursorPagination(CursorPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
    # Reports: their public records (reports.PublicReport), in the order they last changed.
    ordering = ("changed_at", "report_id")

    def get_paginated_response(self, data):
        links = [f'<{url}>; rel="{rel}"' for rel, url in self._links() if url]
        headers = {"Link": ", ".join(links)} if links else None
        return Response(
            {"next": self.get_next_link(), "previous": self.get_previous_link(), "results": data},
            headers=headers,
        )

    def _links(self):
        return [("next", self.get_next_link()), ("prev", self.get_previous_link())]

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is not None and not (raw.isdigit() and 1 <= int(raw) <= self.max_page_size):
            from rest_framework.exceptions import ValidationError

            raise ValidationError(
                {"page_size": [f"Enter a whole number from 1 to {self.max_page_size}."]}
            )
        return super().get_page_size(request)


class IdCursorPagination(StableCursorPagination):
    ordering = ("id",)


class PlaceCursorPagination(StableCursorPagination):
    ordering = ("path", "id")


class RetractionCursorPagination(StableCursorPagination):
    ordering = ("created_at", "id")
