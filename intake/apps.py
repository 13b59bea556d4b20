"""The intake app: extraction of candidate figures from prose, and the moderator's screen."""

from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "intake"
    verbose_name = "Assisted intake"
