"""The version of the public data: one counter, bumped in the same transaction as every change
that can change what a public page, file or embed shows, so anything built from the data can be
kept and reused under it (reports.selectors.data_version; docs/caching.md)."""

from django.db import models


class DataVersion(models.Model):
    """The one row (pk 1) holding the counter. Never edited by hand:
    reports.services.data_version.data_version_bump() moves it on with one UPDATE."""

    n = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "data version"

    def __str__(self) -> str:
        return f"data version {self.n}"
