"""outputs-figures.py REPO WORK: regenerates the figures of studies 07 and 08 from their committed
reports into WORK, parses the SVGs (xml.etree), checks that every expected series is there with
the number of points the report implies (derived here from the claim ids, independently of the
figure code), and that the regenerated files equal the committed ones (byte for byte, when the
committed SVG was written by the same matplotlib version; otherwise that check is reported and
skipped)."""
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import matplotlib

SVG = "{http://www.w3.org/2000/svg}"
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


def claims(report, pattern):
    rx = re.compile(pattern)
    return [c for c in report["claims"] if rx.fullmatch(c["id"])]


def expected_counts(report, pattern, measured):
    """What a series over these claims must show: an analytic point per claim expected to hold,
    a measured point (with one interval segment) per finite estimate (where the series shows
    estimates: a series of wrong claims only marks their predictions), a cross per wrong claim."""
    cs = claims(report, pattern)
    return {"analytic": sum(1 for c in cs if c["expected"] != "refuted" and not c.get("limit")),
            "measured": sum(1 for c in cs if isinstance(c.get("estimate"), (int, float)))
            if measured else 0,
            "wrong": sum(1 for c in cs if c["expected"] == "refuted" and not c.get("limit"))}


def group_points(g):
    """Points drawn by an artist group: marker uses, else the vertices of its path."""
    uses = g.findall(f".//{SVG}use")
    if uses:
        return len(uses)
    paths = g.findall(f".//{SVG}path")
    if len(paths) != 1:
        return -len(paths)
    return len(re.findall(r"[ML]\s", paths[0].get("d", "")))


def check(repo, work, name, series):
    report = json.load(open(os.path.join(repo, "results", name + ".json")))
    path = os.path.join(work, "figures", name + ".svg")
    root = ET.parse(path).getroot()  # raises if the SVG does not parse
    groups = {g.get("id"): g for g in root.iter(f"{SVG}g") if g.get("id")}
    texts = " ".join("".join(t.itertext()) for t in root.iter(f"{SVG}text"))
    if f"Study {report['study']['id']}" not in texts:
        fail(f"{name}: the title 'Study {report['study']['id']}' is not in the SVG text")
    for key, pattern in series.items():
        measured = not pattern.startswith("!")
        pattern = pattern.lstrip("!")
        want = expected_counts(report, pattern, measured)
        if not claims(report, pattern):
            fail(f"{name}: series {key} ({pattern}) matches no claim of the report")
        for role, n in want.items():
            gid = f"{name}:{key}:{role}"
            if n == 0:
                if gid in groups:
                    fail(f"{name}: {gid} drawn, but the report has no such claim")
                continue
            if gid not in groups:
                fail(f"{name}: series {gid} missing from the SVG")
                continue
            got = group_points(groups[gid])
            if got != n:
                fail(f"{name}: {gid} has {got} points, the report implies {n}")
        iv = groups.get(f"{name}:{key}:interval")
        if want["measured"] and iv is not None:
            segs = len(iv.findall(f"{SVG}path"))
            if segs != want["measured"]:
                fail(f"{name}: {key}: {segs} interval segments for {want['measured']} estimates")
        elif want["measured"]:
            fail(f"{name}: {key}: no interval bars")
        elif iv is not None:
            fail(f"{name}: {key}: interval bars without estimates")
    print(f"{name}: {len(series)} series checked")
    committed = os.path.join(repo, "results", "figures", name + ".svg")
    new, old = open(path, "rb").read(), open(committed, "rb").read()
    version = f"Matplotlib v{matplotlib.__version__},".encode()
    if version not in old:
        print(f"{name}: committed SVG is from another matplotlib than {matplotlib.__version__}: "
              "byte comparison skipped")
    elif new != old:
        fail(f"{name}: regenerated SVG differs from results/figures/{name}.svg "
             "(run scripts/outputs and commit)")


def main(repo, work):
    os.makedirs(work, exist_ok=True)
    cmd = [os.path.join(repo, "scripts", "outputs"), "--out", work, "--only", "figures",
           "--study", "07_xavier_uniform_bound", "--study", "08_he_relu"]
    r = subprocess.run(cmd)
    if r.returncode != 0:
        fail(f"{' '.join(cmd)} exited {r.returncode}")
        return 1
    check(repo, work, "08_he_relu", {
        "he_forward": r"he_forward_layer_\d+",
        "lecun_forward": r"lecun_forward_layer_\d+",
        "lecun_preserves": r"!lecun_preserves_forward_layer_\d+",  # !: predictions only
        "he_fan_in_forward": r"he_fan_in_forward_layer_\d+",
        "leaky_forward": r"leaky_forward_layer_\d+",
        "he_backward": r"he_backward_layer_\d+",
        "he_fan_out_backward": r"he_fan_out_backward_layer_\d+",
    })
    check(repo, work, "07_xavier_uniform_bound", {
        "correct_bound_variance": r"correct_bound_variance_\d+_\d+",
        "printed_bound_variance": r"printed_bound_variance_\d+_\d+",
        "printed_bound_gives_xavier_variance": r"!printed_bound_gives_xavier_variance_\d+_\d+",
        "correct_bound_forward_ratio": r"correct_bound_forward_ratio_\d+_\d+",
        "printed_bound_forward_ratio": r"printed_bound_forward_ratio_\d+_\d+",
    })
    print("outputs-figures:", "FAILED" if failures else "passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
