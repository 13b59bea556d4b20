"""The pages a person lands on when something goes wrong (a bad request, a refusal, an address
that leads nowhere, a form whose CSRF check failed, a server error): in the site's design and
the person's language, saying what happened and where to go next. Identifiers of unapproved
work answer exactly like identifiers that do not exist (docs/domain.md), so the 404 page says
nothing about what was asked for."""

from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token


@requires_csrf_token
def bad_request(request, exception=None):
    return render(request, "400.html", status=400)


@requires_csrf_token
def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


@requires_csrf_token
def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def csrf_failure(request, reason=""):
    """settings.CSRF_FAILURE_VIEW: most often a form left open until its token expired, or
    cookies switched off. The reason is for the log, not the page."""
    return render(request, "403_csrf.html", status=403)


def server_error(request):
    """Rendered without the request's context processors or anything that reads the database:
    the error may be that the database is gone. The language chosen for the request is
    still active (LocaleMiddleware), so the page is in it."""
    return HttpResponseServerError(loader.get_template("500.html").render())
