"""The mirror file through the API (/api/v1/exports/, docs/api.md): every approved report in
one file (JSON lines, CSV, HXL) by the export jobs, seen only by the key that asked; and the
CSV pages of a list that carry a header only on the first page."""

import csv
import io
import json

import pytest
from rest_framework.test import APIClient

from reports import services
from reports.models import ExportJob, PublicReport
from tests import dashboard_data


@pytest.fixture
def jobs(settings, tmp_path):
    settings.TRACKER_EXPORT_ROOT = tmp_path
    settings.TRACKER_EXPORT_WITHOUT_BROKER = "inline"
    return tmp_path


def post(api, fmt, capture, run=True):
    """POST for a file; with `run`, the job runs at the commit ("inline") and the answer is
    the job's state afterwards."""
    with capture(execute=run):
        response = api.post("/api/v1/exports/", {"format": fmt}, format="json")
    if not run or response.status_code >= 400:
        return response
    return api.get(response.json()["url"])


def fetch(api, url) -> bytes:
    response = api.get(url)
    assert response.status_code == 200, response.content
    return b"".join(response.streaming_content)


def test_the_mirror_file_in_json_lines_is_the_apis_records(
    api, api_with_the_key, scenario, jobs, django_capture_on_commit_callbacks
):
    queued = post(api, "jsonl", django_capture_on_commit_callbacks, run=False)
    assert queued.status_code == 202
    job = queued.json()
    assert (job["status"], job["format"], job["file_url"]) == ("queued", "jsonl", None)
    assert job["url"] == f"http://testserver/api/v1/exports/{job['id']}/"
    from reports import tasks

    assert tasks.run_export(job["id"]) == "done"
    done = api.get(job["url"]).json()
    assert done["status"] == "done" and done["rows_done"] == done["rows_total"] == 6
    assert done["file_url"] == f"http://testserver/api/v1/exports/{job['id']}/file/"
    lines = fetch(api, done["file_url"]).decode().splitlines()
    stored = PublicReport.objects.order_by("report_id").values_list("document", flat=True)
    assert lines == list(stored)
    assert [json.loads(line)["id"] for line in lines] == sorted(
        PublicReport.objects.values_list("report_id", flat=True)
    )
    assert done["size"] == len(("\n".join(lines) + "\n").encode())
    assert done["updated_since"] is not None


def test_the_mirror_csv_is_the_api_pages_joined(
    api, api_with_the_key, scenario, jobs, django_capture_on_commit_callbacks
):
    job = post(api, "csv", django_capture_on_commit_callbacks).json()
    assert job["status"] == "done"  # inline: made at the commit
    whole = fetch(api, job["file_url"]).decode()
    # The API's CSV, paged two reports at a time: only the first page has the header.
    pages, url = [], "/api/v1/reports/?format=csv&page_size=2"
    while url:
        response = api.get(url)
        pages.append(response.content.decode())
        links = response.get("Link", "")
        url = links.split(">")[0].lstrip("<") if 'rel="next"' in links else None
    assert len(pages) == 3
    assert pages[1].splitlines()[0].split(",")[0] != "report_id"
    joined = list(csv.reader(io.StringIO("".join(pages))))
    mine = list(csv.reader(io.StringIO(whole)))
    assert joined[0] == mine[0]
    assert sorted(joined[1:]) == sorted(mine[1:])
    hxl = post(api, "hxl", django_capture_on_commit_callbacks).json()
    rows = list(csv.reader(io.StringIO(fetch(api, hxl["file_url"]).decode())))
    assert rows[1][0] == "#meta+id" and len(rows) == len(mine) + 1
    for leaked in ("Camp committee X", "U Ba", "09-555", "Unchecked", "Loikaw monitors"):
        assert leaked not in whole


def test_hxl_pages_after_the_first_have_neither_header_nor_tags(api, scenario):
    first = api.get("/api/v1/reports/?format=hxl&page_size=4")
    rows = list(csv.reader(io.StringIO(first.content.decode())))
    assert rows[0][0] == "report_id" and rows[1][0] == "#meta+id"
    following = first["Link"].split(">")[0].lstrip("<")
    rows = list(csv.reader(io.StringIO(api.get(following).content.decode())))
    assert rows and rows[0][0].isdigit()


def test_asked_again_the_file_is_reused_until_the_data_change(
    api,
    api_with_the_key,
    scenario,
    jobs,
    django_capture_on_commit_callbacks,
    field_partner,
    moderator,
    file_report,
):
    first = post(api, "jsonl", django_capture_on_commit_callbacks).json()
    again = api.post("/api/v1/exports/", {"format": "jsonl"}, format="json")
    assert again.status_code == 200 and again.json()["status"] == "done"
    assert str(ExportJob.objects.get(pk=again.json()["id"]).reused_from_id) == first["id"]
    report = file_report(field_partner, title="A new report")
    services.report_submit(report=report, actor=field_partner)
    services.report_approve(report=report, actor=moderator)
    fresh = post(api, "jsonl", django_capture_on_commit_callbacks).json()
    assert ExportJob.objects.get(pk=fresh["id"]).reused_from_id is None
    assert len(fetch(api, fresh["file_url"]).decode().splitlines()) == 7


def test_only_the_key_that_asked_sees_its_job(
    api,
    api_with_the_key,
    scenario,
    jobs,
    django_capture_on_commit_callbacks,
    admin_user,
    organizations,
    advocate,
):
    job = post(api, "csv", django_capture_on_commit_callbacks).json()
    _, other_key = services.api_client_create(
        actor=admin_user, name="Another system", organization=organizations["relief"]
    )
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Api-Key {other_key}")
    signed_in = APIClient()
    signed_in.force_authenticate(advocate)
    for outsider in (other, signed_in):
        for url in (job["url"], job["file_url"]):
            response = outsider.get(url)
            assert response.status_code == 404
            assert response.json()["type"] == "client_error"
    anonymous = APIClient()
    assert anonymous.get(job["url"]).status_code == 401
    assert anonymous.post("/api/v1/exports/", {"format": "csv"}, format="json").status_code == 401


def test_a_bad_format_is_refused_before_any_job(api, api_with_the_key, scenario, jobs):
    response = api.post("/api/v1/exports/", {"format": "xlsx"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "format"
    assert ExportJob.objects.count() == 0


def test_dashboard_scenario_is_loaded(scenario):
    # The fixtures above rely on the dashboard's scenario: six approved reports.
    assert PublicReport.objects.count() == 6
    assert dashboard_data.QUESTION
