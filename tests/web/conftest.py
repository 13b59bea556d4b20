"""Fixtures for the pages' tests: the Django test client signed in as a moderator."""

import pytest


@pytest.fixture
def moderator_client(client, moderator):
    client.force_login(moderator)
    return client


@pytest.fixture
def engine_calls(monkeypatch):
    """The questions the counting engine is asked, in order."""
    from reports import aggregates

    calls = []
    answer = aggregates.answer

    def counted(question, **options):
        calls.append(question)
        return answer(question, **options)

    monkeypatch.setattr(aggregates, "answer", counted)
    return calls
