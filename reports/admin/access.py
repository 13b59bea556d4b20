"""The access record in the Django admin, for administrators only (the view_accessrecord
permission): read it by person, kind, day or report, and download it as CSV for an audit
(the download is itself recorded)."""

import csv

from django.contrib import admin
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reports.models import AccessRecord

CSV_COLUMNS = ("created_at", "user", "kind", "method", "view_name", "path", "report_id", "status")


@admin.action(description=_("Download the selected records as CSV"))
def download_csv(modeladmin, request, queryset):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="access-record-{stamp}.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for record in queryset.select_related("user").order_by("created_at", "id"):
        writer.writerow(
            [
                timezone.localtime(record.created_at).isoformat(),
                record.user.get_username(),
                record.kind,
                record.method,
                record.view_name,
                record.path,
                record.report_id or "",
                record.status_code,
            ]
        )
    return response


@admin.register(AccessRecord)
class AccessRecordAdmin(admin.ModelAdmin):
    list_display = ("created_at", "user", "kind", "method", "path", "report_id", "status_code")
    list_filter = (("user", admin.RelatedOnlyFieldListFilter), "kind", "method")
    date_hierarchy = "created_at"
    search_fields = ("path", "view_name", "user__username")
    search_help_text = _(
        "A report number finds the records of that report; other words search "
        "the addresses and the usernames."
    )
    list_select_related = ("user",)
    actions = (download_csv,)
    show_full_result_count = False

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip().lstrip("#")
        if term.isascii() and term.isdigit() and len(term) < 19:
            return queryset.filter(report_id=int(term)), False
        return super().get_search_results(request, queryset, search_term)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
