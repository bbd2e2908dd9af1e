"""Text normalisation shared by the index and the queries: tokens, light stemming, synonyms, stop words.

Passages and queries go through exactly the same pipeline, so a synonym only has to map both
spellings onto one canonical form ("tyre" and "tire" both become "tire"). Order matters:
stem first, so phrases match every inflection ("jump-starting" and "jump start"), then map
phrases/synonyms, then drop stop words (phrases like "light on the dash" contain stop words).
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[a-z0-9]+")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3})")
_K_SUFFIX = re.compile(r"\b(\d{1,3})k\b")  # "60k miles" is written "60,000 miles" in the manuals
_APOSTROPHE_S = re.compile(r"['\u2019]s\b")
_APOSTROPHE = re.compile(r"['\u2019]")
# A number with its unit is one fact: "12-volt", "12 volt", "12v" and "twelve-volt" are the same
# battery, and none of them is the high-voltage one. The pair becomes one token ("12volt") beside the
# bare unit ("volt"), so the number only ever matches with its unit.
_UNITS: dict[str, str] = {
    "v": "volt",
    "volt": "volt",
    "volts": "volt",
    "kw": "kw",
    "kwh": "kwh",
    "amp": "amp",
    "amps": "amp",
    "psi": "psi",
    "lb": "lb",
    "lbs": "lb",
    "pound": "lb",
    "pounds": "lb",
    "mph": "mph",
    "inch": "inch",
    "inches": "inch",
}
_SMALL_NUMBERS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
_NUMBER_WORDS: dict[str, str] = {
    word: str(value) for value, word in enumerate([*_SMALL_NUMBERS, "eleven", "twelve"])
} | {"twenty": "20", "thirty": "30", "forty": "40", "fifty": "50", "sixty": "60"}
_WITH_UNIT = re.compile(
    r"\b(\d+(?:\.\d+)?|"
    + "|".join(_NUMBER_WORDS)
    + r")\s?-?\s?("
    + "|".join(sorted(_UNITS, key=len, reverse=True))
    + r")\b"
)


def _unit_token(match: re.Match[str]) -> str:
    number = _NUMBER_WORDS.get(match.group(1), match.group(1)).replace(".", "p")
    unit = _UNITS[match.group(2)]
    return f" {number}{unit} {unit} "


_stems: dict[str, str] = {}


def stem(word: str) -> str:
    """A deliberately light suffix stripper: enough to join plural/-ing/-ed forms, never aggressive."""
    found = _stems.get(word)
    if found is not None:
        return found
    result = word
    if len(result) > 3 and result.isalpha():
        if result.endswith("ies") and len(result) > 4:
            result = result[:-3] + "y"
        elif result.endswith("sses") or result.endswith(("ches", "shes", "xes", "zes")):
            result = result[:-2]
        elif result.endswith("s") and not result.endswith(("ss", "us", "is")):
            result = result[:-1]
        if result.endswith("ing") and len(result) > 5:
            result = result[:-3]
        elif result.endswith("ed") and len(result) > 4 and not result.endswith("eed"):
            result = result[:-2]
        elif result.endswith("ation") and len(result) > 6:
            result = result[:-3]
        elif result.endswith("ment") and len(result) > 6:
            result = result[:-4]
        if result.endswith("e") and len(result) > 4:
            result = result[:-1]
        # "stopped" -> "stopp" -> "stop", "cancelled" -> "cancell" -> "cancel"
        if len(result) > 3 and result[-1] == result[-2] and result[-1] not in "aeiou":
            result = result[:-1]
    _stems[word] = result
    return result


def _raw_tokens(text: str) -> list[str]:
    text = text.lower()
    text = _THOUSANDS.sub("", text)
    text = _K_SUFFIX.sub(r"\g<1>000", text)
    text = _APOSTROPHE_S.sub("", text)
    text = _APOSTROPHE.sub("", text)
    text = _WITH_UNIT.sub(_unit_token, text)
    return _WORD.findall(text)


# phrase (as typed) -> canonical replacement (as typed). Both sides are run through the tokenizer
# and stemmer below, so write them in plain English.
_SYNONYMS: dict[str, str] = {
    # spelling and regional variants
    "tyre": "tire",
    "boot": "trunk",
    "bonnet": "hood",
    "petrol": "fuel",
    "gas": "fuel",
    "gasoline": "fuel",
    "liftgate": "tailgate",
    "hatch": "tailgate",
    "tailgate": "tailgate",
    "kms": "miles",
    "dealership": "dealer",
    "appt": "appointment",
    "reschedule": "reschedule move",
    "postpone": "move",
    "ev": "electric",
    "evs": "electric",
    "app": "connect",
    "apps": "connect",
    "application": "connect",
    "heater": "heated",
    "warmer": "heated",
    "heat": "heated",
    "guarantee": "warranty",
    "coverage": "cover",
    "address": "dealer location",
    "a ride": "shuttle",
    "a lift": "shuttle",
    "deal": "offer",
    "deals": "offer",
    "promotion": "offer",
    "promotions": "offer",
    "incentive": "offer",
    "incentives": "offer",
    # chit-chat whose words happen to occur in manuals ("Oil Life", "means")
    "meaning of life": "",
    "how are you": "",
    "good morning": "",
    "good afternoon": "",
    "good evening": "",
    "whats up": "",
    # warning lights
    "light on dash": "warning light",
    "light on the dash": "warning light",
    "light on my dash": "warning light",
    "light on the dashboard": "warning light",
    "light on my dashboard": "warning light",
    "dashboard light": "warning light",
    "dash light": "warning light",
    "warning lamp": "warning light",
    "indicator light": "warning light",
    "symbol on the dash": "warning light",
    "engine light": "check engine light",
    "service engine soon": "check engine light",
    "mil": "check engine light",
    "tpms": "tire pressure",
    "srs": "airbag",
    "air bag": "airbag",
    "anti lock": "abs",
    "antilock": "abs",
    "esc": "traction stability",
    "overheating": "overheating coolant temperature",
    "overheat": "overheating coolant temperature",
    "plug": "plug connector",
    "plug in": "plug",
    "port": "port connector",
    "socket": "connector",
    "phone number": "phone call",
    # phone and infotainment
    "car play": "carplay",
    "android auto": "androidauto",
    "connect my phone": "pair phone",
    "connect phone": "pair phone",
    "sync my phone": "pair phone",
    "link my phone": "pair phone",
    "hook up my phone": "pair phone",
    "iphone": "phone",
    "cellphone": "phone",
    "mobile phone": "phone",
    # driver assistance
    "cruise control": "adaptive cruise",
    "acc": "adaptive cruise",
    "lane assist": "lane keeping",
    "lane keep": "lane keeping",
    "lane centering": "lane keeping",
    "lane departure": "lane keeping",
    "lka": "lane keeping",
    # electric driving and charging
    "regen": "regenerative",
    "one pedal": "one pedal regenerative",
    "how far": "range",
    "on a charge": "range charge",
    "on one charge": "range charge",
    "on a full charge": "range charge",
    "per charge": "range charge",
    "supercharger": "dc fast charging",
    "supercharging": "dc fast charging",
    "dcfc": "dc fast charging",
    "fast charger": "dc fast charging",
    "fast charging": "dc fast charging",
    "level two": "level2",
    "level 2": "level2",
    "l2": "level2",
    "240v": "level2",
    "240 volt": "level2",
    "level one": "level1",
    "level 1": "level1",
    "l1": "level1",
    "120v": "level1",
    "120 volt": "level1",
    "j3400": "nacs",
    "tesla charger": "nacs dc fast charging",
    "tesla supercharger": "nacs dc fast charging",
    "tesla plug": "nacs",
    "tesla connector": "nacs",
    "tesla station": "nacs dc fast charging",
    "ccs1": "ccs",
    "wallbox": "wall charger",
    "wall box": "wall charger",
    "home charger": "home charger wall",
    "home charging": "home charger wall",
    "charge at home": "home charger wall",
    "charge it at home": "home charger wall",
    "household": "home",
    "charging station at home": "home charger wall",
    # hybrids
    "phev": "plug in hybrid",
    "plugin": "plug in",
    # keys
    "fob": "key fob",
    "remote key": "key fob",
    "phone as key": "digital key",
    "phone as a key": "digital key",
    "phone key": "digital key",
    "start remotely": "remote start",
    "start it remotely": "remote start",
    "start my car from": "remote start",
    "warm up": "remote start",
    "lock remotely": "remote lock",
    "unlock remotely": "remote unlock",
    # child seats and seats
    "isofix": "latch child seat",
    "car seat": "child seat",
    "baby seat": "child seat",
    "kid seat": "child seat",
    "booster seat": "child seat",
    "memory seat": "seat memory",
    # sales
    "trade in": "tradein",
    "trading in": "tradein",
    "sell my car": "tradein",
    "part exchange": "tradein",
    "test drive": "testdrive",
    "testdrive": "testdrive",
    "interest rate": "apr",
    "loan": "loan financing",
    "finance": "financing",
    "monthly payment": "payment financing",
    # "how much is a roof rack" asks for a price, "how much can the Dune tow" does not
    "how much": "",
    "how much is": "price",
    "how much are": "price",
    "how much for": "price",
    "how much does": "price",
    "how much do": "price",
    "worth": "value price",
    "how long": "time long",
    "cost": "price",
    "costs": "price",
    # roadside and care
    "broke down": "breakdown roadside",
    "broken down": "breakdown roadside",
    "break down": "breakdown roadside",
    "stranded": "breakdown roadside",
    "wont start": "nostart",
    "will not start": "nostart",
    "doesnt start": "nostart",
    "does not start": "nostart",
    "not starting": "nostart",
    "cant start": "nostart",
    "wont turn on": "nostart",
    "ran out of gas": "fuel delivery roadside",
    "run out of gas": "fuel delivery roadside",
    "out of gas": "fuel delivery roadside",
    "ran out of fuel": "fuel delivery roadside",
    "out of fuel": "fuel delivery roadside",
    "empty tank": "fuel delivery roadside",
    "out of charge": "low charge roadside",
    "ran out of charge": "low charge roadside",
    "dead battery": "jumpstart battery",
    "battery died": "jumpstart battery",
    "battery is dead": "jumpstart battery",
    "nearest dealer": "dealer location address",
    "closest dealer": "dealer location address",
    "dealer near me": "dealer location address",
    "find a dealer": "dealer location address",
    "next service": "maintenance schedule due",
    "service due": "maintenance schedule due",
    "jump start": "jumpstart",
    "jumpstart": "jumpstart",
    "locked out": "lockout",
    "locked my keys": "lockout",
    "lock out": "lockout",
    "complain": "complaint",
    "unhappy": "complaint",
    "escalate": "complaint escalate",
    "speak to a human": "agent person",
    "talk to a human": "agent person",
    "real person": "agent person",
    "representative": "agent person",
    "ota": "software update",
    "over the air": "software update",
    "firmware": "software",
    "subscription": "plan subscription",
    "subscribe": "plan subscription",
    "crossbars": "cross bars",
    "roof rack": "roof rack cross bars",
    "floor mats": "floor mat",
    "floor liners": "floor mat",
    "trailer hitch": "tow hitch",
    "tow bar": "tow hitch",
}

# Words that carry no topic: question scaffolding, pleasantries, and words every passage is about
# ("car", "vehicle", "aurora"). Dropping them keeps "what's the weather" from matching anything.
_STOP_WORDS_TEXT = """
a an the and or but if then so to of in on at by for with from into about as is are was were be been being am
do does did doing done have has had having i me my mine myself we our ours us you your yours he him his she her it
its they them their this that these those there here what whats which who whom whose when where why how can could
should would will shall may might must not no yes please thanks thank hi hello hey just also very really any some
all more most much many get got getting want wanted need needs know tell help like im ive id
dont doesnt didnt cant couldnt wont wouldnt shouldnt isnt arent wasnt werent havent hasnt youre thats theres
ill youll hey um uh well actually maybe guess think wonder wondering question quick anyone someone stuff sir guys
came come comes coming look looks looking looked seem seems seemed show shows showing showed appear appears
appeared happen happens happened happening suddenly today yesterday tonight morning week weird strange say says
said try tried trying give gave put take took find found see saw seen little big lots good great bad sure right
yeah yep nope under wondered curious anybody somebody everything
car cars vehicle vehicles aurora motors up out off over only than too now still again other own same such each
every both few between while after before during because until per via etc ok okay one something anything thing
things way ways go going able lot bit kind sort let lets make sure instead usually typically normally even though wait
"""


def _pipeline(text: str) -> list[str]:
    return [stem(word) for word in _raw_tokens(text)]


_STOP_WORDS: frozenset[str] = frozenset(_pipeline(_STOP_WORDS_TEXT))
_PHRASES: dict[tuple[str, ...], tuple[str, ...]] = {
    tuple(_pipeline(phrase)): tuple(_pipeline(replacement)) for phrase, replacement in _SYNONYMS.items()
}
_PHRASE_STARTS: dict[str, int] = {}
for _phrase in _PHRASES:
    _PHRASE_STARTS[_phrase[0]] = max(_PHRASE_STARTS.get(_phrase[0], 0), len(_phrase))


def tokenize(text: str) -> list[str]:
    """Index terms for `text`: lowercased, stemmed, synonyms mapped, stop words and single letters dropped."""
    words = _pipeline(text)
    terms: list[str] = []
    position = 0
    count = len(words)
    while position < count:
        word = words[position]
        longest = _PHRASE_STARTS.get(word, 0)
        replaced = False
        # longest phrase first, so "level 2" wins over a bare "level"
        for length in range(min(longest, count - position), 0, -1):
            replacement = _PHRASES.get(tuple(words[position : position + length]))
            if replacement is not None:
                terms.extend(replacement)
                position += length
                replaced = True
                break
        if not replaced:
            terms.append(word)
            position += 1
    # Single letters and 1-2 digit numbers ("2+2", "3 years") match everything and mean nothing;
    # years and recall numbers ("2023", "014") have more digits and stay.
    return [term for term in terms if term not in _STOP_WORDS and (len(term) > 2 if term.isdigit() else len(term) > 1)]


# Words that ask for an amount ("how long", "how much time", "the price") or stand for "the thing just
# discussed" ("the repair", "the fix"): after an answer, they add no topic of their own, so "how long
# is the repair?" asks about the passage just cited.
AMOUNT_OR_REFERENT_TERMS: frozenset[str] = frozenset(
    _pipeline("time long price minutes hours days repair fix remedy job work visit process")
)


def is_stop_word(term: str) -> bool:
    """Whether `term` (a token of `tokenize`'s pipeline) carries no topic."""
    return term in _STOP_WORDS


_UNIT_TOKEN = re.compile(r"\d+(?:p\d+)?(?:" + "|".join(sorted(set(_UNITS.values()))) + ")")


def has_unit(term: str) -> bool:
    """A number-with-unit token ("12volt", "9000lb"): the most specific word a question can hold."""
    return _UNIT_TOKEN.fullmatch(term) is not None


def raw_words(text: str) -> list[str]:
    """The words of `text` as typed (lowercased, before stemming and synonyms)."""
    return _raw_tokens(text)


def _typed(text: str) -> list[str]:
    return _WORD.findall(text.lower())


# Words a question is built from that carry no topic, as typed: a misspelling of one ("shoud", "dose")
# is dropped like the word itself rather than read as a rare topic word.
SCAFFOLD_WORDS: frozenset[str] = frozenset(_typed(_STOP_WORDS_TEXT))
# Words the synonym table knows, as typed ("tyre", "regen"): a misspelling of one is that word.
SYNONYM_WORDS: frozenset[str] = frozenset(word for phrase in _SYNONYMS for word in _typed(phrase))


def edit_distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein distance (adjacent swaps count one), or `limit + 1` once it is exceeded."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, 1):
            cost = 0 if char_a == char_b else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]
