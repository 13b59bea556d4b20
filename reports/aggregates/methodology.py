"""How the numbers are counted, in plain sentences for the briefing and the methodology pages:
each counting rule of docs/domain.md with one example in numbers, so that a reader can answer
"why is this 40,000 and not 75,000?" from the page alone."""

from datetime import date, timedelta

from django.conf import settings
from django.utils.translation import gettext

from reports.dates import day
from reports.vocabulary import MEASURE, Measure, Metric


def _n(value: int) -> str:
    """Grouped as the pages group numbers ("16,000"), in every language."""
    return f"{value:,}"


def _d(value: date) -> str:
    return day(value)


def stale_days() -> int:
    """The deployment's staleness limit for stock figures, in days (counting rule 4)."""
    return getattr(settings, "TRACKER_STOCK_STALE_DAYS", 180)


def methodology() -> list[str]:
    flows = ", ".join(str(m.label).lower() for m in Metric if MEASURE[m] == Measure.FLOW)
    stocks = ", ".join(str(m.label).lower() for m in Metric if MEASURE[m] == Measure.STOCK)
    return [
        # Rule 1.
        gettext(
            "Only reports a moderator approved are counted; a report that is later retracted "
            "leaves every total."
        ),
        # Rule 2.
        gettext(
            "An event is counted once for each kind of number, however many reports describe "
            "it: moderators link the reports of one event, and a report linked to no event is "
            "its own event. Within an event the reports' figures are different accounts of one "
            "number, never added up: when one source says %(low)s people were newly displaced "
            "and a later one says %(high)s, the event counts %(high)s, with a range of "
            "%(low)s–%(high)s, never %(sum)s."
        )
        % {"low": _n(35000), "high": _n(40000), "sum": _n(75000)},
        gettext(
            "The figure an event counts is the one a moderator marked as its reference; when "
            "none is marked, the most recently published one (the latest publication date among "
            "its report's public sources, or the report's last day when none of them is dated: "
            "a confidential source's date is never read). The others give the event's range."
        ),
        # Rule 3 and "A figure's span".
        gettext(
            "Every figure covers the dates of its report, from the start date to the end date; "
            "a date known only to the week, month or year covers that whole week, month or year. "
            "A figure counts in a period only when all its dates lie inside it: a monitor's "
            "tally of %(tally)s civilians killed from 1 February 2021 to 31 March 2023 is not "
            "part of the total for February 2023, which counts only the figures within that "
            "month, such as a township's %(month)s killed in it. The tally is shown beside that "
            "total as 'spanning beyond' the "
            "period, with its own dates and evidence, and it counts in any period that holds "
            "all of its dates, such as 2021 to 2023."
        )
        % {"tally": _n(380), "month": _n(7)},
        gettext(
            "Flows (%(flows)s) are added up over the period asked. In a series by week, month, "
            "quarter or year, each row counts the figures that fit inside it, and a figure "
            "longer than one row (the two-year tally of %(tally)s) is shown on a line of its "
            "own under the series: the rows and those lines add up to the total."
        )
        % {"flows": flows, "tally": _n(380)},
        # Rule 4.
        gettext(
            "Stocks (%(stocks)s) are never added up over time: for each place, the latest "
            "figure on or before the end of the period stands, and the total says the date of "
            "the figures standing ('as of %(as_of)s'); a figure known only to the month, such "
            "as 'November 2023', stands as of the month's last day. A figure more than "
            "%(days)s days old at "
            "the end of the period is marked stale, never passed off as current: %(value)s "
            "people displaced as of %(old)s is stale at %(end)s."
        )
        % {
            "stocks": stocks,
            "as_of": _d(date(2023, 11, 18)),
            "days": _n(stale_days()),
            "value": _n(16000),
            "old": _d(date(2023, 11, 30) - timedelta(days=stale_days() + 30)),
            "end": _d(date(2023, 11, 30)),
        },
        gettext(
            "For stocks, a figure for an area and figures for places within it are never added: "
            "they count the same people. A figure of %(state)s for a whole state as of "
            "1 December replaces a township's %(township)s as of 1 November. A township's "
            "%(township)s as of 1 December does not set aside the state's %(state)s as of "
            "1 November: it says nothing of the rest of the state, so the state's figure stands, "
            "with its own date, until the figures within it are newer and add up to more than "
            "it (%(more)s, say). On the same date the state-wide figure wins."
        )
        % {"state": _n(90000), "township": _n(12000), "more": _n(95000)},
        # Rule 5.
        gettext(
            "A figure that covers others is never added to them. It covers another figure of "
            "the same kind when its place contains the other's place and its dates contain the "
            "other's dates: %(national)s newly displaced nationwide since 27 October covers a "
            "township's %(township)s in November, so the Myanmar total is %(national)s, not "
            "%(sum)s. In the breakdown by area the township's row shows %(township)s and "
            "'unspecified within Myanmar' the remaining %(rest)s. When the figures it covers "
            "add up to more than it, their sum counts and it adds nothing. When one of them is "
            "'at least', what remains has no floor: were the township's 'at least %(township)s', "
            "the rest would read %(rest)s (range 0–%(rest)s)."
        )
        % {
            "national": _n(335000),
            "township": _n(2000),
            "sum": _n(337000),
            "rest": _n(333000),
        },
        gettext(
            "Covering is decided between the figures events count. Two figures for the same "
            "place and the same dates do not cover each other: they count as two events unless "
            "a moderator links them into one. A moderator can mark two figures as separate when "
            "a source says one leaves the other out; both are then added: if the nationwide "
            "%(national)s excludes that township, the total is %(sum)s."
        )
        % {"national": _n(335000), "sum": _n(337000)},
        # Rule 6.
        gettext(
            "A figure for a whole area is never spread over the places within it: if a state "
            "reports %(state)s civilians killed in March and its townships' own reports inside "
            "it add up to %(townships)s, a breakdown by township shows those townships' rows "
            "(%(townships)s in all) and 'unspecified within' the state for the remaining "
            "%(rest)s."
        )
        % {"state": _n(120), "townships": _n(20), "rest": _n(100)},
        # Rule 7.
        gettext(
            "Every total is a best estimate with a low–high range. The low adds up, event by "
            "event, the lowest figure the event's approved reports give, and the high the "
            "highest, so disagreement between sources shows in the total: an event reported as "
            "%(a_low)s and %(a_high)s and another reported as %(b)s give %(best)s, with a range "
            "of %(low)s–%(high)s."
        )
        % {
            "a_low": _n(35000),
            "a_high": _n(40000),
            "b": _n(2000),
            "best": _n(42000),
            "low": _n(37000),
            "high": _n(42000),
        },
        gettext(
            "A figure given as a range counts from its minimum to its maximum, with the "
            "midpoint (rounded down) as its best estimate, and households are converted to "
            "people with the household size the report gave, or the country's default: "
            "%(h_min)s–%(h_max)s households of %(size)s people count as %(p_min)s–%(p_max)s "
            "people, best %(p_best)s."
        )
        % {
            "h_min": _n(1500),
            "h_max": _n(2000),
            "size": "4.4",
            "p_min": _n(6600),
            "p_max": _n(8800),
            "p_best": _n(7700),
        },
        gettext(
            "A qualifier is never dropped. A total that rests on an 'at least' figure is itself "
            "'at least', with no upper bound: at least %(at_least)s plus %(other)s is at least "
            "%(sum)s. A total that rests on an 'approximately' figure is approximate. An 'at "
            "most %(at_most)s' figure counts %(at_most)s as its best estimate, with a low of 0, "
            "and a total that rests on it is itself 'at most': at most %(at_most)s plus "
            "%(exact)s is at most %(at_most_sum)s, from %(exact)s."
        )
        % {
            "at_least": _n(40000),
            "other": _n(2000),
            "sum": _n(42000),
            "at_most": _n(50),
            "exact": _n(12),
            "at_most_sum": _n(62),
        },
        # Rules 7 and 8, and the protection of confidential sources.
        gettext(
            "Each total says how many events, approved reports and sources stand behind it. A "
            "confidential source is counted once for each report that cites it, so that no "
            "count tells whether two reports rest on the same confidential source: one "
            "confidential source cited by %(reports)s reports counts as %(reports)s sources."
        )
        % {"reports": _n(2)},
        gettext(
            "Filters by cause, tag, source type or event choose the evidence first: only "
            "figures of reports that match take part, and each event is then counted as above."
        ),
        # Rules 8 and 9.
        gettext(
            "Stored numbers are never rounded: a page may show %(exact)s rounded for display, "
            "but the downloads and the API give %(exact)s. The page, the downloads and the API "
            "give the same numbers for the same question, because one counting engine makes "
            "them all."
        )
        % {"exact": _n(40123)},
    ]
