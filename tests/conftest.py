"""Fixtures for every area: a small gazetteer, one user per role, a helper that files reports
through the services as the people using the tracker would, and the API test client."""

import time
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import caches
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from gazetteer.models import Place
from reports import second_factor, services
from reports.models import Membership, Organization
from reports.roles import Role

# The dashboard's small Kayah scenario (fixture `scenario`), shared by the dashboard and
# download tests.
pytest_plugins = ["tests.dashboard_data"]


def source_fields(source, **changes) -> dict:
    """Every field source_update() takes, as the source has them, with these changes."""
    fields = {field: getattr(source, field) for field in services.SOURCE_FIELDS}
    return fields | changes


def app_code(device: TOTPDevice) -> str:
    """The code the person's authenticator app would show now: the current time step's, or
    the next one's (which the device still accepts) if the current one was already used."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if totp.t() <= device.last_t:
        totp.time += device.step * (device.last_t + 1 - totp.t())
    return f"{totp.token():0{device.digits}d}"


def verify_second_factor(client, user) -> TOTPDevice:
    """Mark the test client's session as having given its second factor, as the verify page
    does (django_otp.login keeps the device's id in the session); the person gets an
    authenticator app first if they have none."""
    device = second_factor.app_device(user) or TOTPDevice.objects.create(
        user=user, name="test app", confirmed=True
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


_plain_force_login = Client.force_login


def force_login_without_second_factor(client, user) -> None:
    """Signed in with the password only: what SecondFactorRequired stops."""
    _plain_force_login(client, user)


@pytest.fixture(autouse=True)
def force_login_completes_the_second_factor(monkeypatch):
    """`client.force_login(moderator)` stands for a person who has finished signing in, which
    for moderators and administrators now includes the second factor: the tests of the pages
    behind it need not each repeat it. Enforcement stays on; tests/web/test_second_factor.py
    signs in without it (force_login_without_second_factor) and through the real pages."""

    def force_login(self, user, backend=None):
        _plain_force_login(self, user, backend)
        if second_factor.is_required(user):
            verify_second_factor(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture(autouse=True)
def no_pages_kept_from_another_test():
    """The pages' cache is kept under the data version, which every test's rolled-back
    database starts again at 1: one test's dashboard must not be served to the next."""
    caches["pages"].clear()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The real hasher is slow by design; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _place(pcode, level, name, parent=None, **extra):
    path = (parent.path if parent else "/") + pcode + "/"
    return Place.objects.create(
        pcode=pcode, admin_level=level, name_en=name, parent=parent, path=path, **extra
    )


@pytest.fixture
def places(db):
    myanmar = _place("MMR", 0, "Myanmar", name_local="မြန်မာ", default_household_size="4.4")
    kayah = _place("MMR002", 1, "Kayah", myanmar, kind="State")
    loikaw_district = _place("MMR002D001", 2, "Loikaw", kayah, kind="District")
    loikaw = _place("MMR002001", 3, "Loikaw", loikaw_district, kind="Township")
    demoso = _place("MMR002002", 3, "Demoso", loikaw_district, kind="Township")
    loikaw_town = _place(
        "MMR002001701",
        4,
        "Loikaw Town",
        loikaw,
        kind="Town",
        name_local="လွိုင်ကော်",
        latitude="19.674240",
        longitude="97.209930",
    )
    return {
        "MMR": myanmar,
        "kayah": kayah,
        "loikaw_district": loikaw_district,
        "loikaw": loikaw,
        "demoso": demoso,
        "loikaw_town": loikaw_town,
    }


@pytest.fixture
def organizations(db):
    return {
        "monitors": Organization.objects.create(name="Loikaw monitors"),
        "relief": Organization.objects.create(name="Demoso relief"),
    }


def _user(username, role, organization=None, **extra):
    user = get_user_model().objects.create_user(
        username=username, email=f"{username}@example.org", password="x-secret-pass-1", **extra
    )
    user.groups.add(Group.objects.get(name=role))
    if organization:
        Membership.objects.create(user=user, organization=organization)
    return get_user_model().objects.get(pk=user.pk)


@pytest.fixture
def field_partner(organizations):
    return _user("partner", Role.FIELD_PARTNER, organizations["monitors"])


@pytest.fixture
def other_partner(organizations):
    return _user("partner2", Role.FIELD_PARTNER, organizations["relief"])


@pytest.fixture
def moderator(db):
    return _user("moderator", Role.MODERATOR, is_staff=True)


@pytest.fixture
def second_moderator(moderator):
    return _user("moderator2", Role.MODERATOR, is_staff=True)


@pytest.fixture
def advocate(db):
    return _user("advocate", Role.ADVOCATE)


@pytest.fixture
def news_source(moderator):
    return services.source_create(
        actor=moderator,
        source_type="news_media",
        name="The Irrawaddy",
        title="Karenni Armed Group Seizes Seven Myanmar Junta Bases Since Saturday",
        url="https://www.irrawaddy.com/",
        published_on=date(2023, 11, 13),
        language="en",
    )


@pytest.fixture
def file_report(places, news_source):
    """file_report(actor, **overrides) -> a draft report with one figure and one source."""

    def make(actor, **overrides):
        fields = dict(
            title="Residents flee Loikaw",
            place=places["loikaw_town"],
            start_date=date(2023, 11, 11),
            end_date=date(2023, 11, 13),
            public_summary="About 35,000 residents left the town.",
            internal_notes="Partner's contact in ward 3.",
            cause="ground_assault",
            tags=["Operation 1111"],
            figures=[dict(metric="newly_displaced", qualifier="approximately", value=35000)],
            sources=[news_source],
        )
        fields.update(overrides)
        return services.report_create(actor=actor, **fields)

    return make


@pytest.fixture
def api(db):
    """The partner API through DRF's test client, anonymous unless a test signs it in
    (tests/api/conftest.py: `api_as_advocate`, `api_with_the_key`)."""
    return APIClient()


@pytest.fixture(autouse=True)
def api_usage_written_at_once(settings):
    # Production writes API usage once a minute per process (reports.api.auth.UsageCounter);
    # tests read it straight after the request.
    from reports.api import auth

    settings.TRACKER_API_USAGE_FLUSH_SECONDS = 0
    yield
    auth.usage.flush()


@pytest.fixture(autouse=True)
def site_language_after_each_test():
    # A request with another language (Accept-Language, the language cookie) leaves it active
    # in the thread; the next test must start in the site's language.
    yield
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def parties(moderator):
    """Two parties to the conflict, as moderators keep them."""
    return {
        "sac": services.party_create(
            actor=moderator, name="Myanmar military", short_name="SAC", kind="state_forces"
        ),
        "kndf": services.party_create(
            actor=moderator,
            name="Karenni Nationalities Defence Force",
            short_name="KNDF",
            kind="resistance",
        ),
    }


@pytest.fixture
def evidence_root(settings, tmp_path):
    """Evidence files go to a temporary directory, never into the repository.

    The directory is returned.
    """
    root = tmp_path / "evidence"
    settings.STORAGES = settings.STORAGES | {
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root), "base_url": None},
        }
    }
    return root
