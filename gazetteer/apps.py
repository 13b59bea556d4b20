"""The gazetteer app: places and their P-codes, a leaf that imports nothing from reports."""

from django.apps import AppConfig


class GazetteerConfig(AppConfig):
    name = "gazetteer"
    verbose_name = "Gazetteer"
