"""The demonstration data set: real November 2023 reporting from Karenni State, taken through the
real services into every moderation state, and a few invented reports that show the counting
rules at work: a tally covering other reports, a stale stock (what is real and what invented:
docs/domain.md)."""

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from gazetteer.models import Place

from . import services
from .models import Membership, Organization, Report
from .roles import STAFF_ROLES, Role
from .vocabulary import DESTINATION_METRICS

DEMO_PASSWORD = "karenni-demo-2023"  # noqa: S105 - printed on screen; load_demo refuses production
SAMPLE_GAZETTEER = [
    Path(settings.BASE_DIR) / "gazetteer" / "data" / "mimu_sample_village_tracts.csv",
    Path(settings.BASE_DIR) / "gazetteer" / "data" / "mimu_sample_towns.csv",
]

ORGANIZATIONS = {
    "monitors": "Loikaw Community Monitors (demo)",
    "relief": "Demoso Relief Volunteers (demo)",
    "moderation": "Tracker moderation team (demo)",
    "datahub": "Regional Data Hub (demo API partner)",
}


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    organization: str | None
    description: str


ACCOUNTS = [
    DemoAccount("admin", Role.ADMIN, "moderation", "administrator (all rights)"),
    DemoAccount("moderator", Role.MODERATOR, "moderation", "moderator"),
    DemoAccount("partner", Role.FIELD_PARTNER, "monitors", "field partner, Loikaw monitors"),
    DemoAccount("partner2", Role.FIELD_PARTNER, "relief", "field partner, Demoso volunteers"),
    DemoAccount("advocate", Role.ADVOCATE, None, "advocate"),
    DemoAccount("apipartner", Role.API_PARTNER, "datahub", "API partner"),
]

# Demo only, published like DEMO_PASSWORD (load_demo refuses production): the second factor of
# the demo moderator and administrator, so that a new user gets past it without a phone. The key
# goes into any authenticator app, or `manage.py demo_code` prints the current code; the
# recovery codes work once each. A real deployment's keys are made at random on the set-up page.
DEMO_TOTP_KEY = b"karenni-demo-totp-23".hex()
DEMO_RECOVERY_CODES = {
    username: [f"demo{username}{n}" for n in range(1, 6)] for username in ("admin", "moderator")
}

IRRAWADDY = "The Irrawaddy"
KARENNI_MONITOR = "Karenni civilian-harm monitor (demo)"

SOURCES = {
    "irrawaddy_13nov": dict(
        source_type="news_media",
        name=IRRAWADDY,
        language="en",
        published_on=date(2023, 11, 13),
        title="Karenni Armed Group Seizes Seven Myanmar Junta Bases Since Saturday",
    ),
    "irrawaddy_18nov": dict(
        source_type="news_media",
        name=IRRAWADDY,
        language="en",
        published_on=date(2023, 11, 18),
        title="Kayah Resistance Groups Claim Victories Over Myanmar Junta",
    ),
    "irrawaddy_22nov": dict(
        source_type="news_media",
        name=IRRAWADDY,
        language="en",
        published_on=date(2023, 11, 22),
        title="Over 200 Junta Soldiers Killed in 10-Day Battle for Myanmar's Loikaw: KNDF",
    ),
    "kndf_13nov": dict(
        source_type="party_to_conflict",
        language="en",
        published_on=date(2023, 11, 13),
        name="Karenni Nationalities Defence Force (KNDF)",
        title="Statement on the first days of Operation 1111, as quoted by The Irrawaddy",
    ),
    "ucan_15nov": dict(
        source_type="news_media",
        name="Union of Catholic Asian News",
        language="en",
        published_on=date(2023, 11, 15),
        title="Civilians trapped amid fighting in Myanmar's Kayah state",
    ),
    "myanmar_now_10nov": dict(
        source_type="news_media",
        name="Myanmar Now",
        language="en",
        published_on=date(2023, 11, 10),
        url="https://myanmar-now.org/en/news/",
        title="After attacking military target in Karenni State, KNDF and KNPLF announce launch "
        "of 'Operation 1107'",
    ),
    "camp_committee": dict(
        source_type="local_cso",
        name="IDP camp committee near Demoso (demo)",
        language="my",
        published_on=date(2023, 11, 14),
        is_confidential=True,
        title="Arrivals from Loikaw, counted at the camp gate",
    ),
    # Invented, like their reports below: a monitor's two-year tally and the reports inside it,
    # and an old stock figure, to show covering (rule 5), spans (rule 3) and staleness (rule 4).
    "monitor_tally": dict(
        source_type="local_cso",
        name=KARENNI_MONITOR,
        language="en",
        published_on=date(2023, 4, 12),
        title="Civilians killed in Karenni State, February 2021 - March 2023",
    ),
    "monitor_feb2023": dict(
        source_type="local_cso",
        name=KARENNI_MONITOR,
        language="en",
        published_on=date(2023, 3, 6),
        title="Monthly civilian-harm update, February 2023",
    ),
    "monitor_jun2022": dict(
        source_type="local_cso",
        name=KARENNI_MONITOR,
        language="en",
        published_on=date(2022, 6, 20),
        title="Incident note: airstrike near Loikaw, 15 June 2022",
    ),
    "demoso_register": dict(
        source_type="local_cso",
        name="Demoso camp volunteers (demo)",
        language="my",
        published_on=date(2023, 5, 3),
        title="Displaced people sheltering in Demoso Township, camp registers of 30 April 2023",
    ),
}

CONFIDENTIAL_SOURCE_OWNER = {"camp_committee": "partner2"}

LOIKAW_TOWN, LOIKAW_TSP, MESE_TSP, KAYAH = "MMR002001701", "MMR002001", "MMR002007", "MMR002"
DEMOSO_TSP = "MMR002002"

# Each report: who files it, what it says, and the moderation path it takes.
REPORTS = [
    dict(
        key="loikaw_flow_13nov",
        by="partner",
        title="Most of Loikaw's residents flee as Operation 1111 reaches the town",
        place=LOIKAW_TOWN,
        start_date=date(2023, 11, 11),
        end_date=date(2023, 11, 13),
        cause="ground_assault",
        tags=["Operation 1111"],
        sources=["irrawaddy_13nov"],
        public_summary="About 35,000 of Loikaw's roughly 50,000 residents had left the town "
        "after the KNDF urged residents to evacuate temporarily to safe areas.",
        internal_notes="Irrawaddy figure; the town's population of ~50,000 is their estimate.",
        figures=[dict(metric="newly_displaced", qualifier="approximately", value=35000)],
        path=["submit", "approve"],
        event="loikaw_displacement",
    ),
    dict(
        key="loikaw_flow_22nov",
        by="partner",
        title="At least 40,000 displaced from Loikaw in the first ten days of Operation 1111",
        place=LOIKAW_TSP,
        start_date=date(2023, 11, 11),
        end_date=date(2023, 11, 21),
        date_precision="day",
        cause="ground_assault",
        tags=["Operation 1111"],
        sources=["irrawaddy_22nov"],
        public_summary="The Irrawaddy reported that 40,000 of those displaced in Karenni State "
        "since 11 November had fled Loikaw.",
        figures=[dict(metric="newly_displaced", qualifier="at_least", value=40000)],
        path=["submit", "approve"],
        event="loikaw_displacement",
        reference=True,
    ),
    dict(
        key="loikaw_stock_18nov",
        by="partner2",
        title="More than 40,000 people displaced from Loikaw, resistance groups say",
        place=LOIKAW_TSP,
        start_date=date(2023, 11, 18),
        cause="ground_assault",
        tags=["Operation 1111"],
        sources=["irrawaddy_18nov"],
        public_summary="Resistance groups taking part in Operation 1111 said more than 40,000 "
        "people were displaced as of 18 November.",
        internal_notes="A stock (people displaced at that date), not new displacement: do not "
        "add it to the flow reports of the same days.",
        figures=[dict(metric="currently_displaced", qualifier="at_least", value=40000)],
        path=["submit", "approve"],
    ),
    dict(
        key="loikaw_killed_13nov",
        by="partner",
        title="16 civilians killed in the first days of fighting for Loikaw",
        place=LOIKAW_TSP,
        start_date=date(2023, 11, 11),
        end_date=date(2023, 11, 13),
        cause="ground_assault",
        tags=["Operation 1111"],
        sources=["kndf_13nov", "irrawaddy_13nov"],
        public_summary="The KNDF said 16 civilians had died in the fighting by 13 November.",
        internal_notes="Only source is a party to the conflict; keep looking for corroboration.",
        figures=[dict(metric="killed", qualifier="exact", value=16)],
        path=["submit", "approve"],
    ),
    dict(
        key="camp_arrivals_14nov",
        by="partner2",
        title="Families from Loikaw arriving at camps near Demoso",
        place=LOIKAW_TSP,
        start_date=date(2023, 11, 11),
        end_date=date(2023, 11, 14),
        cause="ground_assault",
        tags=["Operation 1111"],
        sources=["camp_committee", "irrawaddy_13nov"],
        public_summary="Camp volunteers counted families arriving from Loikaw during the first "
        "days of the offensive.",
        internal_notes="Likely the same displacement as the Irrawaddy's 35,000: link to the "
        "Loikaw event after review.",
        figures=[
            dict(
                metric="newly_displaced",
                qualifier="range",
                value_min=1500,
                value_max=2000,
                unit="households",
                household_size="4.4",
            )
        ],
        path=["submit"],
    ),
    dict(
        key="loikaw_deaths_18nov",
        by="partner2",
        title="At least 50 dead in the battle for Loikaw",
        place=LOIKAW_TSP,
        start_date=date(2023, 11, 11),
        end_date=date(2023, 11, 18),
        cause="ground_assault",
        tags=["Operation 1111"],
        sources=["irrawaddy_18nov"],
        public_summary="Resistance groups reported at least 50 people dead.",
        figures=[dict(metric="killed", qualifier="at_least", value=50)],
        path=[
            "submit",
            (
                "request_changes",
                "The article says at least 50 people died but not "
                "that they were all civilians. Please check whether combatants are "
                "included, and split the civilian deaths if you can.",
            ),
        ],
    ),
    dict(
        key="ten_days_dead",
        by="partner",
        title="More than 315 killed in ten days of Operation 1111",
        place=KAYAH,
        start_date=date(2023, 11, 11),
        end_date=date(2023, 11, 21),
        cause="ground_assault",
        tags=["Operation 1111"],
        sources=["irrawaddy_22nov"],
        public_summary="More than 315 fighters and civilians died in the first ten days.",
        figures=[dict(metric="killed", qualifier="at_least", value=315)],
        path=[
            "submit",
            (
                "reject",
                "The 315 combines fighters and civilians; this tracker only "
                "counts civilian deaths.",
            ),
        ],
    ),
    dict(
        key="killed_state_duplicate",
        by="partner2",
        title="16 civilians killed in Karenni State",
        place=KAYAH,
        start_date=date(2023, 11, 11),
        end_date=date(2023, 11, 13),
        cause="ground_assault",
        tags=["Operation 1111"],
        sources=["kndf_13nov"],
        public_summary="The KNDF said 16 civilians had died.",
        figures=[dict(metric="killed", qualifier="exact", value=16)],
        path=[
            "submit",
            "approve",
            (
                "retract",
                "Duplicate of the Loikaw township report of the "
                "same 16 deaths, filed at state level.",
            ),
        ],
    ),
    # Invented whole, numbers included (docs/domain.md, "The first deployment"): a monitor's
    # two-year tally for the whole state (rule 3: in no month's total, only beside it; rule 5:
    # it covers the two township reports inside it, which it is never added to).
    dict(
        key="kayah_killed_tally",
        by="partner",
        title="380 civilians killed in Karenni State in the two years after the coup",
        place=KAYAH,
        start_date=date(2021, 2, 1),
        end_date=date(2023, 3, 31),
        date_precision="month",
        sources=["monitor_tally"],
        public_summary="A local monitor counted 380 civilians killed across Karenni State from "
        "February 2021 to March 2023.",
        internal_notes="Invented for the demonstration. A tally over two years: it covers the "
        "township reports of killings inside those dates; do not link it to them as one event.",
        figures=[dict(metric="killed", qualifier="exact", value=380)],
        path=["submit", "approve"],
    ),
    dict(
        key="demoso_killed_feb2023",
        by="partner2",
        title="7 civilians killed by shelling in Demoso Township in February 2023",
        place=DEMOSO_TSP,
        start_date=date(2023, 2, 1),
        date_precision="month",
        cause="artillery",
        sources=["monitor_feb2023"],
        public_summary="The monitor's monthly update counted 7 civilians killed by shelling in "
        "Demoso Township in February 2023.",
        internal_notes="Invented for the demonstration. Inside the two-year state tally.",
        figures=[dict(metric="killed", qualifier="exact", value=7)],
        path=["submit", "approve"],
    ),
    dict(
        key="loikaw_airstrike_jun2022",
        by="partner",
        title="3 civilians killed in an airstrike near Loikaw",
        place=LOIKAW_TSP,
        start_date=date(2022, 6, 15),
        cause="airstrike",
        sources=["monitor_jun2022"],
        public_summary="Three civilians were killed when a village near Loikaw was bombed.",
        internal_notes="Invented for the demonstration. Inside the two-year state tally.",
        figures=[dict(metric="killed", qualifier="exact", value=3)],
        path=["submit", "approve"],
    ),
    # Invented: a stock more than 180 days old at the end of November 2023 (rule 4: stale).
    dict(
        key="demoso_stock_apr2023",
        by="partner2",
        title="About 16,000 displaced people sheltering in Demoso Township",
        place=DEMOSO_TSP,
        start_date=date(2023, 4, 30),
        sources=["demoso_register"],
        public_summary="Camp registers counted about 16,000 displaced people in Demoso Township "
        "at the end of April 2023.",
        internal_notes="Invented for the demonstration. A stock (people displaced at that date); "
        "nobody has counted again since.",
        figures=[dict(metric="currently_displaced", qualifier="approximately", value=16000)],
        path=["submit", "approve"],
    ),
    dict(
        key="trapped_15nov",
        by="partner",
        title="Civilians trapped in Loikaw as roads are blocked",
        place=LOIKAW_TOWN,
        start_date=date(2023, 11, 15),
        cause="ground_assault",
        tags=["Operation 1111"],
        sources=["ucan_15nov"],
        public_summary="Junta troops blocked the roads out of Loikaw, trapping civilians.",
        internal_notes="No number yet: waiting for the parish count before submitting.",
        figures=[],
        path=[],
    ),
    dict(
        key="pan_tein_7nov",
        by="partner",
        title="Operation 1107 begins with an assault at Pan Tein, Mese Township",
        place=MESE_TSP,
        start_date=date(2023, 11, 7),
        cause="airstrike",
        tags=["Operation 1107"],
        sources=["myanmar_now_10nov"],
        public_summary="Resistance forces overran an army outpost at a monastery and school in "
        "Pan Tein village; junta airstrikes followed.",
        internal_notes="Check with our Mese contact whether the airstrikes hit the village.",
        figures=[],
        path=[],
    ),
]

# Where the people of a demo report's displacement figures went, as its sources say (host
# communities): the camp volunteers saw families from Loikaw arrive near Demoso, and the camp
# registers count the displaced sheltering in Demoso Township. The other displacement figures
# do not say where people went ("safe areas"), and stay without a destination.
DESTINATIONS = {
    "camp_arrivals_14nov": DEMOSO_TSP,
    "demoso_stock_apr2023": DEMOSO_TSP,
}


def with_destinations(key: str, figures: list[dict]) -> list[dict]:
    """A demo report's figures with the destination DESTINATIONS gives its displacement
    figures (a gazetteer Place)."""
    pcode = DESTINATIONS.get(key)
    if pcode is None:
        return figures
    place = Place.objects.get(pcode=pcode)
    return [
        {**figure, "destination": place} if figure["metric"] in DESTINATION_METRICS else figure
        for figure in figures
    ]


EVENTS = {
    "loikaw_displacement": dict(
        name="Displacement from Loikaw, Operation 1111 (November 2023)",
        description="Residents of Loikaw fled the fighting that began on 11 November 2023.",
    ),
}


def demo_loaded() -> bool:
    return Organization.objects.filter(name=ORGANIZATIONS["moderation"]).exists()


def _ensure_gazetteer(out) -> None:
    needed = {LOIKAW_TOWN, LOIKAW_TSP, MESE_TSP, DEMOSO_TSP, KAYAH}
    if set(Place.objects.filter(pcode__in=needed).values_list("pcode", flat=True)) == needed:
        return
    from gazetteer.importer import import_files

    with transaction.atomic():
        results = import_files(SAMPLE_GAZETTEER)
        # Places the sample renames may hold approved reports: their public records follow,
        # and the pages kept under the data version.
        services.places_follow_gazetteer_import(results=results)
    for result in results:
        out(f"Gazetteer sample {result.name}: {result.created} places created.")


class DemoConflict(Exception):
    pass


def _create_accounts(organizations) -> dict:
    User = get_user_model()
    taken = sorted(
        User.objects.filter(username__in=[a.username for a in ACCOUNTS]).values_list(
            "username", flat=True
        )
    )
    if taken:
        raise DemoConflict(
            f"The demo needs the user names {', '.join(a.username for a in ACCOUNTS)}, but "
            f"{', '.join(taken)} already exist(s) in this database. Load the demo into a fresh one."
        )
    users = {}
    for account in ACCOUNTS:
        user = User.objects.create_user(
            username=account.username,
            email=f"{account.username}@example.org",
            password=DEMO_PASSWORD,
            first_name=account.description.split(",")[0].capitalize(),
            is_staff=account.role in STAFF_ROLES,
            is_superuser=account.role == Role.ADMIN,
        )
        user.groups.add(Group.objects.get(name=account.role))
        if account.organization:
            Membership.objects.create(user=user, organization=organizations[account.organization])
        users[account.username] = User.objects.get(pk=user.pk)  # fresh permission cache
    return users


def _walk(report: Report, path, actor, moderator) -> None:
    for step in path:
        action, note = (step, "") if isinstance(step, str) else step
        if action == "submit":
            services.report_submit(report=report, actor=actor)
        elif action == "approve":
            services.report_approve(report=report, actor=moderator, note="Checked against source.")
        elif action == "reject":
            services.report_reject(report=report, actor=moderator, reason=note)
        elif action == "request_changes":
            services.report_request_changes(report=report, actor=moderator, message=note)
        elif action == "retract":
            services.report_retract(report=report, actor=moderator, reason=note)
        else:
            raise ValueError(f"unknown demo step {action!r}")


@transaction.atomic
def load_demo(out=print) -> bool:
    """Load the demonstration data once; returns False (and changes nothing) if it is there."""
    if demo_loaded():
        return False
    _ensure_gazetteer(out)
    organizations = {
        key: Organization.objects.create(name=name) for key, name in ORGANIZATIONS.items()
    }
    users = _create_accounts(organizations)
    moderator = users["moderator"]
    # A confidential source is added by the organisation whose monitor knows it (partners may
    # cite only their own organisation's confidential sources); public ones by the moderator.
    sources = {
        key: services.source_create(
            actor=users[CONFIDENTIAL_SOURCE_OWNER[key]]
            if key in CONFIDENTIAL_SOURCE_OWNER
            else moderator,
            **data,
        )
        for key, data in SOURCES.items()
    }
    events = {key: services.event_create(actor=moderator, **data) for key, data in EVENTS.items()}
    places = {p.pcode: p for p in Place.objects.filter(pcode__in={r["place"] for r in REPORTS})}
    for spec in REPORTS:
        spec = dict(spec)
        actor = users[spec.pop("by")]
        path, event_key = spec.pop("path"), spec.pop("event", None)
        is_reference = spec.pop("reference", False)
        spec["figures"] = with_destinations(spec.pop("key"), spec["figures"])
        report = services.report_create(
            actor=actor,
            place=places[spec.pop("place")],
            sources=[sources[key] for key in spec.pop("sources")],
            **spec,
        )
        _walk(report, path, actor, moderator)
        if event_key:
            services.report_link_event(report=report, event=events[event_key], actor=moderator)
            if is_reference:
                for figure in report.figures.all():
                    services.event_set_reference_figure(
                        event=events[event_key], figure=figure, actor=moderator
                    )
    return True


def demo_totp_key_for_typing() -> str:
    from base64 import b32encode

    return b32encode(bytes.fromhex(DEMO_TOTP_KEY)).decode().rstrip("=")


@transaction.atomic
def load_demo_second_factor() -> bool:
    """The demo moderator's and administrator's second factor (the published demo key and
    recovery codes), each made once; False if both have theirs."""
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    made = False
    for user in get_user_model().objects.filter(username__in=DEMO_RECOVERY_CODES):
        if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            TOTPDevice.objects.create(
                user=user, name="demo authenticator app", key=DEMO_TOTP_KEY, confirmed=True
            )
            made = True
        if not StaticDevice.objects.filter(user=user).exists():
            device = StaticDevice.objects.create(user=user, name="recovery codes", confirmed=True)
            StaticToken.objects.bulk_create(
                StaticToken(device=device, token=code)
                for code in DEMO_RECOVERY_CODES[user.get_username()]
            )
            made = True
    return made


# The operations of late 2023 that the demo's harm and displacement followed, as context events
# drawn on the dashboard's timelines, with the demo sources (from ../shared/seeds/) that name
# them. Operation 1027 was fought in northern Shan State (MMR015), which the shipped sample
# gazetteer lacks: there it is placed at the country, with its description saying where.
CONTEXT_EVENTS = [
    dict(
        name="Operation 1027",
        kind="operation",
        start_date=date(2023, 10, 27),
        end_date=None,
        areas=["MMR015", "MMR"],
        description="The Brotherhood Alliance's offensive in northern Shan State, launched on "
        "27 October 2023; Karenni groups announced their operations of November in support of it.",
        sources=["myanmar_now_10nov"],
    ),
    dict(
        name="Operation 1107",
        kind="offensive",
        start_date=date(2023, 11, 7),
        end_date=None,
        areas=[MESE_TSP],
        description="Karenni resistance forces (KNDF, KNPLF, Karenni Army and PDF) captured "
        "Pan Tein in Mese Township on 7 November 2023, the start of an offensive named for "
        "that date, in support of Operation 1027.",
        sources=["myanmar_now_10nov"],
    ),
    dict(
        name="Operation 1111: the first ten days of the battle for Loikaw",
        kind="operation",
        start_date=date(2023, 11, 11),
        end_date=date(2023, 11, 21),
        areas=[LOIKAW_TSP],
        description="Karenni resistance forces launched Operation 1111 on 11 November 2023 to "
        "take Loikaw, Kayah State's capital. The days shown are the ten-day battle reported by "
        "The Irrawaddy on 22 November; the operation went on after them.",
        sources=["irrawaddy_13nov", "kndf_13nov", "irrawaddy_22nov"],
    ),
]


@transaction.atomic
def load_demo_context_events(out=print) -> bool:
    """The demo's context events, each made once (by name) through the service as the demo
    moderator; False (and nothing changed) when all are there or the demo is not loaded."""
    from .models import ContextEvent, Source

    moderator = get_user_model().objects.filter(username="moderator").first()
    if moderator is None:
        return False
    made = False
    for spec in CONTEXT_EVENTS:
        if ContextEvent.objects.filter(name=spec["name"]).exists():
            continue
        area = next(
            (p for code in spec["areas"] if (p := Place.objects.filter(pcode=code).first())),
            None,
        )
        sources = [
            Source.objects.filter(
                name=SOURCES[key]["name"],
                title=SOURCES[key]["title"],
                published_on=SOURCES[key]["published_on"],
            ).first()
            for key in spec["sources"]
        ]
        fields = {k: v for k, v in spec.items() if k not in ("areas", "sources")}
        services.context_event_create(
            actor=moderator, area=area, sources=[s for s in sources if s], **fields
        )
        out(f"Context event {spec['name']!r} added.")
        made = True
    return made


# --- parties to the conflict and alleged perpetrators -------------------------------------------
# As the seeds name them (../shared/seeds/): the military and the Karenni resistance groups of
# Operations 1107 and 1111. Loaded after the reports by its own function, so that a database
# holding the demo from before parties existed gets them too.

PARTIES = [
    dict(
        slug="sac",
        name="Myanmar military (State Administration Council)",
        name_my="တပ်မတော် (နိုင်ငံတော်စီမံအုပ်ချုပ်ရေးကောင်စီ)",
        short_name="SAC",
        kind="state_forces",
        description="The armed forces that seized power in the February 2021 coup; "
        "the seeds call them the junta.",
    ),
    dict(
        slug="kndf",
        name="Karenni Nationalities Defence Force",
        name_my="ကရင်နီအမျိုးသားကာကွယ်ရေးတပ်",
        short_name="KNDF",
        kind="resistance",
        description="Formed in 2021; in November 2023 the most powerful armed organisation in "
        "Karenni State (Myanmar Now).",
    ),
    dict(
        slug="ka",
        name="Karenni Army",
        name_my="ကရင်နီတပ်မတော်",
        short_name="KA",
        kind="resistance",
        description="The armed wing of the Karenni National Progressive Party.",
    ),
    dict(
        slug="knplf",
        name="Karenni National People's Liberation Front",
        short_name="KNPLF",
        kind="resistance",
        description="Took part in Operation 1107 with the KNDF, the Karenni Army and the PDF.",
    ),
    dict(
        slug="pdf",
        name="People's Defence Force",
        name_my="ပြည်သူ့ကာကွယ်ရေးတပ်",
        short_name="PDF",
        kind="resistance",
        description="The armed wing of the National Unity Government.",
    ),
]

# The KNDF's own account of the assault that began Operation 1107 (seed 000, Myanmar Now).
KNDF_STATEMENT_1107 = dict(
    source_type="party_to_conflict",
    name="Karenni Nationalities Defence Force (KNDF)",
    language="en",
    published_on=date(2023, 11, 10),
    title="Operation 1107 began with the battle and capture of Pan Tein, as quoted by Myanmar Now",
)

# (report title, alleged perpetrator, the titles of the report's sources that attribute it)
ATTRIBUTIONS = [
    # Myanmar Now: "Junta airstrikes forced the fighters to withdraw" (a draft report).
    (
        "Operation 1107 begins with an assault at Pan Tein, Mese Township",
        "sac",
        [SOURCES["myanmar_now_10nov"]["title"]],
    ),
    # Invented reports (see above), attributed as their invented monitor would: only the
    # military flies aircraft; the shelling's origin was not known.
    (
        "3 civilians killed in an airstrike near Loikaw",
        "sac",
        [SOURCES["monitor_jun2022"]["title"]],
    ),
    (
        "7 civilians killed by shelling in Demoso Township in February 2023",
        "unknown",
        [SOURCES["monitor_feb2023"]["title"]],
    ),
]


def load_demo_perpetrators(out=print) -> bool:
    """The parties the seeds name, the KNDF as the issuer of its statements, the alleged
    perpetrators of the demo reports the seeds attribute, and one party's claim about itself;
    False (changing nothing) once loaded, or before the demo is."""
    from .models import Party, Source

    if not demo_loaded() or Party.objects.filter(slug="kndf").exists():
        return False
    moderator = get_user_model().objects.get(username="moderator")
    with transaction.atomic():
        parties = {spec["slug"]: services.party_create(actor=moderator, **spec) for spec in PARTIES}
        for source in Source.objects.filter(
            source_type="party_to_conflict", name=KNDF_STATEMENT_1107["name"]
        ):
            fields = {f: getattr(source, f) for f in services.SOURCE_FIELDS}
            services.source_update(actor=moderator, source=source, party=parties["kndf"], **fields)
        for title, perpetrator, attributing in ATTRIBUTIONS:
            report = Report.objects.get(title=title)
            services.report_update(
                report=report,
                actor=moderator,
                perpetrator=perpetrator,
                perpetrator_sources=list(report.sources.filter(title__in=attributing)),
                note="Alleged perpetrator as the source attributes it.",
            )
        _load_claim_about_itself(moderator, parties)
    out(f"Demo parties to the conflict: {', '.join(p['short_name'] for p in PARTIES)}.")
    return True


def _load_claim_about_itself(moderator, parties) -> None:
    """Invented from seed 000, which says the army post the KNDF and its allies assaulted at
    Pan Tein was stationed at a monastery and a school, and that the KNDF claims the assault
    (a party's claim about itself); that the monastery was damaged is invented."""
    partner = get_user_model().objects.get(username="partner")
    statement = services.source_create(
        actor=moderator, party=parties["kndf"], **KNDF_STATEMENT_1107
    )
    report = services.report_create(
        actor=partner,
        title="Monastery damaged in the assault on the army post at Pan Tein",
        place=Place.objects.get(pcode=MESE_TSP),
        start_date=date(2023, 11, 7),
        cause="ground_assault",
        tags=["Operation 1107"],
        sources=[statement],
        perpetrator="kndf",
        perpetrator_sources=[statement],
        public_summary="The KNDF said its forces and their allies assaulted army troops stationed "
        "at a monastery and a school in Pan Tein village, the start of Operation 1107.",
        internal_notes="Invented for the demonstration: the article does not say the monastery "
        "was damaged. The only source is the party claiming the assault.",
        figures=[dict(metric="religious_buildings_damaged", qualifier="exact", value=1)],
    )
    _walk(report, ["submit", "approve"], partner, moderator)
