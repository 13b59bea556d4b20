"""Fixtures for the pages' tests: the Django test client signed in as a moderator."""

import pytest


@pytest.fixture
def moderator_client(client, moderator):
    client.force_login(moderator)
    return client


@pytest.fixture
def engine_calls(monkeypatch):
    """The questions the counting engine is asked (for an answer or its totals), in order."""
    from reports import aggregates

    calls = []

    def recorded(ask):
        def counted(question, **options):
            calls.append(question)
            return ask(question, **options)

        return counted

    monkeypatch.setattr(aggregates, "answer", recorded(aggregates.answer))
    monkeypatch.setattr(aggregates, "totals", recorded(aggregates.totals))
    return calls
