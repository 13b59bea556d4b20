"""The inbox, and the language button (Django's, which also keeps a person's choice for their
e-mails): included before Django's own i18n URLs so that this one answers at i18n/setlang/."""

from django.urls import path

from reports.views import inbox

urlpatterns = [
    path("inbox/", inbox.inbox, name="inbox"),
    path("inbox/read/", inbox.mark_read, name="inbox_mark_read"),
    path("i18n/setlang/", inbox.set_language),
]
