"""A gazetteer import that moves a place to another parent after figures there were counted:
every total above it follows (the summaries are rebuilt), a covering figure of its old district
no longer covers it (rule 5), and an import that only renames leaves the summaries alone."""

from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from gazetteer.models import Place
from reports import aggregates
from reports.aggregates import Question, make_plan
from reports.aggregates.from_base_tables import answer_from_base
from reports.models import StockStep
from tests.aggregates.conftest import as_tuple

D = date
FLOW, STOCK = "newly_displaced", "currently_displaced"


def by_district() -> dict[str | None, tuple[tuple, tuple]]:
    """Kayah in November 2023 by district: (flow, stock) per row, checked against the base
    tables' answer."""
    question = Question(
        start=D(2023, 11, 1), end=D(2023, 11, 30), area="MMR002", level=2, metrics=(FLOW, STOCK)
    )
    answer = aggregates.answer(question)
    assert answer == answer_from_base(make_plan(question))
    rows = {row.pcode: row.totals for row in answer.by_area}
    rows["MMR002"] = answer.totals
    return {
        pcode: (as_tuple(totals[FLOW]), as_tuple(totals[STOCK])) for pcode, totals in rows.items()
    }


def cod_file(tmp_path: Path, *rows: str) -> str:
    path = tmp_path / "cod.csv"
    path.write_text(
        "ADM0_PCODE,ADM0_EN,ADM1_PCODE,ADM1_EN,ADM2_PCODE,ADM2_EN,ADM3_PCODE,ADM3_EN\n"
        + "".join(f"MMR,Myanmar,MMR002,Kayah,{row}\n" for row in rows),
        encoding="utf-8",
    )
    return str(path)


@pytest.fixture
def counted(world):
    """Loikaw district's figure for November covering its townships' (100 newly displaced),
    Loikaw's 20 and Demoso's 30 inside it; 200 and 500 currently displaced in them."""
    world["report"]("loikaw_district", D(2023, 11, 30), [(FLOW, 100)], start=D(2023, 11, 1))
    world["report"]("loikaw", D(2023, 11, 5), [(FLOW, 20), (STOCK, 200)])
    world["report"]("demoso", D(2023, 11, 6), [(FLOW, 30), (STOCK, 500)])
    assert by_district() == {
        "MMR002": ((100, 100, 100, 3, 3, 3), (700, 700, 700, 2, 2, 2)),
        "MMR002D001": ((100, 100, 100, 3, 3, 3), (700, 700, 700, 2, 2, 2)),
    }


@pytest.fixture
def looked_under(monkeypatch) -> list[str]:
    """The P-codes of the places an import asks the summaries to look under for moved figures."""
    asked: list[str] = []
    follow = aggregates.follow_moved_places

    def recording(place_ids):
        ids = list(place_ids)
        asked.extend(Place.objects.filter(pk__in=ids).values_list("pcode", flat=True))
        return follow(ids)

    monkeypatch.setattr(aggregates, "follow_moved_places", recording)
    return asked


def test_a_township_moved_to_another_district_is_counted_there(counted, tmp_path, looked_under):
    out = StringIO()
    # Demoso under a new district, Bawlake; Loikaw stays where it was.
    call_command(
        "import_gazetteer",
        cod_file(tmp_path, "MMR002D002,Bawlake,MMR002002,Demoso"),
        stdout=out,
    )

    assert (
        "Figures at 1 place were counted under a former parent: every total was counted again."
        in out.getvalue()
    )
    # Only Demoso is looked under: the new district holds no figure and moved nowhere.
    assert looked_under == ["MMR002002"]
    # Loikaw district's 100 now covers Loikaw's 20 alone; Demoso's 30 adds to it in Kayah.
    assert by_district() == {
        "MMR002": ((130, 130, 130, 3, 3, 3), (700, 700, 700, 2, 2, 2)),
        "MMR002D001": ((100, 100, 100, 2, 2, 2), (200, 200, 200, 1, 1, 1)),
        "MMR002D002": ((30, 30, 30, 1, 1, 1), (500, 500, 500, 1, 1, 1)),
    }
    # (the world fixture checks afterwards that every summary agrees with the base tables)


def test_an_import_that_only_renames_leaves_the_summaries_as_they_are(
    counted, tmp_path, looked_under
):
    steps = set(StockStep.objects.values_list("pk", flat=True))
    out = StringIO()

    call_command(
        "import_gazetteer",
        cod_file(tmp_path, "MMR002D001,Loikaw District,MMR002002,Demo So"),
        stdout=out,
    )

    assert "former parent" not in out.getvalue()
    assert looked_under == []  # renamed, not moved: nothing to look under
    assert set(StockStep.objects.values_list("pk", flat=True)) == steps
    assert by_district()["MMR002D001"] == (
        (100, 100, 100, 3, 3, 3),
        (700, 700, 700, 2, 2, 2),
    )
