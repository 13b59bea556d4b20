"""The moderation queue's search box and place filter, through the Django test client: every
field the search reads (title, summary, the place's and its ancestors' names in English and
Burmese, sources' names, tags), words in several fields at once, drafts left out unless asked
for, and the place filter taking names as pages show them. The same results on SQLite
(substring matches) and PostgreSQL (the full-text index, substrings for Burmese)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports import services

QUEUE = "/moderation/"


def listed(response) -> list[int]:
    """The report numbers the queue lists, sorted."""
    return sorted(int(pk) for pk in re.findall(r'id="pick-(\d+)"', response.content.decode()))


def text(response) -> str:
    return " ".join(response.content.decode().split())


@pytest.fixture
def queue(places, field_partner, other_partner, moderator, file_report, news_source):
    """Three submitted reports and a draft, each findable by its own words."""
    places["kayah"].name_local = "ကယားပြည်နယ်"
    places["kayah"].save()
    places["demoso"].name_local = "ဒီးမော့ဆို"
    places["demoso"].save()
    myanmar_now = services.source_create(
        actor=moderator, source_type="news_media", name="Myanmar Now", language="en"
    )
    rights_group = services.source_create(
        actor=field_partner,
        source_type="local_cso",
        name="Karenni Human Rights Group",
        is_confidential=True,
    )

    def submit(actor, **fields):
        return services.report_submit(report=file_report(actor, **fields), actor=actor)

    flee = submit(field_partner)  # "Residents flee Loikaw", Loikaw Town, The Irrawaddy
    shelling = submit(
        other_partner,
        title="Shelling near a school",
        place=places["demoso"],
        public_summary="Two classrooms destroyed by artillery.",
        sources=[myanmar_now],
        tags=["Schools"],
    )
    arrests = submit(
        field_partner,
        title="Arrests at a checkpoint",
        place=places["kayah"],
        public_summary="ဒီးမော့ဆိုမြို့နယ်မှ လူ ၃ ဦး ဖမ်းဆီးခံရ",
        sources=[rights_group, myanmar_now],
        tags=[],
    )
    draft = file_report(field_partner, title="Draft about Loikaw shelling")
    return {"flee": flee, "shelling": shelling, "arrests": arrests, "draft": draft}


def found(client, query, **params) -> list[int]:
    response = client.get(QUEUE, {"q": query, **params})
    assert response.status_code == 200
    return listed(response)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("flee", ["flee"]),  # title
        ("classrooms", ["shelling"]),  # public summary
        ("ARTILLERY", ["shelling"]),  # any case
        ("ဖမ်းဆီး", ["arrests"]),  # Burmese, inside a run of letters without spaces
        ("Demoso", ["shelling"]),  # the place's English name
        ("လွိုင်ကော်", ["flee"]),  # the place's Burmese name
        ("ဒီးမော့ဆို", ["shelling", "arrests"]),  # Burmese place name, and in a summary
        ("Kayah", ["flee", "shelling", "arrests"]),  # an ancestor: everything in the state
        ("ကယား", ["flee", "shelling", "arrests"]),  # an ancestor's Burmese name
        ("Loikaw District", ["flee", "shelling"]),  # an ancestor with its kind of unit
        ("Irrawaddy", ["flee"]),  # a source's name
        ("Myanmar Now", ["shelling", "arrests"]),
        ("Karenni Human Rights", ["arrests"]),  # a confidential source, moderators see it
        ("1111", ["flee"]),  # a tag ("Operation 1111")
        ("schools", ["shelling"]),  # a tag, not the title's "school"
        ("Irrawaddy flee", ["flee"]),  # every word, each in any field
        ("Irrawaddy classrooms", []),
        ("nothing-like-this", []),
        ("   ", ["flee", "shelling", "arrests"]),  # no words: no search
    ],
)
def test_each_field_is_searched(moderator_client, queue, query, expected):
    assert found(moderator_client, query) == sorted(queue[name].pk for name in expected)


def test_drafts_are_left_out_unless_asked_for(moderator_client, queue):
    everything = [queue[name].pk for name in ("flee", "shelling", "arrests")]
    assert found(moderator_client, "", status="") == sorted(everything)
    assert found(moderator_client, "Loikaw", status="") == [queue["flee"].pk, queue["shelling"].pk]
    assert found(moderator_client, "shelling", status="") == [queue["shelling"].pk]
    assert found(moderator_client, "shelling", status="draft") == [queue["draft"].pk]
    page = text(moderator_client.get(QUEUE, {"q": "shelling"}))
    # The tabs count what the search finds: the draft on its own tab only.
    assert 'Any status <span class="count">1</span>' in page
    assert 'Draft <span class="count">1</span>' in page
    assert 'aria-current="page">Submitted <span class="count">1</span>' in page


def test_search_combines_with_the_filters(moderator_client, queue, organizations):
    relief = organizations["relief"].pk
    assert found(moderator_client, "Myanmar Now", organization=relief) == [queue["shelling"].pk]
    assert found(moderator_client, "Kayah", place="MMR002002") == [queue["shelling"].pk]
    assert found(moderator_client, "Kayah", status="approved") == []


def test_a_report_is_listed_once_however_many_of_its_fields_match(
    moderator_client, field_partner, file_report, moderator, places
):
    sources = [
        services.source_create(actor=moderator, source_type="news_media", name=name)
        for name in ("Loikaw News", "Loikaw Radio")
    ]
    report = services.report_submit(
        report=file_report(field_partner, sources=sources, tags=["Loikaw", "Loikaw 2023"]),
        actor=field_partner,
    )
    response = moderator_client.get(QUEUE, {"q": "Loikaw"})
    assert listed(response) == [report.pk]
    assert "<strong>1</strong> report matches" in text(response)


def test_the_search_costs_the_same_queries_for_one_report_or_many(
    moderator_client, field_partner, file_report
):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert moderator_client.get(QUEUE, {"q": "Irrawaddy Loikaw"}).status_code == 200
        return len(captured)

    services.report_submit(report=file_report(field_partner), actor=field_partner)
    one = queries()
    for _ in range(4):
        services.report_submit(report=file_report(field_partner), actor=field_partner)
    assert queries() == one


def test_search_is_kept_in_the_box_escaped(moderator_client, queue):
    response = moderator_client.get(QUEUE, {"q": '"flee" & <'})
    assert response.status_code == 200
    assert listed(response) == [queue["flee"].pk]  # punctuation separates words
    assert 'value="&quot;flee&quot; &amp; &lt;"' in text(response)


def test_an_overlong_search_is_explained(moderator_client, queue):
    response = moderator_client.get(QUEUE, {"q": "x" * 201})
    assert response.status_code == 400
    assert "Ensure this value has at most 200 characters (it has 201)." in text(response)
    assert listed(response) == []


# --- the place filter takes what people type ------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Loikaw Town", ["flee"]),  # the name as pages show it
        ("လွိုင်ကော်", ["flee"]),  # its Burmese name
        ("Kayah", ["flee", "shelling", "arrests"]),
        ("ကယားပြည်နယ်", ["flee", "shelling", "arrests"]),
        ("MMR002002", ["shelling"]),  # a P-code
        (
            "Demoso Township, Loikaw District, Kayah State (MMR002002)",
            ["shelling"],
        ),  # a choice's label
    ],
)
def test_place_filter_takes_names(moderator_client, queue, typed, expected):
    response = moderator_client.get(QUEUE, {"place": typed})
    assert response.status_code == 200
    assert listed(response) == sorted(queue[name].pk for name in expected)


def test_an_ambiguous_place_shows_the_choices(moderator_client, queue):
    response = moderator_client.get(QUEUE, {"place": "Loikaw", "q": "flee"})
    assert response.status_code == 400
    page = text(response)
    assert "Several places match &#x27;Loikaw&#x27;: pick the one you mean below." in page
    choices = re.findall(r'<ul class="place-choices">(.*?)</ul>', page)[0]
    # Each choice keeps the rest of the question and names the place by its P-code, labelled
    # as the gazetteer labels it (gazetteer.selectors.PlaceMatch.label).
    links = dict(re.findall(r'<a href="([^"]*)">([^<]*)</a>', choices))
    assert links["?place=MMR002D001&amp;q=flee"].endswith("Kayah State (MMR002D001)")
    assert links["?place=MMR002001&amp;q=flee"].endswith("Loikaw District, Kayah State (MMR002001)")
    assert listed(response) == []
    chosen = moderator_client.get(QUEUE, {"place": "MMR002001", "q": "flee"})
    assert listed(chosen) == [queue["flee"].pk]


def test_an_unknown_place_says_so(moderator_client, queue):
    response = moderator_client.get(QUEUE, {"place": "Atlantis"})
    assert response.status_code == 400
    assert (
        "No place matches &#x27;Atlantis&#x27;. Type a name as the pages show it (Loikaw "
        "Township, လွိုင်ကော်), or a P-code such as MMR002001."
    ) in text(response)
    assert listed(response) == []
