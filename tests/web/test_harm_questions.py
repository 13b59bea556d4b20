"""The IHL view asks the counting engine each of its questions once: the "All" column heads
both tables and is answered once; asked again before the data changes, it is served kept
(reports.views.cached) without asking the engine."""

import re

from reports import services
from reports.vocabulary import Cause
from tests.web.test_perpetrator_pages import harm, table  # noqa: F401 - the fixture

PAGE = "/dashboard/harm/?area=MMR002&start=2023-11-01&end=2023-11-30"


def test_each_column_is_asked_once(client, harm, engine_calls):  # noqa: F811
    asked = engine_calls
    html = client.get(PAGE).content.decode()
    # All, each cause, the two parties, "unknown" and "not stated".
    assert len(asked) == len(set(asked)) == 1 + len(Cause.choices) + 2 + 2
    assert sorted(q.perpetrator for q in asked if q.perpetrator) == [
        "kndf", "none", "sac", "unknown"
    ]  # fmt: skip
    header, rows = table(html, "harm-perpetrator")
    assert header == ["Harm", "All", "KNDF", "SAC", "Unknown", "Not stated"]
    assert rows["Homes destroyed"] == ["12", "0", "0", "0", "12"]


def test_the_page_asked_again_is_served_kept_until_the_data_changes(
    client,
    harm,  # noqa: F811
    moderator,
    engine_calls,
):
    first = client.get(PAGE).content.decode()
    asked = len(engine_calls)
    again = client.get(PAGE).content.decode()
    assert len(engine_calls) == asked
    assert table(again, "harm-perpetrator") == table(first, "harm-perpetrator")
    assert table(first, "harm-perpetrator")[1]["Homes destroyed"] == ["12", "0", "0", "0", "12"]

    services.report_retract(report=harm["Fire"], actor=moderator, reason="Double count.")
    after = client.get(PAGE).content.decode()
    assert len(engine_calls) == 2 * asked
    assert table(after, "harm-perpetrator")[1]["Homes destroyed"] == ["0", "0", "0", "0", "0"]


def test_the_all_column_is_named_all_in_burmese(client, harm):  # noqa: F811
    client.cookies["django_language"] = "my"
    header, _rows = table(client.get(PAGE).content.decode(), "harm-perpetrator")
    assert header[1] == "အားလုံး"  # not the partner list's "show all"


def test_a_filtered_view_says_its_filter_under_the_title(client, harm):  # noqa: F811
    page = client.get(f"{PAGE}&cause=airstrike").content.decode()
    lead = re.search(r'<p class="lead">(.*?)</p>', page, re.S).group(1)
    assert "<strong>Cause or means: Airstrike.</strong>" in lead
    unfiltered = client.get(PAGE).content.decode()
    assert "<strong>" not in re.search(r'<p class="lead">(.*?)</p>', unfiltered, re.S).group(1)
