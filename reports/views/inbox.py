"""Each person's notices (the outbox's rows addressed to them): the inbox, marking them read,
and the language button, which also keeps the language their e-mails are written in."""

import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from reports.services import notifications

PAGE_SIZE = 25


@never_cache
@login_required
def inbox(request):
    """The person's notices, newest first, 25 a page, with the unread ones marked."""
    page = Paginator(
        notifications.inbox(request.user).select_related(
            "report__place", "report__organization", "history", "export"
        ),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    for notice in page:
        notice.url = (
            reverse("dashboard:export", args=[notice.export_id])
            if notice.export_id is not None
            else notifications.report_path(request.user, notice.report_id)
        )
    return render(
        request,
        "reports/inbox/inbox.html",
        {
            "page": page,
            "unread": notifications.unread_count(request.user),
        },
    )


@never_cache
@login_required
@require_POST
def mark_read(request):
    """Mark one notice read (`notice`, its id) or all of them (`all`)."""
    if request.POST.get("all"):
        notifications.mark_read(request.user)
        return redirect("inbox")
    notice = request.POST.get("notice", "")
    # ASCII digits only: "²".isdigit() is true, and int("²") fails.
    if not re.fullmatch(r"[0-9]{1,18}", notice):
        messages.error(request, _("Which notice to mark read (notice) was not understood."))
        return redirect("inbox")
    notifications.mark_read(request.user, [int(notice)])
    page = request.POST.get("page", "")
    if re.fullmatch(r"[0-9]{1,5}", page):
        return redirect(f"{reverse('inbox')}?page={page}")
    return redirect("inbox")


def set_language(request):
    """Django's language button (django.views.i18n.set_language), which also keeps a signed-in
    person's choice for their e-mails."""
    response = i18n.set_language(request)
    chosen = response.cookies.get(settings.LANGUAGE_COOKIE_NAME)
    if chosen is not None:
        notifications.remember_language(request.user, chosen.value)
    return response
