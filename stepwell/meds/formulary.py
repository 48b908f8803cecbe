"""The starter formulary: the medicines an IOP sees most, as data. No Django.

Each drug carries its RxNorm ingredient code (RXCUI) and whether we checked that code
against a source (docs/clinical-sources.md §7): a code we could not check is kept,
marked unverified, shown as such and never sent with the RxNorm system in an export.
`schedule` is the DEA controlled-substance schedule (II–V, "" when not controlled);
`detected_as` is the drug-screen substance a prescribed dose makes positive (an
expected positive, §7); `moud` marks medications for opioid use disorder given by a
treating provider or an opioid treatment program (§7).

A clinic with the full RxNorm release loads it with `stepwell medications load-rxnorm`
(meds/rxnorm.py); the starter list stays the first choice in the picker.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class DrugClass(StrEnum):
    ANTIDEPRESSANT = "antidepressant"
    ANXIOLYTIC = "anxiolytic"
    MOOD_STABILISER = "mood_stabiliser"
    ANTIPSYCHOTIC = "antipsychotic"
    STIMULANT = "stimulant"
    NON_STIMULANT = "non_stimulant"
    HYPNOTIC = "hypnotic"
    ADDICTION = "addiction"
    OTHER = "other"


CLASS_LABELS = {
    DrugClass.ANTIDEPRESSANT: "Antidepressants",
    DrugClass.ANXIOLYTIC: "Anxiolytics",
    DrugClass.MOOD_STABILISER: "Mood stabilisers",
    DrugClass.ANTIPSYCHOTIC: "Antipsychotics",
    DrugClass.STIMULANT: "Stimulants (ADHD)",
    DrugClass.NON_STIMULANT: "Non-stimulants (ADHD)",
    DrugClass.HYPNOTIC: "Hypnotics",
    DrugClass.ADDICTION: "Addiction medicines",
    DrugClass.OTHER: "Other",
}
SCHEDULES = ("II", "III", "IV", "V")
RXNORM_SYSTEM = "http://www.nlm.nih.gov/research/umls/rxnorm"


@dataclass(frozen=True)
class Drug:
    key: str
    name: str
    drug_class: DrugClass
    rxnorm: str | None = None
    verified: bool = False
    schedule: str = ""
    detected_as: str = ""
    moud: str = ""  # "buprenorphine" or "methadone": needs a treating provider or an OTP

    @property
    def controlled(self) -> bool:
        return bool(self.schedule)


def _d(key, name, drug_class, rxnorm, verified, **extra) -> Drug:
    return Drug(key, name, drug_class, rxnorm, verified, **extra)


A, X, M, P = (
    DrugClass.ANTIDEPRESSANT,
    DrugClass.ANXIOLYTIC,
    DrugClass.MOOD_STABILISER,
    DrugClass.ANTIPSYCHOTIC,
)
S, N, H, D = DrugClass.STIMULANT, DrugClass.NON_STIMULANT, DrugClass.HYPNOTIC, DrugClass.ADDICTION
# verified=True: the RXCUI matched CPIC's published drug table, which names each drug by
# its RxNorm ingredient (docs/clinical-sources.md §7). verified=False: from memory.
STARTER: tuple[Drug, ...] = (
    _d("sertraline", "sertraline", A, "36437", True),
    _d("fluoxetine", "fluoxetine", A, "4493", True),
    _d("escitalopram", "escitalopram", A, "321988", True),
    _d("citalopram", "citalopram", A, "2556", True),
    _d("paroxetine", "paroxetine", A, "32937", True),
    _d("fluvoxamine", "fluvoxamine", A, "42355", True),
    _d("venlafaxine", "venlafaxine", A, "39786", True),
    _d("duloxetine", "duloxetine", A, "72625", True),
    _d("bupropion", "bupropion", A, "42347", True),
    _d("mirtazapine", "mirtazapine", A, "15996", True),
    _d("vortioxetine", "vortioxetine", A, "1455099", True),
    _d("trazodone", "trazodone", A, "10737", False),
    _d("amitriptyline", "amitriptyline", A, "704", True),
    _d("nortriptyline", "nortriptyline", A, "7531", True),
    _d("buspirone", "buspirone", X, "1827", False),
    _d("hydroxyzine", "hydroxyzine", X, "5553", False),
    _d("lorazepam", "lorazepam", X, "6470", False, schedule="IV", detected_as="benzodiazepines"),
    _d("clonazepam", "clonazepam", X, "2598", False, schedule="IV", detected_as="benzodiazepines"),
    _d("alprazolam", "alprazolam", X, "596", False, schedule="IV", detected_as="benzodiazepines"),
    _d("diazepam", "diazepam", X, "3322", True, schedule="IV", detected_as="benzodiazepines"),
    _d("propranolol", "propranolol", X, "8787", True),
    _d("lithium", "lithium", M, "6448", False),
    _d("lamotrigine", "lamotrigine", M, "28439", True),
    _d("valproic_acid", "valproic acid", M, "11118", True),
    _d("divalproex", "divalproex sodium", M, "266856", True),
    _d("carbamazepine", "carbamazepine", M, "2002", True),
    _d("oxcarbazepine", "oxcarbazepine", M, "32624", True),
    _d("quetiapine", "quetiapine", P, "51272", False),
    _d("aripiprazole", "aripiprazole", P, "89013", True),
    _d("brexpiprazole", "brexpiprazole", P, "1658314", True),
    _d("olanzapine", "olanzapine", P, "61381", True),
    _d("risperidone", "risperidone", P, "35636", True),
    _d("ziprasidone", "ziprasidone", P, "115698", False),
    _d("lurasidone", "lurasidone", P, "1040028", False),
    _d("haloperidol", "haloperidol", P, "5093", True),
    _d("clozapine", "clozapine", P, "2626", True),
    _d(
        "methylphenidate",
        "methylphenidate",
        S,
        "6901",
        True,
        schedule="II",
        detected_as="methylphenidate",
    ),
    _d("amphetamine", "amphetamine", S, "725", False, schedule="II", detected_as="amphetamines"),
    _d(
        "dextroamphetamine",
        "dextroamphetamine",
        S,
        "3288",
        False,
        schedule="II",
        detected_as="amphetamines",
    ),
    _d(
        "lisdexamfetamine",
        "lisdexamfetamine",
        S,
        "700810",
        False,
        schedule="II",
        detected_as="amphetamines",
    ),
    _d("modafinil", "modafinil", S, "30125", True, schedule="IV"),
    _d("atomoxetine", "atomoxetine", N, "38400", True),
    _d("guanfacine", "guanfacine", N, "40114", False),
    _d("clonidine", "clonidine", N, "2599", False),
    _d("zolpidem", "zolpidem", H, "39993", False, schedule="IV"),
    _d("eszopiclone", "eszopiclone", H, "461016", False, schedule="IV"),
    _d("doxepin", "doxepin", H, "3638", True),
    _d(
        "buprenorphine",
        "buprenorphine",
        D,
        "1819",
        False,
        schedule="III",
        detected_as="buprenorphine",
        moud="buprenorphine",
    ),
    _d(
        "buprenorphine_naloxone",
        "buprenorphine / naloxone",
        D,
        "352364",
        False,
        schedule="III",
        detected_as="buprenorphine",
        moud="buprenorphine",
    ),
    _d(
        "methadone",
        "methadone",
        D,
        "6813",
        True,
        schedule="II",
        detected_as="methadone",
        moud="methadone",
    ),
    _d("naltrexone", "naltrexone (oral)", D, "7243", True),
    _d("naltrexone_er", "naltrexone extended-release injection", D, "7243", True),
    _d("naloxone", "naloxone (overdose reversal)", D, "7242", True),
    _d("acamprosate", "acamprosate", D, "82819", False),
    _d("disulfiram", "disulfiram", D, "3554", False),
    _d("nicotine", "nicotine replacement", D, "7407", True),
    _d("varenicline", "varenicline", D, "591622", False),
    _d("gabapentin", "gabapentin", DrugClass.OTHER, "25480", False),
    _d("prazosin", "prazosin", DrugClass.OTHER, "8629", False),
)
BY_KEY = {drug.key: drug for drug in STARTER}


def starter_drug(key: str) -> Drug | None:
    return BY_KEY.get(key)


def starter_by_rxnorm(code: str) -> Drug | None:
    """The first starter drug with this ingredient code (naltrexone oral and injection
    share one ingredient)."""
    return next((drug for drug in STARTER if drug.rxnorm == code), None)


def search(text: str, limit: int = 20) -> list[Drug]:
    words = text.casefold().split()
    found = [d for d in STARTER if all(w in f"{d.name} {d.key}".casefold() for w in words)]
    return found[:limit]
