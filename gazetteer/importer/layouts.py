"""The gazetteer files' column layouts (MIMU P-code towns and village tracts, OCHA COD-AB),
recognised by their header, and the checks each turns a row into places with."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from ..models import Place

MIMU_GAZETTEER = "MIMU P-code 9.6"
COD_GAZETTEER = "OCHA COD-AB"

MYANMAR_NAME_LOCAL = "မြန်မာ"
TOWNSHIP_WORD_LOCAL = "မြို့နယ်"  # "township", after the name
MYANMAR_STATES = {"Kachin", "Kayah", "Kayin", "Chin", "Mon", "Rakhine", "Shan"}
UNION_TERRITORIES = {"Nay Pyi Taw"}

MIMU_COLUMNS = [
    "SR_Pcode",
    "SR_Name_Eng",
    "District/SAZ_Pcode",
    "District/SAZ_Name_Eng",
    "Tsp_Pcode",
    "Township_Name_Eng",
]
MIMU_TOWN_COLUMNS = ["Town_Pcode", "Town_Name_Eng", "Town_Name_MMR", "Longitude", "Latitude"]
MIMU_VT_COLUMNS = ["VT_Pcode", "Village_Tract_Name_Eng", "Village_Tract_Name_MMR"]

DEEPEST_LEVEL = 4
PCODE_MAX_LENGTH = Place._meta.get_field("pcode").max_length
NAME_MAX_LENGTH = Place._meta.get_field("name_en").max_length
# A P-code ends up inside Place.path, where "/" is the separator.
PCODE_RE = re.compile(r"[A-Za-z0-9_-]+")
COD_PCODE_RE = re.compile(r"ADM(\d+)_PCODE")
COD_LOCAL_NAME_RE = re.compile(r"ADM(\d+)_([A-Z]{2})")
# Zero-width spaces sit at the start of a few Burmese names in MIMU 9.6; they are invisible
# and make "the same name" compare unequal, so they are trimmed along with white space.
EDGE_JUNK_RE = re.compile(r"^[\s\u200b\ufeff]+|[\s\u200b\ufeff]+$")


@dataclass(frozen=True)
class Unit:
    """One place as a row states it. None means "not stated": the row names a place that
    must exist already (an ancestor given by P-code only), or a file without that column."""

    column: str  # the P-code column, for messages
    pcode: str
    level: int
    parent: str | None
    name_en: str | None
    name_local: str | None = None
    kind: str | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    has_point: bool = False


class HeaderError(Exception):
    pass


def _clean(value: str) -> str:
    return EDGE_JUNK_RE.sub("", value)


def _index(header: list[str]) -> dict[str, int]:
    """Column positions by upper-cased name; the first of duplicated columns wins."""
    index: dict[str, int] = {}
    for position, column in enumerate(header):
        index.setdefault(_clean(column).upper(), position)
    return index


def detect_layout(header: list[str]):
    index = _index(header)
    if not any(index):
        raise HeaderError("the header row is blank")
    missing = {
        "MIMU towns": [c for c in MIMU_COLUMNS + MIMU_TOWN_COLUMNS if c.upper() not in index],
        "MIMU village tracts": [
            c for c in MIMU_COLUMNS + MIMU_VT_COLUMNS if c.upper() not in index
        ],
        "OCHA COD-AB": [] if "ADM0_PCODE" in index else ["ADM0_PCODE"],
    }
    if not missing["MIMU towns"]:
        return _MimuLayout(index, town=True)
    if not missing["MIMU village tracts"]:
        return _MimuLayout(index, town=False)
    if not missing["OCHA COD-AB"]:
        return _CodLayout(index)
    raise HeaderError(
        "unknown layout: "
        + ", ".join(f"not {name} (missing {', '.join(cols)})" for name, cols in missing.items())
    )


def _check_pcode(column: str, code: str, problems: list[str]) -> bool:
    if not code:
        problems.append(f"{column} is blank")
    elif len(code) > PCODE_MAX_LENGTH:
        problems.append(f"{column} {code!r} is longer than {PCODE_MAX_LENGTH} characters")
    elif not PCODE_RE.fullmatch(code):
        problems.append(f"{column} {code!r} is not a P-code (letters, digits, '-' and '_' only)")
    else:
        return True
    return False


def _check_name(column: str, name: str, problems: list[str], *, required: bool = True) -> None:
    if required and not name:
        problems.append(f"{column} is blank")
    elif len(name) > NAME_MAX_LENGTH:
        problems.append(f"{column} is longer than {NAME_MAX_LENGTH} characters")


def _check_under(
    column: str, code: str, parent_column: str, parent: str, problems: list[str]
) -> None:
    if code == parent:
        problems.append(f"{column} {code!r} is the same as {parent_column}")
    elif not code.startswith(parent):
        problems.append(f"{column} {code!r} does not start with {parent_column} {parent!r}")


def _parse_point(
    lat_column: str, lat_text: str, lon_column: str, lon_text: str, problems: list[str]
) -> tuple[Decimal | None, Decimal | None]:
    if not lat_text and not lon_text:
        return None, None
    if not lat_text or not lon_text:
        blank, given = (lat_column, lon_column) if not lat_text else (lon_column, lat_column)
        problems.append(f"{blank} is blank but {given} is not")
        return None, None
    point = []
    for column, text, limit in ((lat_column, lat_text, 90), (lon_column, lon_text, 180)):
        try:
            value = Decimal(text)
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite():
            problems.append(f"{column} {text!r} is not a number")
        elif not -limit <= value <= limit:
            problems.append(f"{column} {text} is out of range (-{limit} to {limit})")
        else:
            # The column keeps six decimals (about 0.1 m), more than any gazetteer gives.
            point.append(value.quantize(Decimal("0.000001")))
            continue
        point.append(None)
    return point[0], point[1]


class _MimuLayout:
    """A MIMU P-code file: every row spells out its state/region, district and township."""

    gazetteer = MIMU_GAZETTEER

    def __init__(self, index: dict[str, int], *, town: bool):
        self.index = index
        self.town = town
        own = MIMU_TOWN_COLUMNS if town else MIMU_VT_COLUMNS
        self.own_columns = own[:3]
        self.kind = "Town" if town else "Village tract"

    def units(self, values: list[str]) -> tuple[list[Unit], list[str]]:
        def get(column: str) -> str:
            return _clean(values[self.index[column.upper()]])

        problems: list[str] = []
        own_pcode_col, own_name_col, own_local_col = self.own_columns
        pcode_cols = ["SR_Pcode", "District/SAZ_Pcode", "Tsp_Pcode", own_pcode_col]
        name_cols = ["SR_Name_Eng", "District/SAZ_Name_Eng", "Township_Name_Eng", own_name_col]
        codes = [get(column) for column in pcode_cols]
        names = [get(column) for column in name_cols]
        valid = [
            _check_pcode(col, code, problems) for col, code in zip(pcode_cols, codes, strict=True)
        ]
        for column, name in zip(name_cols, names, strict=True):
            _check_name(column, name, problems)
        local = get(own_local_col)
        _check_name(own_local_col, local, problems, required=False)

        sr, district, township, own = codes
        # What holds for every row of the 9.6 files, checked there: state/region codes start
        # with MMR; district and township codes start with the state/region code (a township
        # code does not contain its district's); a town or village tract code starts with its
        # township's, except the three capital cities (Yangon, Mandalay, Nay Pyi Taw), which
        # span several townships and are coded <state/region>000777.
        if valid[0] and not sr.startswith("MMR"):
            problems.append(f"SR_Pcode {sr!r} does not start with MMR")
        if valid[0] and valid[1]:
            _check_under("District/SAZ_Pcode", district, "SR_Pcode", sr, problems)
        if valid[0] and valid[2]:
            _check_under("Tsp_Pcode", township, "SR_Pcode", sr, problems)
        if valid[2] and valid[3] and not (self.town and own == f"{sr}000777"):
            _check_under(own_pcode_col, own, "Tsp_Pcode", township, problems)

        latitude = longitude = None
        if self.town:
            latitude, longitude = _parse_point(
                "Latitude", get("Latitude"), "Longitude", get("Longitude"), problems
            )
        if problems:
            return [], problems
        sr_name, district_name, township_name, own_name = names
        township_local = None
        if self.town and local and own_name == f"{township_name} Town":
            # MIMU's files give no Burmese name for a township, but a township is named after
            # its seat: "Loikaw Town" (လွိုင်ကော်) is the seat of Loikaw Township, which is
            # လွိုင်ကော်မြို့နယ်. Only the town whose English name is the township's exactly
            # speaks for it (323 of the 9.6 files' 358 townships; the rest stay English).
            township_local = f"{local}{TOWNSHIP_WORD_LOCAL}"
        return [
            Unit("SR_Pcode", sr[:3], 0, None, "Myanmar", MYANMAR_NAME_LOCAL, ""),
            Unit("SR_Pcode", sr, 1, sr[:3], sr_name, None, _state_kind(sr_name)),
            Unit("District/SAZ_Pcode", district, 2, sr, district_name, None,
                 _district_kind(district_name)),
            Unit("Tsp_Pcode", township, 3, district, township_name, township_local,
                 "Township"),
            Unit(own_pcode_col, own, 4, township, own_name, local, self.kind,
                 latitude, longitude, has_point=self.town),
        ], []  # fmt: skip


def _state_kind(name: str) -> str:
    # "Shan (South)", "Bago (East)": MIMU splits some states/regions; the base name decides.
    base = name.split("(")[0].strip()
    if base in UNION_TERRITORIES:
        return "Union Territory"
    return "State" if base in MYANMAR_STATES else "Region"


def _district_kind(name: str) -> str:
    # Only the full words count: "Laukkaing (Kokang SAZ)" and "Mong Maw (Wa SAD)" are
    # districts inside a self-administered area (their MIMU P-codes have D, not S).
    if "Self-Administered Zone" in name:
        return "Self-Administered Zone"
    if "Self-Administered Division" in name:
        return "Self-Administered Division"
    return "District"


class _CodLayout:
    """An OCHA COD-AB tabular file: ADM0_PCODE, ADM0_EN, ... down to the row's own level."""

    gazetteer = COD_GAZETTEER

    def __init__(self, index: dict[str, int]):
        self.index = index
        levels = sorted(int(m[1]) for c in index if (m := COD_PCODE_RE.fullmatch(c)))
        self.deepest = levels[-1]
        if self.deepest > DEEPEST_LEVEL:
            raise HeaderError(
                f"ADM{self.deepest}_PCODE is deeper than admin level {DEEPEST_LEVEL}, "
                "the deepest the tracker stores"
            )
        gaps = [f"ADM{level}_PCODE" for level in range(self.deepest) if level not in levels]
        if f"ADM{self.deepest}_EN" not in index:
            gaps.append(f"ADM{self.deepest}_EN")
        if gaps:
            raise HeaderError(f"COD-AB header is missing {', '.join(gaps)}")
        # The local-script name: the first ADMn_XX column whose two letters are not EN.
        self.local: dict[int, str] = {}
        for column in index:
            m = COD_LOCAL_NAME_RE.fullmatch(column)
            if m and m[2] != "EN":
                self.local.setdefault(int(m[1]), column)
        lat = [c for c in ("LAT", "LATITUDE") if c in index]
        lon = [c for c in ("LON", "LONGITUDE") if c in index]
        if bool(lat) != bool(lon):
            given = (lat or lon)[0]
            raise HeaderError(f"{given} column without a matching {'LON' if lat else 'LAT'}")
        self.point = (lat[0], lon[0]) if lat else None

    def units(self, values: list[str]) -> tuple[list[Unit], list[str]]:
        def get(column: str) -> str:
            return _clean(values[self.index[column]])

        problems: list[str] = []
        units: list[Unit] = []
        codes: list[str | None] = []
        for level in range(self.deepest + 1):
            column = f"ADM{level}_PCODE"
            code = get(column)
            own = level == self.deepest
            codes.append(code if _check_pcode(column, code, problems) else None)
            if codes[level] is None:
                continue
            parent = codes[level - 1] if level else None
            # Myanmar's COD-AB uses MIMU P-codes, where a township's code carries its
            # state/region's but not its district's (MMR002001 is in MMR002D001).
            under = 1 if level == 3 and codes[0] == "MMR" else level - 1
            if level and codes[under]:
                _check_under(column, code, f"ADM{under}_PCODE", codes[under], problems)
            name_column = f"ADM{level}_EN"
            name = get(name_column) if name_column in self.index else ""
            _check_name(name_column, name, problems, required=own)
            local_column = self.local.get(level)
            local = get(local_column) if local_column else None
            if local:
                _check_name(local_column, local, problems, required=False)
            latitude = longitude = None
            if own and self.point:
                lat_col, lon_col = self.point
                latitude, longitude = _parse_point(
                    lat_col, get(lat_col), lon_col, get(lon_col), problems
                )
            if name:
                units.append(
                    Unit(column, code, level, parent, name, local, "", latitude, longitude,
                         has_point=own and self.point is not None)
                )  # fmt: skip
            else:
                # No name: a reference to a place that must exist, in this file or already.
                units.append(Unit(column, code, level, parent, None))
        return (units if not problems else []), problems
