"""Geocoding real addresses: accuracy, honesty of precision_m and speed, this geocoder against
the previous one (the hand-drawn gazetteer of git revision ``--old``, default: the last commit
before the real register) in the same run.

Test set, from the shipped register (seeded, so every run draws the same):
- inside: a random 10 % of the district's building-exact addresses (osm2025 and 2013 address
  nodes, whose point is the truth) is held back from the index, then respelled as people write
  (Str./strasse, no umlauts, case, a typo in a quarter of them, a name in front, a postcode
  before or after, "Nr.", "12 A"). Error = distance to the held-back register point.
- elsewhere: 2,000 real addresses of the rest of Leipzig, respelled the same way; counted
  wrong where a geocoder places them inside the district.
- speed: 100,000 respelled addresses without typos (normalised, mostly distinct strings),
  10,000 with typos (fuzzy), each on a cold geocoder, per CPU second (the machine is shared).

The previous geocoder runs from a temporary checkout of ``--old`` in a subprocess (its own
``geo`` package), given the same texts.

"Written as people write" (``bench/people_write.csv``, built by ``bench/people_write.py`` from
open sources, see there): Ortsteil + street, lists and ranges, "Höhe", corners, named places,
and addresses elsewhere in Leipzig with their Ortsteil. Register points at the truth of the
address rows are held back from the index. Compared with ``--today`` (default: the merge base
with main) in the same run: resolved, median / p90 error, right Ortsteil, within precision_m,
elsewhere wrongly placed inside.

Run by hand: ``.venv/bin/python bench/bench_geocode_real.py [--old REV] [--today REV]
[--only people]``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo.boundary import load_boundary
from geo.geocode import Geocoder
from geo.register import Register, load_register

assign_ortsteil = load_boundary().assign_ortsteil  # the shipped Ortsteile

ROOT = Path(__file__).resolve().parent.parent

OLD_REV = "4a46d87"  # main before the real register (hand-drawn gazetteer and Ortsteile)
HOLD_BACK = 0.10
ELSEWHERE = 2_000
SPEED_NORMALISED = 100_000
SPEED_FUZZY = 10_000
NAMES_IN_FRONT = ("Pöge-Haus", "Hausverwaltung Müller", "Kita Sonnenschein", "Hinterhaus",
                  "Imbiss")
UMLAUT_PLAIN = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "Ä": "A", "Ö": "O", "Ü": "U"})
UMLAUT_AE = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe",
                           "Ü": "Ue"})


def _typo(name: str, rng: np.random.Generator) -> str:
    """One keyboard slip in the name: a letter dropped, doubled, swapped or replaced."""
    letters = [i for i, c in enumerate(name) if c.isalpha()]
    i = int(rng.choice(letters[1:-1] if len(letters) > 3 else letters))
    kind = rng.integers(4)
    if kind == 0:
        return name[:i] + name[i + 1:]
    if kind == 1:
        return name[:i] + name[i] + name[i:]
    if kind == 2 and i + 1 < len(name):
        return name[:i] + name[i + 1] + name[i] + name[i + 2:]
    return name[:i] + "eaiourns"[rng.integers(8)] + name[i + 1:]


def respell(street: str, number: str, postcode: str, rng: np.random.Generator,
            typo: bool) -> str:
    """One address as a partner might write it."""
    name = street
    r = rng.random()
    if r < 0.35:
        name = name.replace("straße", "str.").replace("Straße", "Str.")
    elif r < 0.5:
        name = name.replace("straße", "strasse").replace("Straße", "Strasse")
    elif r < 0.6:
        name = name.replace("straße", "str").replace("Straße", "Str")
    r = rng.random()
    if r < 0.15:
        name = name.translate(UMLAUT_AE)
    elif r < 0.25:
        name = name.translate(UMLAUT_PLAIN)
    if rng.random() < 0.15:
        name = name.lower()
    if typo:
        name = _typo(name, rng)
    if number[-1:].isalpha() and rng.random() < 0.5:
        number = f"{number[:-1]} {number[-1].upper()}"
    text = f"{name} {'Nr. ' if rng.random() < 0.05 else ''}{number}"
    r = rng.random()
    if r < 0.25:
        text = f"{text}, {postcode} Leipzig"
    elif r < 0.35:
        text = f"{postcode} Leipzig, {text}"
    elif r < 0.45:
        text = f"{text}, Leipzig"
    if rng.random() < 0.1:
        text = f"{NAMES_IN_FRONT[rng.integers(len(NAMES_IN_FRONT))]}, {text}"
    return text


def test_sets(seed: int = 10) -> tuple[pd.DataFrame, pd.DataFrame, list[int]]:
    """(inside, elsewhere, held-back register rows)."""
    rng = np.random.default_rng(seed)
    addresses = load_register().addresses
    inside = assign_ortsteil(addresses["x"].to_numpy(), addresses["y"].to_numpy()) != None  # noqa: E711
    exact = addresses["source"].isin(["osm2025", "register2013_node"]).to_numpy()
    candidates = np.flatnonzero(inside & exact)
    held = np.sort(rng.choice(candidates, int(len(np.flatnonzero(inside)) * HOLD_BACK),
                              replace=False))
    outside = rng.choice(np.flatnonzero(~inside), ELSEWHERE, replace=False)

    def texts(rows: np.ndarray, typo_share: float) -> pd.DataFrame:
        part = addresses.iloc[rows]
        typos = rng.random(len(part)) < typo_share
        return part.assign(text=[respell(s, h, p, rng, t) for s, h, p, t in zip(
            part["street"], part["housenumber"], part["postcode"], typos, strict=True)],
            typo=typos).reset_index(drop=True)

    return texts(held, 0.25), texts(np.sort(outside), 0.25), held.tolist()


def metrics(result: pd.DataFrame, truth: pd.DataFrame) -> dict:
    placed = result["x"].notna().to_numpy()
    error = np.hypot(result["x"].to_numpy() - truth["x"].to_numpy(),
                     result["y"].to_numpy() - truth["y"].to_numpy())
    ok = placed & np.isfinite(error)
    within = error[ok] <= result["precision_m"].to_numpy()[ok]
    return {"resolved": placed.mean(), "median_m": float(np.median(error[ok])),
            "p90_m": float(np.percentile(error[ok], 90)), "within": float(within.mean()),
            "statuses": result["status"].value_counts(normalize=True).round(3).to_dict()}


def wrongly_inside(result: pd.DataFrame) -> float:
    return float(result["ortsteil"].notna().mean())


def speed(geocoder_factory, texts: list[str]) -> float:
    """Addresses per CPU second on a cold geocoder (CPU time: the machine is shared)."""
    geocoder = geocoder_factory()
    start = time.process_time()
    geocoder.geocode_many(texts)
    return len(texts) / (time.process_time() - start)


_OLD_RUNNER = """
import json, sys, time
import pandas as pd
from geo.geocode import default_geocoder, Geocoder
from geo.boundary import assign_ortsteil
from geo.gazetteer import gazetteer
payload = json.load(open(sys.argv[1]))
out = {}
for name in ("inside", "elsewhere"):
    frame = default_geocoder().geocode_many(payload[name])
    out[name] = frame[["status", "x", "y", "precision_m", "ortsteil"]].to_dict("list")
for name in ("normalised", "fuzzy"):
    g = Geocoder(gazetteer(), assign_ortsteil)
    start = time.process_time()
    g.geocode_many(payload[name])
    out[name + "_per_s"] = len(payload[name]) / (time.process_time() - start)
json.dump(out, open(sys.argv[2], "w"))
"""


def run_old(rev: str, payload: dict) -> dict:
    """The previous geocoder on the same texts, from a temporary checkout of ``rev``."""
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "geo", "reports",
                                  "data"], check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        (Path(tmp) / "in.json").write_text(json.dumps(payload))
        (Path(tmp) / "run.py").write_text(_OLD_RUNNER)
        subprocess.run([sys.executable, "run.py", "in.json", "out.json"], cwd=tmp, check=True,
                       env={"PATH": "/usr/bin:/bin", "PYTHONPATH": tmp})
        out = json.loads((Path(tmp) / "out.json").read_text())
    return {k: pd.DataFrame(v) if isinstance(v, dict) else v for k, v in out.items()}


PEOPLE = ROOT / "bench" / "people_write.csv"
HELD_REACH_M = 1.5  # a register point this close to a truth building is that building's record

_TODAY_RUNNER = """
import json, sys
from geo.geocode import Geocoder
from geo.boundary import load_boundary
from geo.register import load_register
payload = json.load(open(sys.argv[1]))
g = Geocoder(load_register().without(payload["held"]), load_boundary().assign_ortsteil)
frame = g.geocode_many(payload["texts"])
json.dump(frame[["status", "x", "y", "precision_m", "ortsteil"]].to_dict("list"),
          open(sys.argv[2], "w"))
"""


def people_held(register: Register, people: pd.DataFrame) -> list[int]:
    """Register rows at the truth points of the address rows (their own records)."""
    from scipy.spatial import cKDTree

    truth = people.loc[people["kind"].eq("address"), ["x", "y"]].to_numpy()
    xy = register.addresses[["x", "y"]].to_numpy()
    near = cKDTree(truth).query(xy, distance_upper_bound=HELD_REACH_M)[0]
    return np.flatnonzero(np.isfinite(near)).tolist()


def people_metrics(result: pd.DataFrame, people: pd.DataFrame) -> dict:
    here = ~people["kind"].eq("elsewhere").to_numpy()
    placed = result["x"].notna().to_numpy() & here
    error = np.hypot(result["x"].to_numpy() - people["x"].to_numpy(),
                     result["y"].to_numpy() - people["y"].to_numpy())
    truth_ot = assign_ortsteil(people["x"].to_numpy(), people["y"].to_numpy())
    got_ot = result["ortsteil"].to_numpy(object)
    same = np.array([(a if isinstance(a, str) else None) == (b if isinstance(b, str) else None)
                     for a, b in zip(got_ot, truth_ot, strict=True)])
    within = error[placed] <= result["precision_m"].to_numpy()[placed]
    elsewhere = ~here
    return {"resolved": placed.sum() / here.sum(), "median_m": float(np.median(error[placed])),
            "p90_m": float(np.percentile(error[placed], 90)),
            "ortsteil": float(same[here].mean()), "within": float(within.mean()),
            "elsewhere_inside": float(pd.notna(got_ot[elsewhere]).mean())}


def run_today(rev: str, texts: list[str], held: list[int]) -> pd.DataFrame:
    """Today's geocoder (``rev``) on the same texts and the same held-back rows."""
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "geo", "config",
                                  "reports", "data", "pyproject.toml"], check=True,
                                 capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        (Path(tmp) / "in.json").write_text(json.dumps({"texts": texts, "held": held}))
        (Path(tmp) / "run.py").write_text(_TODAY_RUNNER)
        subprocess.run([sys.executable, "run.py", "in.json", "out.json"], cwd=tmp, check=True,
                       env={"PATH": "/usr/bin:/bin", "PYTHONPATH": tmp})
        return pd.DataFrame(json.loads((Path(tmp) / "out.json").read_text()))


def people_table(today_rev: str, path: Path = PEOPLE) -> None:
    people = pd.read_csv(path, dtype={"text": str}, keep_default_na=False)
    register = load_register()
    held = people_held(register, people)
    new = Geocoder(register.without(held), assign_ortsteil).geocode_many(people["text"])
    today = run_today(today_rev, people["text"].tolist(), held)
    kinds = people["kind"].value_counts().to_dict()
    print(f"written as people write: {path.name}, {len(people)} strings {kinds}, "
          f"{len(held)} register rows held back")
    print("| geocoder | resolved | median error m | p90 error m | right Ortsteil "
          "| within precision | elsewhere placed inside |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for label, result in ((f"today ({today_rev})", today), ("this version", new)):
        m = people_metrics(result, people)
        print(f"| {label} | {m['resolved']:.1%} | {m['median_m']:.0f} | {m['p90_m']:.0f} "
              f"| {m['ortsteil']:.1%} | {m['within']:.1%} | {m['elsewhere_inside']:.2%} |")
    for kind in ("address", "corner", "named"):
        rows = people["kind"].eq(kind).to_numpy()
        for label, result in (("today", today), ("this version", new)):
            m = people_metrics(result[rows].reset_index(drop=True),
                               people[rows].reset_index(drop=True))
            print(f"  {kind:8s} {label:12s} resolved {m['resolved']:.1%}, median "
                  f"{m['median_m']:.0f} m, p90 {m['p90_m']:.0f} m, Ortsteil "
                  f"{m['ortsteil']:.1%}, within {m['within']:.1%}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--old", default=OLD_REV, help="git revision of the previous geocoder")
    parser.add_argument("--today", default=None,
                        help="git revision of today's geocoder (default: merge base with main)")
    parser.add_argument("--people", type=Path, default=PEOPLE)
    parser.add_argument("--only", choices=["people"], default=None)
    args = parser.parse_args()
    today = args.today or subprocess.run(
        ["git", "-C", str(ROOT), "merge-base", "HEAD", "main"], check=True,
        capture_output=True, text=True).stdout.strip()[:7]
    people_table(today, args.people)
    if args.only == "people":
        return
    inside, elsewhere, held = test_sets()
    register = load_register()
    start = time.perf_counter()
    new = Geocoder(register.without(held), assign_ortsteil)
    build_s = time.perf_counter() - start
    rng = np.random.default_rng(11)
    sample = register.addresses.sample(SPEED_NORMALISED, replace=True, random_state=12)
    normalised = [respell(s, h, p, rng, False) for s, h, p in zip(
        sample["street"], sample["housenumber"], sample["postcode"], strict=True)]
    fuzzy = [respell(s, h, p, rng, True) for s, h, p in zip(
        sample["street"][:SPEED_FUZZY], sample["housenumber"][:SPEED_FUZZY],
        sample["postcode"][:SPEED_FUZZY], strict=True)]
    rows = {}
    result_new = {"inside": new.geocode_many(inside["text"]),
                  "elsewhere": new.geocode_many(elsewhere["text"]),
                  "normalised_per_s": speed(lambda: Geocoder(register, assign_ortsteil),
                                            normalised),
                  "fuzzy_per_s": speed(lambda: Geocoder(register, assign_ortsteil), fuzzy)}
    result_old = run_old(args.old, {"inside": inside["text"].tolist(),
                                    "elsewhere": elsewhere["text"].tolist(),
                                    "normalised": normalised, "fuzzy": fuzzy})
    for label, result in (("previous (hand-drawn gazetteer)", result_old),
                          ("register (this version)", result_new)):
        m = metrics(result["inside"], inside)
        rows[label] = m | {"elsewhere_inside": wrongly_inside(result["elsewhere"]),
                           "normalised_per_s": result["normalised_per_s"],
                           "fuzzy_per_s": result["fuzzy_per_s"]}
        typo = metrics(result["inside"][inside["typo"].to_numpy()],
                       inside[inside["typo"].to_numpy()])
        rows[label]["typo_resolved"] = typo["resolved"]
    print(f"test set: {len(inside):,} held-back district addresses "
          f"({int(inside['typo'].sum()):,} with a typo), {len(elsewhere):,} elsewhere in "
          f"Leipzig; index built in {build_s:.2f} s")
    print("| geocoder | resolved | with typo resolved | median error m | p90 error m "
          "| within precision | elsewhere placed inside | normalised/s | fuzzy/s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, m in rows.items():
        print(f"| {label} | {m['resolved']:.1%} | {m['typo_resolved']:.1%} "
              f"| {m['median_m']:.0f} | {m['p90_m']:.0f} | {m['within']:.1%} "
              f"| {m['elsewhere_inside']:.2%} | {m['normalised_per_s']:,.0f} "
              f"| {m['fuzzy_per_s']:,.0f} |")
    for label, result in (("previous", result_old), ("register", result_new)):
        shares = result["inside"]["status"].value_counts(normalize=True).round(3).to_dict()
        print(f"statuses {label}: {shares}")


if __name__ == "__main__":
    main()
