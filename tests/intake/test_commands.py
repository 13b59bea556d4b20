# ruff: noqa: E501  (tables of cases read best one a line)
"""The three commands: extract_figures prints the candidates of a file as JSON, or fails with a
clear message and a non-zero exit; evaluate_intake prints the measured quality; bench_intake
prints its figures against its baseline."""

import json
import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from intake.evaluation import LABELLED

from .test_reading import PNG, blank_pdf


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_extract_figures_prints_the_candidates(gazetteer, parties):
    printed = json.loads(
        run("extract_figures", str(LABELLED / "t06.txt"), "--published", "2023-11-20")
    )
    assert [
        (c["metric"], c["value"], c["place_pcode"], c["start_date"], c["excluded_reason"])
        for c in printed
    ] == [
        ("killed", 5, "MMR002002", "2023-11-18", None),
        ("injured", 8, "MMR002002", "2023-11-18", None),
        ("newly_displaced", 1200, "MMR002002", "2023-11-18", None),
        ("killed", 12, "MMR002002", "2023-11-18", "combatants"),
    ]
    assert set(printed[0]) == {
        "metric", "value", "low", "high", "qualifier", "unit", "place_pcode", "place_text",
        "start_date", "end_date", "date_precision", "cause", "perpetrator", "source_name",
        "source_type", "sentence", "excluded_reason", "sentence_start", "sentence_end",
        "figure_start", "figure_end",
    }  # fmt: skip


def test_extract_figures_reads_html_and_its_date(gazetteer, tmp_path):
    from .test_reading import ARTICLE

    page = tmp_path / "page.html"
    page.write_text(ARTICLE, encoding="utf-8")
    printed = json.loads(run("extract_figures", str(page)))
    assert [
        (c["metric"], c["value"], c["qualifier"], c["start_date"], c["source_name"])
        for c in printed
    ] == [
        ("killed", 3, "exact", "2023-11-18", "Kantarawaddy Times"),
        ("newly_displaced", 600, "at_least", "2023-11-18", "local volunteers"),
    ]


def test_extract_figures_with_a_language(gazetteer):
    with pytest.raises(CommandError, match="Only English and Burmese are supported yet."):
        run("extract_figures", str(LABELLED / "s003.txt"))
    assert json.loads(run("extract_figures", str(LABELLED / "s000.txt"), "--language", "en")) == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (PNG, "This file is not text, HTML or PDF."),
        (blank_pdf(), "This PDF has no text layer"),
        ("ေနျပည္ေတာ္ စစ္ေၾကာင့္ ထြက္ေျပးရသည္".encode(), "Zawgyi encoding"),
    ],
)
def test_extract_figures_refuses_bad_files(gazetteer, tmp_path, content, message):
    path = tmp_path / "account.txt"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message) as refused:
        run("extract_figures", str(path))
    assert str(refused.value).startswith(f"{path}: ")


def test_extract_figures_refuses_a_missing_file_and_a_bad_date(db, tmp_path):
    with pytest.raises(CommandError, match="cannot be read"):
        run("extract_figures", str(tmp_path / "nowhere.txt"))
    with pytest.raises(
        CommandError, match=r"--published: '30/11/2023' is not a date \(YYYY-MM-DD\)."
    ):
        run("extract_figures", str(LABELLED / "t01.txt"), "--published", "30/11/2023")


def test_extract_figures_exits_non_zero_on_bad_input(tmp_path):
    path = tmp_path / "photo.txt"
    path.write_bytes(PNG)
    done = subprocess.run(
        [sys.executable, "manage.py", "extract_figures", str(path)],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.strip() == f"CommandError: {path}: This file is not text, HTML or PDF."


def test_evaluate_intake_prints_the_quality(gazetteer, parties):
    printed = run("evaluate_intake").splitlines()
    assert printed[:4] == [
        "tuning: 11 texts, 26 figures labelled, 27 proposed",
        "  field      precision  recall",
        "  FIGURES         0.96    1.00",
        "  metric          0.96    1.00",
    ]
    assert (
        printed.count(
            "  combatant figures proposed as civilian harm: 0 (listed as left out: 8 of 8)"
        )
        == 1
    )
    assert "held out: 4 texts, 9 figures labelled, 9 proposed" in printed


def test_evaluate_intake_refuses_a_directory_without_labels(db, tmp_path):
    with pytest.raises(CommandError, match="no labelled texts"):
        run("evaluate_intake", str(tmp_path))


def test_bench_intake_prints_its_figures_against_the_baseline(gazetteer):
    printed = run("bench_intake", "--repeats", "1", "--words", "300").splitlines()
    assert printed[0].endswith("places in the gazetteer; 1 runs each, median")
    assert [line.split(":")[0] for line in printed[1:3]] == ["en", "my"]
    assert all("x the baseline" in line for line in printed[1:3])
    assert printed[3].startswith("target: under 1 s for 300 words: ")
