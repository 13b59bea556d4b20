"""Where displaced people went (Figure.destination): refused on other metrics, named when
unknown, written by the form, read in the history, the exports and the host-communities page,
where the counting rules hold (docs/counting.md, "Where people went")."""

import csv
import io
import re
from datetime import date

import pytest
from django.core.exceptions import ValidationError

from gazetteer.models import Place
from reports import aggregates, services
from reports.models import Report
from reports.selectors.history import report_history
from tests.web.test_partner import new_form, report_data

HOSTS = "/dashboard/hosts/?area=MMR002&start=2023-11-01&end=2023-11-30&level=3&period=month"


def _place(pcode, level, name, parent):
    return Place.objects.create(
        pcode=pcode, admin_level=level, name_en=name, parent=parent, path=f"{parent.path}{pcode}/"
    )


@pytest.fixture
def partner_client(client, field_partner, places):
    client.force_login(field_partner)
    return client


@pytest.fixture
def shan(places):
    state = _place("MMR014", 1, "Shan (South)", places["MMR"])
    return {"state": state, "pekon": _place("MMR014010", 3, "Pekon", state)}


def approved(report, partner, moderator):
    services.report_submit(report=report, actor=partner)
    return services.report_approve(report=report, actor=moderator)


def flow(value, destination=None, metric="newly_displaced", qualifier="exact"):
    return dict(metric=metric, qualifier=qualifier, value=value, destination=destination)


@pytest.fixture
def hosted(places, shan, field_partner, moderator, file_report):
    """Two events going to two townships (Demoso, inside Kayah; Pekon, in Shan), one figure
    without a destination, a stock, and a flow spanning beyond November."""

    def filed(**fields):
        return approved(file_report(field_partner, **fields), field_partner, moderator)

    return {
        "to_demoso": filed(
            figures=[flow(35000, places["demoso"], qualifier="approximately")],
        ),
        "to_pekon": filed(
            title="Families leave Demoso for Pekon",
            place=places["demoso"],
            start_date=date(2023, 11, 20),
            end_date=date(2023, 11, 22),
            figures=[flow(1200, shan["pekon"])],
        ),
        "unknown": filed(
            title="Villagers leave Loikaw",
            place=places["loikaw"],
            start_date=date(2023, 11, 24),
            end_date=None,
            figures=[flow(500)],
        ),
        "stock": filed(
            title="Displaced from Loikaw sheltering in Demoso",
            place=places["loikaw"],
            start_date=date(2023, 11, 18),
            end_date=None,
            figures=[flow(40000, places["demoso"], "currently_displaced", "at_least")],
        ),
        "beyond": filed(
            title="Kayah displacement since late October",
            place=places["kayah"],
            start_date=date(2023, 10, 25),
            end_date=date(2023, 11, 5),
            figures=[flow(3000, places["demoso"])],
        ),
    }


# --- the figure's destination in the services, the form, the history ----------------------


def test_a_destination_is_refused_on_a_figure_that_is_not_displacement(
    field_partner, file_report, places
):
    with pytest.raises(ValidationError) as refused:
        file_report(field_partner, figures=[flow(3, places["demoso"], metric="killed")])
    assert refused.value.message_dict == {
        "figures.1.destination": [
            "Figure 1: Only figures of people currently displaced or people newly displaced can "
            "say where people went; civilians killed cannot have a destination."
        ]
    }
    assert Report.objects.count() == 0


def test_returned_people_have_no_destination(field_partner, file_report, places):
    with pytest.raises(ValidationError) as refused:
        file_report(field_partner, figures=[flow(30, places["demoso"], metric="returned")])
    assert list(refused.value.message_dict) == ["figures.1.destination"]


def test_an_unknown_destination_code_is_named_and_nothing_is_stored(field_partner, file_report):
    with pytest.raises(ValidationError) as refused:
        file_report(field_partner, figures=[flow(10), flow(20, "MMR999")])
    assert refused.value.message_dict == {
        "figures.2.destination": ["Figure 2: Unknown destination place 'MMR999'."]
    }
    assert Report.objects.count() == 0


def test_the_form_resolves_the_destination_like_the_place(partner_client, places):
    response = partner_client.post(
        "/partner/reports/new/",
        report_data(new_form(partner_client), save="1", **{"figures-0-destination": "Demoso"}),
    )
    assert response.status_code == 302
    figures = Report.objects.get().figures.order_by("pk")
    assert [(f.metric, f.destination and f.destination.pcode) for f in figures] == [
        ("newly_displaced", "MMR002002"),
        ("homes_destroyed", None),
    ]
    edit = partner_client.get(f"/partner/reports/{Report.objects.get().pk}/edit/")
    assert (
        'value="Demoso Township, Loikaw District, Kayah State (MMR002002)"' in edit.content.decode()
    )


def test_the_form_offers_a_choice_when_several_places_match(partner_client, places):
    # "Loikaw" is a district and a township.
    data = report_data(new_form(partner_client), save="1", **{"figures-0-destination": "Loikaw"})
    response = partner_client.post("/partner/reports/new/", data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "Several places match: choose one below, or type more of the name." in html
    assert 'name="figures-0-destination_choice" value="MMR002001"' in html
    assert Report.objects.count() == 0
    data["figures-0-destination_choice"] = "MMR002001"
    assert partner_client.post("/partner/reports/new/", data).status_code == 302
    figure = Report.objects.get().figures.get(metric="newly_displaced")
    assert figure.destination.pcode == "MMR002001"


def test_the_form_names_an_unknown_destination_and_a_refused_one(partner_client, places):
    data = report_data(new_form(partner_client), save="1", **{"figures-0-destination": "Atlantis"})
    response = partner_client.post("/partner/reports/new/", data)
    assert response.status_code == 400
    assert "No place in the gazetteer matches this." in response.content.decode()
    data.update({"figures-0-destination": "", "figures-1-destination": "Demoso"})
    response = partner_client.post("/partner/reports/new/", data)
    assert response.status_code == 400
    assert "buildings destroyed" not in response.content.decode()
    assert "homes destroyed cannot have a destination." in response.content.decode()
    assert Report.objects.count() == 0


def test_the_history_says_where_people_went(field_partner, file_report, places):
    report = file_report(field_partner)
    services.report_update(
        report=report,
        actor=field_partner,
        figures=[flow(35000, places["demoso"], qualifier="approximately")],
    )
    change = report_history(report)[-1]
    text = " ".join(str(part) for part in _flatten(change))
    assert "approximately 35,000 people, went to Demoso Township (MMR002002)" in text


def _flatten(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from _flatten(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _flatten(item)
    else:
        yield value


# --- the engine: departures by destination, arrivals into an area --------------------------


def totals(answer, metric):
    total = answer.totals[metric]
    return (total.best, total.low, total.high, total.events, total.qualifier)


def rows(answer, metric):
    return [
        (r.pcode, r.name, r.where, r.totals[metric].best, r.totals[metric].events)
        for r in answer.by_area
    ]


def ask(query):
    from django.http import QueryDict

    return aggregates.answer(aggregates.parse_question(QueryDict(query)))


def test_departures_by_destination_never_drop_a_figure(hosted):
    answer = ask("area=MMR002&start=2023-11-01&end=2023-11-30&level=3&by=destination")
    # 35,000 to Demoso + 1,200 to Pekon (Shan) + 500 without a destination; the 3,000 since
    # 25 October spans beyond November: beside the total, not in it.
    assert totals(answer, "newly_displaced") == (36700, 36700, 36700, 3, "approximately")
    assert rows(answer, "newly_displaced") == [
        ("MMR002002", "Demoso Township", "", 35000, 1),
        ("MMR014", "Shan (South)", "outside", 1200, 1),
        (None, "Destination unknown", "unknown", 500, 1),
    ]
    assert [(f.report_id, f.counted.best) for f in answer.beyond["newly_displaced"]] == [
        (hosted["beyond"].pk, 3000)
    ]
    # The stock stands apart, with its date, never summed with the flows.
    stock = answer.totals["currently_displaced"]
    assert (stock.best, stock.qualifier, stock.as_of_newest) == (
        40000,
        "at_least",
        date(2023, 11, 18),
    )
    assert rows(answer, "currently_displaced") == [
        ("MMR002002", "Demoso Township", "", 40000, 1),
        ("MMR014", "Shan (South)", "outside", 0, 0),
        (None, "Destination unknown", "unknown", 0, 0),
    ]
    # The same total as the dashboard's, which breaks it down by origin.
    plain = ask("area=MMR002&start=2023-11-01&end=2023-11-30&level=3")
    assert totals(plain, "newly_displaced") == totals(answer, "newly_displaced")


def test_arrivals_into_an_area_come_from_any_origin(hosted):
    kayah = ask("destination=MMR002&start=2023-11-01&end=2023-11-30&level=3&by=destination")
    assert totals(kayah, "newly_displaced") == (35000, 35000, 35000, 1, "approximately")
    assert rows(kayah, "newly_displaced") == [("MMR002002", "Demoso Township", "", 35000, 1)]
    shan = ask("destination=MMR014&start=2023-11-01&end=2023-11-30")
    assert totals(shan, "newly_displaced") == (1200, 1200, 1200, 1, "exact")
    unknown = ask("destination=none&start=2023-11-01&end=2023-11-30&metric=newly_displaced")
    assert totals(unknown, "newly_displaced") == (500, 500, 500, 1, "exact")
    # Over October and November the 3,000 since 25 October is inside: it counts.
    longer = ask("destination=MMR002002&start=2023-10-01&end=2023-11-30")
    assert totals(longer, "newly_displaced") == (38000, 38000, 38000, 2, "approximately")


def test_an_events_counted_figure_decides_where_it_went(
    hosted, field_partner, moderator, file_report, places
):
    """One event, two reports: the figure counted (the more recently published, here the
    later approval) gives the destination; the other only widens the range."""
    event = services.event_create(actor=moderator, name="Loikaw displacement")
    services.report_link_event(report=hosted["to_demoso"], event=event, actor=moderator)
    later = approved(
        file_report(field_partner, figures=[flow(30000, None)]), field_partner, moderator
    )
    services.report_link_event(report=later, event=event, actor=moderator)
    answer = ask("area=MMR002&start=2023-11-01&end=2023-11-30&level=3&by=destination")
    assert rows(answer, "newly_displaced") == [
        ("MMR002002", "Demoso Township", "", 0, 0),  # the stock went there
        ("MMR014", "Shan (South)", "outside", 1200, 1),
        (None, "Destination unknown", "unknown", 30500, 2),
    ]
    # The counted 30,000 is exact; the approximate 35,000 only widens the range.
    assert totals(answer, "newly_displaced") == (31700, 31700, 36700, 3, "exact")


def test_a_figure_covering_others_going_elsewhere_keeps_its_range_in_order(
    places, field_partner, moderator, file_report
):
    """Kayah's approximately 100,800 (no destination) covers a Loikaw event counting 35,000
    going to Demoso, whose other reports say at least 38,000 and 30,000 to 38,000: in the
    figures saying no destination it adds what it holds beyond the event, read apart as an
    "unspecified within" row is (rule 5: no floor under an "at least" it covers), never a
    range turned around."""

    def filed(**fields):
        return approved(file_report(field_partner, **fields), field_partner, moderator)

    event = services.event_create(actor=moderator, name="Loikaw displacement")
    for figure in (  # the last approved is counted: its destination is the event's
        dict(metric="newly_displaced", qualifier="at_least", value=38000),
        dict(metric="newly_displaced", qualifier="range", value_min=30000, value_max=38000),
        flow(35000, places["demoso"], qualifier="approximately"),
    ):
        services.report_link_event(report=filed(figures=[figure]), event=event, actor=moderator)
    filed(
        title="Displacement across Kayah",
        place=places["kayah"],
        start_date=date(2023, 11, 11),
        end_date=date(2023, 11, 22),
        figures=[flow(100800, qualifier="approximately")],
    )
    month = "start=2023-11-01&end=2023-11-30&metric=newly_displaced"

    def numbers(total):
        return (total.best, total.low, total.high, total.events, total.qualifier)

    whole = ask(f"area=MMR002&{month}")
    assert numbers(whole.totals["newly_displaced"]) == (100800, 100800, 100800, 2, "at_least")
    by_destination = ask(f"area=MMR002&{month}&level=3&by=destination")
    assert [
        (r.pcode, r.where, numbers(r.totals["newly_displaced"])) for r in by_destination.by_area
    ] == [
        ("MMR002002", "", (35000, 30000, 38000, 1, "at_least")),
        # 100,800 less the event's 35,000 (30,000 up to no bound): 0 up to 70,800.
        (None, "unknown", (65800, 0, 70800, 1, "approximately")),
    ]
    unknown = ask(f"destination=none&{month}")
    assert numbers(unknown.totals["newly_displaced"]) == (65800, 0, 70800, 1, "approximately")


def test_a_bad_destination_parameter_is_named(hosted, client):
    response = client.get("/dashboard/hosts/?destination=MMR999")
    assert response.status_code == 400
    assert "Unknown destination &#x27;MMR999&#x27;" in response.content.decode()


# --- the page ------------------------------------------------------------------------------


def cells(html, table_id):
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', html, re.S).group(0)
    found = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S):
        texts = [
            re.sub(r"<[^>]+>", " ", c).split()
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        found.append([" ".join(t) for t in texts])
    return found


def test_the_host_page_shows_where_people_went_and_who_hosts_them(client, hosted):
    response = client.get(HOSTS)
    assert response.status_code == 200
    html = response.content.decode()
    assert cells(html, "destinations")[1:] == [
        ["Demoso Township", "approximately 35,000", "at least 40,000 as of 18 Nov 2023"],
        ["Shan (South) (outside the area)", "1,200", "0"],
        ["Destination unknown", "500", "0"],
        ["Total", "approximately 36,700", "at least 40,000 as of 18 Nov 2023"],
    ]
    assert cells(html, "hosting-table")[2:] == [
        [
            "Demoso Township",
            "approximately 35,000",
            "1,200",
            "at least 40,000 as of 18 Nov 2023",
            "0",
        ],
        ["Loikaw Township", "0", "approximately 35,500", "0", "at least 40,000 as of 18 Nov 2023"],
    ]
    # Arrivals into Kayah: only the 35,000 (the 1,200 went to Shan); departures from it: all
    # three flows. The stock stands at the month's end with its date.
    stock = "at least 40,000 as of 18 Nov 2023"
    assert cells(html, "hosting-series")[2:] == [
        ["Nov 2023", "approximately 35,000", "approximately 36,700", stock, stock],
    ]
    assert "Spanning beyond" in html and "Kayah displacement since late October" in html
    # Every number links to its evidence, and the evidence agrees.
    unknown = re.search(r'<a href="([^"]*destination=none[^"]*)"', html).group(1)
    evidence = client.get(unknown.replace("&amp;", "&")).content.decode()
    assert "Villagers leave Loikaw" in evidence
    assert "Residents flee Loikaw" not in evidence
    assert '<a href="/dashboard/hosts/' in client.get("/dashboard/?area=MMR002").content.decode()


def test_the_exports_carry_the_destination(client, hosted):
    response = client.get(
        "/dashboard/download/reports-hxl.csv?area=MMR002&start=2023-11-01&end=2023-11-30"
        "&metric=newly_displaced"
    )
    table = list(csv.reader(io.StringIO(_text(response))))
    header, tags = table[0], table[1]
    at = header.index("destination_pcode")
    assert (tags[at], tags[at + 1]) == ("#loc+dest+code", "#loc+dest+name")
    assert sorted((row[header.index("title")], row[at], row[at + 1]) for row in table[2:]) == [
        ("Families leave Demoso for Pekon", "MMR014010", "Pekon"),
        ("Residents flee Loikaw", "MMR002002", "Demoso Township"),
        ("Villagers leave Loikaw", "", ""),
    ]
    areas = client.get(
        "/dashboard/download/areas.csv?area=MMR002&start=2023-11-01&end=2023-11-30&level=3"
        "&by=destination&metric=newly_displaced"
    )
    rows_ = list(csv.DictReader(io.StringIO(_text(areas))))
    assert [(r["row"], r["area_pcode"], r["area_name"], r["newly_displaced"]) for r in rows_][
        :4
    ] == [
        ("total", "MMR002", "Kayah", "36700"),
        ("area", "MMR002002", "Demoso Township", "35000"),
        ("destination outside the area", "MMR014", "Shan (South)", "1200"),
        ("destination unknown", "", "Destination unknown", "500"),
    ]


def _text(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def test_the_moderator_and_the_partner_see_where_people_went(
    client, moderator, field_partner, hosted
):
    client.force_login(moderator)
    review = client.get(f"/moderation/reports/{hosted['to_pekon'].pk}/").content.decode()
    assert "→ went to Pekon (MMR014010)" in review
    client.force_login(field_partner)
    detail = client.get(f"/partner/reports/{hosted['to_pekon'].pk}/").content.decode()
    assert "→ went to Pekon (MMR014010)" in detail


def test_the_host_page_asked_again_is_served_kept_until_the_data_changes(
    client, hosted, moderator, engine_calls
):
    first = client.get(HOSTS).content.decode()
    asked = len(engine_calls)
    assert asked == 3  # departures by destination, by origin, arrivals
    again = client.get(HOSTS).content.decode()
    assert len(engine_calls) == asked
    assert cells(again, "destinations") == cells(first, "destinations")

    assert ["Destination unknown", "500", "0"] in cells(first, "destinations")
    services.report_retract(report=hosted["unknown"], actor=moderator, reason="Double count.")
    after = client.get(HOSTS).content.decode()
    assert len(engine_calls) == 2 * asked
    assert ["Destination unknown", "500", "0"] not in cells(after, "destinations")
