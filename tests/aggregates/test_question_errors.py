"""A question built in code (make_plan) is refused with the same messages, in the reader's
language, as the same question asked by its parameters (parse_question)."""

from datetime import date

import pytest
from django.utils import translation

from reports.aggregates import Question, QuestionError, parse_question
from reports.aggregates.question import make_plan
from reports.vocabulary import Metric

D = date


def _errors(call) -> dict[str, str]:
    with pytest.raises(QuestionError) as refused:
        call()
    return refused.value.errors


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "my"])
def test_a_question_built_in_code_is_refused_as_one_asked_by_parameters(language):
    built = Question(
        metrics=("refugees",),
        start=D(2023, 12, 1),
        end=D(2023, 11, 1),
        period="decade",
        level=0,
        destination="MMR999",
        by="sideways",
    )
    asked = {
        "metric": "refugees",
        "start": "2023-12-01",
        "end": "2023-11-01",
        "period": "decade",
        "level": "0",
        "destination": "MMR999",
        "by": "sideways",
    }
    with translation.override(language):
        from_code = _errors(lambda: make_plan(built))
        from_parameters = _errors(lambda: parse_question(asked))
    assert from_code == from_parameters
    assert sorted(from_code) == ["by", "destination", "end", "level", "metric", "period"]
    if language == "en":
        assert from_code["metric"] == (
            "Unknown metric 'refugees'; choose from " + ", ".join(Metric.values) + "."
        )
        assert from_code["by"] == "Unknown breakdown 'sideways'; choose origin or destination."
    else:
        assert "Unknown" not in " ".join(from_code.values())
