# ruff: noqa: E501  (word lists read best one alternation a line)
"""The words the extractor reads, in one place so that a moderator or a translator can check
them: what a number counts (people, households, buildings, combatants), what happened to them,
why (cause), who did it (perpetrator) and who said so (source). English patterns are regular
expressions matched case-insensitively unless noted; Burmese ones are plain alternations."""

from reports.vocabulary import Cause, Metric, SourceType

# --- What a number counts ---------------------------------------------------------------------
PEOPLE = r"(?:civilians?|people|persons?|residents?|villagers?|children|child|women|woman|men|man|girls?|boys?|students?|teachers?|farmers?|elderly|IDPs?|refugees?|individuals?|inhabitants|locals|family members|worshippers|patients|monks?|nuns?|victims?|mothers?|fathers?|daughters?|sons?|internally displaced)"
HOUSEHOLDS = r"(?:households?|families|family)"
HOMES = r"(?:houses?|homes?|buildings?|dwellings?|residences?|structures?|shops?|huts?)"
SCHOOLS = r"(?:schools?)"
RELIGIOUS = r"(?:churche?s?|monaster(?:y|ies)|temples?|mosques?|pagodas?|religious buildings?)"
HEALTH = r"(?:hospitals?|clinics?|health (?:centres?|centers?|facilities|facility))"
COMBATANTS = r"(?:(?:junta|regime|military|army|government|SAC|resistance|KNDF|KA|KNPLF|PDF|BGF|enemy|Karenni)?\s?(?:troops?|soldiers?|fighters?|combatants?|militiamen|militia|members|forces|personnel|police(?:men)?|officers?|commanders?|prisoners of war|POWs?|defectors?|rebels?|insurgents?|revolutionaries|comrades)|PDFs?)"
# Up to four words between a number and what it counts ("27 more houses", "5 Karenni civilians").
NOUN_WINDOW = r"(?:\s+(?:[a-zA-Z’'-]+\s+){0,4}?)"
# "315 fighters and civilians": one figure over both, never proposed as civilian harm.
CIVILIANS_AND_COMBATANTS = r"\b(?:fighters|soldiers|troops|combatants)\s+and\s+civilians\b|\bcivilians\s+and\s+(?:fighters|soldiers|troops|combatants)\b"
# "including two children", "of whom 3 were women": a part of a figure already counted.
PART_OF = r"(?:including|among them|among whom|of whom|of them|of which)\s+$"

# --- What happened to them ----------------------------------------------------------------------
METRIC_WORDS = [
    (
        Metric.KILLED,
        r"\bkill(?:ed|ing)?\b|\bdied\b|\bdead\b|\bdeaths?\b|death toll|lost their lives|massacred|executed|\bslain\b|fatalit",
    ),
    (Metric.INJURED, r"\binjur(?:ed|ies|y|ing)\b|\bwounded\b|\bhurt\b"),
    (
        Metric.DETAINED,
        r"\barrest(?:ed|s|ing)?\b|\bdetain(?:ed|s|ing)?\b|\babduct(?:ed|ions?|ing)?\b|\bkidnapp?ed\b|\btaken away\b|\bdetention\b",
    ),
    (Metric.RETURNED, r"\breturned\b|\bwent back\b|\bcame back\b"),
    (
        Metric.CURRENTLY_DISPLACED,
        r"\bsheltering\b|\btaking shelter\b|\bIDPs?\b|\bdisplacement sites?\b|\bin (?:IDP )?camps\b|\bremain displaced\b",
    ),
    (
        Metric.NEWLY_DISPLACED,
        r"\bfled\b|\bflee(?:ing)?\b|\bdisplaced\b|\bdisplacement\b|\bevacuated\b|\buprooted\b|\bforced (?:to leave|from)\b|\bescaped\b|\bleft (?:the|their)\b|\bhave left\b",
    ),
]
# A displaced figure is a stock (people currently displaced) when the sentence says where they
# are now, a flow (newly displaced) when it says they fled.
STOCK = r"\b(?:are|remain|remained|still|currently|now)\s+(?:\w+\s+)?(?:displaced|sheltering|living in|in (?:displacement|camps|shelters))|\bremain in\b|\bdisplacement sites\b|\bIDP camps?\b|\bsheltering\b|\btaking shelter\b"
STRUCTURE_DAMAGE = r"\bburn(?:ed|t|ing)\b|\btorched\b|\bdestroy(?:ed|ing)?\b|\brazed\b|set (?:on )?fire|\bset alight\b|\bdamaged\b|\barson\b"
STRUCTURE_METRIC = [
    (SCHOOLS, Metric.SCHOOLS_DAMAGED),
    (RELIGIOUS, Metric.RELIGIOUS_BUILDINGS_DAMAGED),
    (HEALTH, Metric.HEALTH_FACILITIES_DAMAGED),
    (HOMES, Metric.HOMES_DESTROYED),
]

# Burmese. Killed: သေဆုံး, ကျဆုံး, အသက်ဆုံးရှုံး; injured: ဒဏ်ရာရ; displaced: စစ်ဘေးရှောင်,
# အိုးအိမ်စွန့်ခွာ, ထွက်ပြေး; burned: မီးရှို့; arrested: ဖမ်းဆီး.
MY_METRIC_WORDS = [
    (Metric.KILLED, "သေဆုံး|ကျဆုံး|အသက်ဆုံးရှုံး|သတ်ဖြတ်|အသတ်ခံ"),
    (Metric.INJURED, "ဒဏ်ရာ"),
    (Metric.DETAINED, "ဖမ်းဆီး|ဖမ်းခေါ်|ပြန်ပေးဆွဲ"),
    (Metric.RETURNED, "ပြန်လာ|ပြန်ဝင်"),
    (Metric.NEWLY_DISPLACED, "ထွက်ပြေး|အိုးအိမ်စွန့်ခွာ|စစ်ဘေးရှောင်|ရှောင်တိမ်း"),
    (Metric.HOMES_DESTROYED, "မီးရှို့|မီးလောင်|ဖျက်ဆီး|ပျက်စီး"),
]
MY_FLED = "ထွက်ပြေး|စွန့်ခွာ|ရှောင်တိမ်း"
MY_NOW = "ယခု|လက်ရှိ|ရှိနေ"
MY_HOMES = "အိမ်|အဆောက်အအုံ"
MY_HOUSEHOLDS = "အိမ်ခြေ|အိမ်ထောင်စု|မိသားစု"
MY_SCHOOLS = "စာသင်ကျောင်း|ကျောင်း"
MY_RELIGIOUS = "ဘုရားကျောင်း|ချာ့ချ်|ဘုန်းကြီးကျောင်း|ဘုရား"
MY_HEALTH = "ဆေးရုံ|ဆေးခန်း"
MY_COMBATANTS = "စစ်သား|စစ်သည်|တပ်ဖွဲ့ဝင်|တပ်သား|ရဲဘော်|စစ်ကောင်စီတပ်|ပကဖ|စစ်ကြောင်း"
MY_PART_OF = "အပါအဝင်"

# --- Numbers that are never figures ---------------------------------------------------------------
# Operation 1027, Battalion 606, "aged 45", "in 10 villages", "since 27": a number after these
# counts something else, unless a people or building word follows it at once.
LABEL_BEFORE = r"\b(?:Operation|Battalion|Brigade|Division|Regiment|No\.|Number|LIB|IB|Column|Command|Route|Highway|Road|Mile|aged|age|ages|Ward|Block|Camp|Unit|at|since|in|of|by|on|from|until)\s*$"
# 80 percent, 14-year-old, 10 a.m., 5 km, 243 attacks, 10 days...
LABEL_AFTER = r"^(?:\s?%|\s?percent|\s?per cent|-year-old|\s?years? old|\s?(?:am|pm|a\.m\.|p\.m\.|o'clock)\b|\s?(?:km|kilomet|miles?|mm|kg|rounds|kyat|baht|dollars?|USD|MMK|\$|acres?|weapons?|guns?|rifles?|bombs?|shells?|attacks?|times|hours?|days?|weeks?|months?|years?|minutes?|outposts?|bases?|positions?|camps?|battalions?|trucks?|vehicles?|jets?|drones?|percent|of the\b|of them\b))"
MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?"
# "a church", "a 60-year-old farmer": one, where a harm word says what happened to it.
ONE = r"\b(?:an?|one)\s+(?:(?:\d+-year-old|young|old|elderly|local|Catholic|Baptist|Buddhist|village|pregnant|disabled)\s+)?"

# --- Cause or means ---------------------------------------------------------------------------
CAUSE_WORDS = [
    (Cause.DRONE_STRIKE, r"\bdrones?\b|ဒရုန်း"),
    (
        Cause.AIRSTRIKE,
        r"\bair ?strikes?\b|\bairstrike|\bair raids?\b|\bbomb(?:ed|ing|s)?\b|\bjets?\b|\baircraft\b|လေကြောင်း|လေယာဉ်|ဗုံးကြဲ",
    ),
    (
        Cause.ARTILLERY,
        r"\bshell(?:ed|ing|s)?\b|\bartillery\b|\bmortars?\b|\bheavy weapons?\b|လက်နက်ကြီး|အမြောက်",
    ),
    (Cause.LANDMINE, r"\b(?:land)?mines?\b|\bexplosive remnants?\b|\bIEDs?\b|\bunexploded\b|မိုင်း"),
    (
        Cause.ARSON,
        r"\bburn(?:ed|t|ing)?\b|\btorched\b|\barson\b|set (?:on )?fire|\bset alight\b|မီးရှို့",
    ),
    (Cause.RAID, r"\braid(?:ed|s)?\b|\bstormed\b|စီးနင်း"),
    (Cause.ARBITRARY_ARREST, r"\barrest(?:ed|s)?\b|\bdetain(?:ed)?\b|\babduct(?:ed)?\b|ဖမ်းဆီး|ဖမ်း"),
    (Cause.FORCED_EVICTION, r"\bevict(?:ed|ion)\b|\bordered to leave\b"),
    (
        Cause.GROUND_ASSAULT,
        r"\bclash(?:es)?\b|\bfighting\b|\bbattles?\b|\boffensive\b|\bground assault\b|\bassault\b|\bshot\b|\bgunfire\b|တိုက်ပွဲ|ပစ်ခတ်",
    ),
]

# --- Who did it ----------------------------------------------------------------------------------
# Each group of words names one party; the moderators' Party list (reports.models.Party) is
# matched by these keys against its short name and name.
PERPETRATORS = [
    (
        "SAC",
        r"\bjunta\b|\bregime\b|\bmilitary\b|\bTatmadaw\b|\bSAC\b|\bMyanmar army\b|\barmy\b|စစ်ကောင်စီ|စစ်တပ်|စကစ",
    ),
    ("KNDF", r"\bKNDF\b|Karenni Nationalities Defen[cs]e Force"),
    ("KNPLF", r"\bKNPLF\b|Karenni National People’?'?s Liberation Front"),
    ("KA", r"\bKA\b|\bKarenni Army\b"),
    ("BGF", r"\bBGF\b|Border Guard Force"),
    ("PDF", r"\bPDFs?\b|People’?'?s Defen[cs]e Forces?|ပကဖ"),
]
# The party is the agent: "by the junta", "junta airstrikes", "the military shelled".
AGENT = r"(?:by|from)\s+(?:the\s+)?(?:{p})|(?:{p})(?:\s+(?:troops|soldiers|forces|fighters|army|military|column|units?))?\s+(?:airstrikes?|air strikes?|shelling|drones?|jets?|attacks?|raids?|arrested|killed|shelled|bombed|burned|torched|raided|detained|abducted|attacked|fired|set fire)|(?:{p})(?:’s|'s)?\s+(?:air ?strikes?|shelling|attack)|(?:{p})(?:တပ်)?(?:၏|က)"
PARTY_KEYS = {
    "SAC": r"military|junta|tatmadaw|army|SAC|State Administration Council",
}

# --- Who said so ---------------------------------------------------------------------------------
UN_INGO = r"\bUN\b|United Nations|\bOCHA\b|\bUNHCR\b|\bUNICEF\b|\bWFP\b|\bIOM\b|\bICRC\b|Red Cross|\bIDMC\b|Human Rights Watch|Amnesty|\bMSF\b|Doctors Without Borders|\bUNDP\b|\bOHCHR\b"
PARTIES = r"\bKNDF\b|\bKNPLF\b|\bKA\b|\bPDF\b|\bNUG\b|\bjunta\b|\bregime\b|\bmilitary\b|\bSAC\b|\bTatmadaw\b|Karenni Army|Defen[cs]e Force|Liberation Front|state media|Global New Light of Myanmar|National Unity Government|Interim Executive Council|\bIEC\b|spokes(?:person|man|woman)"
MEDIA = r"Irrawaddy|Myanmar Now|\bRFA\b|Radio Free Asia|\bBBC\b|Mizzima|\bDVB\b|Kantarawaddy|Khit Thit|Frontier|Reuters|\bAP\b|\bAFP\b|Myanmar Pressphoto Agency|\bBNI\b|News|Times|Post|Agency"
GOVERNMENT = r"\bgovernment\b|\bministry\b|\bauthorities\b"
CSO = r"group|organi[sz]ation|network|committee|monitor|rights|relief|volunteers|union|association|society|council|foundation|centre|center|youth|women|residents|sources|locals|team|watch"
# An organisation as a text names it: capitalised words ("the Karenni Human Rights Group"), an
# acronym, or "a local rights group".
ORG = r"(?:the\s+)?(?:[A-Z][\w’'&.-]{0,40}(?:\s+(?:of|for|and|the|on)?\s*[A-Z][\w’'&.-]{0,40}){0,7}|a\s+local\s+(?:rights\s+|aid\s+|relief\s+|civil society\s+|monitoring\s+)?(?:group|organi[sz]ation|monitor|network)|local\s+(?:aid\s+|rights\s+)?(?:groups|sources|monitors|residents|volunteers)|(?:junta|military|regime|army)(?:’s|'s)?\s+(?:spokes(?:person|man|woman)|information (?:team|officer)))"
SAYS = r"(?:said|says|reported|reports|told|announced|stated|claimed|estimated|estimates|documented|confirmed|recorded)"
ATTRIBUTIONS = [
    rf"according to\s+({ORG})",
    rf"{SAYS}\s+({ORG})(?=\s*(?:[.,;]|$|\bon\b|\bin\b))",
    rf"({ORG})\s+(?:\w+\s+)?{SAYS}\b",
]
# "the group said": the organisation named before in the paragraph.
SAME_ORG = r"\b(?:the|this) (?:group|organi[sz]ation|monitor|network|agency)\b"
MY_ATTRIBUTION = [
    r"\b([A-Z][A-Za-z]{1,10})\s?(?:၏|က)\s?(?:ပြောကြား|ထုတ်ပြန်|ဖော်ပြ|အစီရင်ခံ|သတင်းထုတ်ပြန်)",
    r"\b([A-Z][A-Za-z]{1,10})\s?(?:၏\s?)?အဆိုအရ",
]
SOURCE_TYPES = [
    (UN_INGO, SourceType.UN_INGO),
    (PARTIES, SourceType.PARTY_TO_CONFLICT),
    (MEDIA, SourceType.NEWS_MEDIA),
    (GOVERNMENT, SourceType.GOVERNMENT),
    (CSO, SourceType.LOCAL_CSO),
]
NOT_ORGANISATIONS = {"he", "she", "they", "it", "we", "i", "a", "the", "residents say", "this"}

# The commonest English words: a Latin-script text without them is not English.
ENGLISH_COMMON = frozenset(
    [
        "the",
        "of",
        "and",
        "to",
        "in",
        "a",
        "is",
        "was",
        "were",
        "are",
        "on",
        "at",
        "by",
        "for",
        "from",
        "with",
        "that",
        "this",
        "said",
        "have",
        "has",
        "had",
        "been",
        "people",
        "killed",
        "were",
        "their",
        "they",
        "it",
        "as",
        "an",
        "or",
        "not",
        "but",
        "after",
        "since",
        "more",
        "than",
        "who",
    ]
)
