"""The intake screen's write, intake.drafts.drafts_create: the exact drafts it makes (figures,
place, span, sources, the original kept as evidence), all or nothing on a bad row, refused
for anyone but a moderator, and once only per screen."""

import hashlib
from datetime import date
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from intake.drafts import AcceptedFigure, ArticleSource, Original, drafts_create
from reports.exceptions import NotPermitted
from reports.models import Evidence, Report, Source, SubmissionKey
from reports.workflow import Status

ARTICLE = ArticleSource(
    name="The Irrawaddy",
    source_type="news_media",
    published_on=date(2023, 11, 13),
    title="Karenni Armed Group Seizes Seven Myanmar Junta Bases Since Saturday",
    url="https://www.irrawaddy.com/news/burma/karenni.html",
    language="en",
)
TEXT = "About 35,000 residents fled Loikaw since Saturday, the UNHCR said.\n"
ORIGINAL = Original(TEXT.encode(), "pasted.txt", "text/plain; charset=utf-8")


def stored(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def figure(row, place, **changes) -> AcceptedFigure:
    fields = dict(
        row=row,
        metric="newly_displaced",
        qualifier="approximately",
        value=35000,
        low=None,
        high=None,
        unit="people",
        place=place,
        start_date=date(2023, 11, 11),
        end_date=date(2023, 11, 13),
        date_precision="day",
        cause="ground_assault",
        perpetrator="",
        source_name="UNHCR",
        source_type="un_ingo",
        sentence="About 35,000 residents fled Loikaw since Saturday, the UNHCR said.",
    )
    return AcceptedFigure(**(fields | changes))


def test_two_groups_make_two_drafts_citing_the_article_with_the_text_as_evidence(
    moderator, organizations, places, parties, evidence_root
):
    town, demoso = places["loikaw_town"], places["demoso"]
    made = drafts_create(
        actor=moderator,
        source=ARTICLE,
        groups=[
            [
                figure(1, town),
                figure(
                    2,
                    town,
                    metric="killed",
                    qualifier="at_least",
                    value=3,
                    source_name="The Irrawaddy",
                    source_type="news_media",
                    perpetrator=parties["sac"].slug,
                    cause="",
                ),
            ],
            [
                figure(
                    4,
                    demoso,
                    metric="homes_destroyed",
                    qualifier="range",
                    value=None,
                    low=20,
                    high=30,
                    unit="structures",
                    start_date=date(2023, 11, 1),
                    end_date=date(2023, 11, 30),
                    date_precision="month",
                    cause="arson",
                    source_name="The Irrawaddy",
                    source_type="news_media",
                )
            ],
        ],
        original=ORIGINAL,
        organization=organizations["monitors"],
        key="screen0001",
    )

    first, second = made
    assert [r.status for r in made] == [Status.DRAFT, Status.DRAFT]
    assert [r.submitted_by for r in made] == [moderator, moderator]
    assert [r.organization for r in made] == [organizations["monitors"]] * 2
    assert first.title == "Loikaw Town, 11 Nov 2023"
    assert (first.place, first.start_date, first.end_date, first.date_precision) == (
        town,
        date(2023, 11, 11),
        date(2023, 11, 13),
        "day",
    )
    assert (first.cause, first.perpetrator) == ("ground_assault", parties["sac"])
    assert [
        (f.metric, f.qualifier, f.value, f.value_min, f.value_max, f.unit)
        for f in first.figures.order_by("pk")
    ] == [
        ("newly_displaced", "approximately", 35000, None, None, "people"),
        ("killed", "at_least", 3, None, None, "people"),
    ]
    assert [
        (f.metric, f.qualifier, f.value, f.value_min, f.value_max, f.unit)
        for f in second.figures.all()
    ] == [("homes_destroyed", "range", None, 20, 30, "structures")]
    assert (second.place, second.date_precision, second.cause, second.perpetrator) == (
        demoso,
        "month",
        "arson",
        None,
    )
    assert first.internal_notes == (
        "Drafted on the intake screen from The Irrawaddy: “Karenni Armed Group Seizes Seven "
        "Myanmar Junta Bases Since Saturday”.\n"
        "Row 1: “About 35,000 residents fled Loikaw since Saturday, the UNHCR said.”\n"
        "Row 2: “About 35,000 residents fled Loikaw since Saturday, the UNHCR said.”"
    )

    # One source per organisation named, made once and shared: the UNHCR as the article tells
    # it, and the article itself.
    unhcr = Source.objects.get(name="UNHCR")
    article = Source.objects.get(name="The Irrawaddy")
    assert Source.objects.count() == 2
    assert (unhcr.source_type, unhcr.url, unhcr.published_on, unhcr.is_confidential) == (
        "un_ingo",
        ARTICLE.url,
        date(2023, 11, 13),
        False,
    )
    assert (article.source_type, article.title, article.language) == (
        "news_media",
        ARTICLE.title,
        "en",
    )
    assert set(first.sources.all()) == {unhcr, article}
    # Row 2, whose source is the article, names the perpetrator: the article attributes it.
    assert list(first.perpetrator_sources.all()) == [article]
    assert list(second.sources.all()) == [article]

    # The pasted text is kept, byte for byte, with each draft; private until published.
    evidence = list(Evidence.objects.order_by("report_id"))
    assert [(e.report, e.kind, e.content_type, e.original_name) for e in evidence] == [
        (first, "text", "text/plain", "pasted.txt"),
        (second, "text", "text/plain", "pasted.txt"),
    ]
    assert {e.sha256 for e in evidence} == {hashlib.sha256(TEXT.encode()).hexdigest()}
    assert [p.read_bytes() for p in stored(evidence_root)] == [TEXT.encode()] * 2
    assert [e.is_published for e in evidence] == [False, False]


def test_the_same_screen_sent_twice_makes_its_drafts_once(moderator, organizations, places):
    groups = [[figure(1, places["loikaw_town"])]]
    kwargs = dict(
        actor=moderator,
        source=ARTICLE,
        groups=groups,
        original=ORIGINAL,
        organization=organizations["monitors"],
        key="screen0002",
    )
    made = drafts_create(**kwargs)
    again = drafts_create(**kwargs)

    assert again == made
    assert Report.objects.count() == 1
    assert Evidence.objects.count() == 1
    assert list(SubmissionKey.objects.values_list("key", flat=True)) == ["screen0002-1"]


def test_a_bad_row_stores_nothing_and_every_problem_is_named_by_row(
    moderator, organizations, places, evidence_root
):
    town = places["loikaw_town"]
    with pytest.raises(ValidationError) as raised:
        drafts_create(
            actor=moderator,
            source=ARTICLE,
            groups=[
                [figure(1, town)],
                [figure(3, town, start_date=date(2023, 11, 12), value=None)],
                [figure(5, None, start_date=date(2023, 11, 13))],
            ],
            original=ORIGINAL,
            organization=organizations["monitors"],
        )

    assert raised.value.message_dict == {
        "rows.3.value": ["Row 3: Enter the number reported (or choose a range)."],
        "rows.5.place": ["Row 5: Choose a place from the gazetteer."],
    }
    assert (Report.objects.count(), Source.objects.count(), Evidence.objects.count()) == (0, 0, 0)
    assert stored(evidence_root) == []
    assert SubmissionKey.objects.count() == 0


def test_rows_of_one_draft_must_share_its_place_and_span(moderator, organizations, places):
    with pytest.raises(ValidationError) as raised:
        drafts_create(
            actor=moderator,
            source=ARTICLE,
            groups=[
                [
                    figure(1, places["loikaw_town"]),
                    figure(2, places["demoso"], cause="arson"),
                ]
            ],
            original=ORIGINAL,
            organization=organizations["monitors"],
        )

    assert raised.value.message_dict == {
        "rows.2.place": [
            "Row 2: draft 1 holds row 1 with another place: give this row the same place or "
            "another draft number."
        ],
        "rows.2.cause": [
            "Row 2: draft 1 already has another cause: make them agree or give this row "
            "another draft number."
        ],
    }
    assert Report.objects.count() == 0


def test_a_pdf_is_kept_as_received(moderator, organizations, places):
    from io import BytesIO

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    out = BytesIO()
    writer.write(out)
    pdf = out.getvalue()

    [report] = drafts_create(
        actor=moderator,
        source=ARTICLE,
        groups=[[figure(1, places["loikaw_town"])]],
        original=Original(pdf, "statement.pdf", "application/pdf"),
        organization=organizations["monitors"],
    )

    [evidence] = report.evidence.all()
    assert (evidence.kind, evidence.content_type, evidence.size, evidence.sha256) == (
        "pdf",
        "application/pdf",
        len(pdf),
        hashlib.sha256(pdf).hexdigest(),
    )


def test_only_moderators_create_drafts(field_partner, organizations, places):
    with pytest.raises(NotPermitted):
        drafts_create(
            actor=field_partner,
            source=ARTICLE,
            groups=[[figure(1, places["loikaw_town"])]],
            original=ORIGINAL,
            organization=organizations["monitors"],
        )
    assert Report.objects.count() == 0


def test_a_moderator_without_an_organisation_must_name_one(moderator, places):
    with pytest.raises(ValidationError) as raised:
        drafts_create(
            actor=moderator,
            source=ARTICLE,
            groups=[[figure(1, places["loikaw_town"])]],
            original=ORIGINAL,
        )
    assert raised.value.message_dict == {
        "organization": ["Choose the organisation the drafts are filed for."]
    }


def test_nothing_accepted_is_refused(moderator, organizations):
    with pytest.raises(ValidationError) as raised:
        drafts_create(
            actor=moderator,
            source=ARTICLE,
            groups=[],
            original=ORIGINAL,
            organization=organizations["monitors"],
        )
    assert raised.value.message_dict == {
        "groups": ["Accept at least one figure to create a draft."]
    }
