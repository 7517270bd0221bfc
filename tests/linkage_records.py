"""A small, seeded, UK-shaped population of source records with known duplicates, for training
the matching model in tests (the full generator is hearth.linkage.synthetic)."""

import random
from datetime import date, timedelta
from typing import Any

from mimesis import Address, Person
from mimesis.enums import Gender
from mimesis.locales import Locale

from hearth.lib.identifiers import nhs_check_digit

NICKS = {
    "William": "Bill",
    "Katherine": "Katie",
    "Elizabeth": "Beth",
    "Robert": "Bob",
    "Margaret": "Peggy",
    "Thomas": "Tom",
    "Alexander": "Alex",
    "Rebecca": "Becky",
}


def test_nhs_number(rng: random.Random) -> str:
    """A valid NHS number in the 999 range reserved for test records."""
    while True:
        first = "999" + "".join(str(rng.randrange(10)) for _ in range(6))
        check = nhs_check_digit(first)
        if check is not None:
            return first + str(check)


def _typo(rng: random.Random, s: str) -> str:
    if len(s) < 4:
        return s
    i = rng.randrange(1, len(s) - 1)
    return s[:i] + rng.choice("aeioulnrst") + s[i + 1 :]


def population(n_people: int = 500, seed: int = 7) -> tuple[list[dict[str, Any]], set[tuple]]:
    """(records, true pairs): each person has one to three records from different agencies."""
    rng = random.Random(seed)
    person = Person(Locale.EN_GB, seed=seed)
    address = Address(Locale.EN_GB, seed=seed)
    streets = [f"{address.street_name()} {address.street_suffix()}" for _ in range(80)]
    postcodes = [
        f"{rng.choice(['RH', 'BN', 'GU', 'TN', 'CR'])}{rng.randrange(1, 20)} "
        f"{rng.randrange(10)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
        for _ in range(150)
    ]
    records: list[dict[str, Any]] = []
    truth: set[tuple] = set()
    uid = 0
    for _ in range(n_people):
        sex = rng.choice("MF")
        given = (
            rng.choice(list(NICKS))
            if rng.random() < 0.1
            else person.first_name(gender=Gender.MALE if sex == "M" else Gender.FEMALE)
        )
        base = {
            "given_name": given,
            "middle_names": person.first_name() if rng.random() < 0.5 else "",
            "family_name": person.last_name(),
            "previous_family_names": [],
            "date_of_birth": date(2005, 1, 1) + timedelta(days=rng.randrange(18 * 365)),
            "sex": sex,
            "postcode": rng.choice(postcodes),
            "address": f"{rng.randrange(1, 120)} {rng.choice(streets)}",
            "nhs_number": test_nhs_number(rng),
        }
        ids = []
        for copy in range(rng.choice([1, 2, 2, 3])):
            rec = dict(base, previous_family_names=[])
            if copy:
                r = rng.random()
                if r < 0.15 and given in NICKS:
                    rec["given_name"] = NICKS[given]
                elif r < 0.3:
                    rec["given_name"] = _typo(rng, given)
                if rng.random() < 0.15:
                    rec["family_name"] = _typo(rng, rec["family_name"])
                elif rng.random() < 0.05:
                    rec["previous_family_names"] = [rec["family_name"]]
                    rec["family_name"] = person.last_name()
                dob = rec["date_of_birth"]
                if rng.random() < 0.05 and dob.day <= 12:
                    rec["date_of_birth"] = dob.replace(month=dob.day, day=dob.month)
                elif rng.random() < 0.08:
                    rec["date_of_birth"] = dob.replace(year=dob.year + rng.choice([-1, 1]))
                if rng.random() < 0.05:
                    rec["postcode"] = rng.choice(postcodes)
                    rec["address"] = f"{rng.randrange(1, 120)} {rng.choice(streets)}"
                if rng.random() < 0.4:
                    rec["nhs_number"] = ""
            uid += 1
            rec["unique_id"] = uid
            rec["source_system"] = ["school", "gp", "police"][copy]
            records.append(rec)
            ids.append(uid)
        truth |= {(a, b) for a in ids for b in ids if a < b}
    return records, truth
