"""outputs-index.py REPO WORK: results/README.md equals what scripts/outputs makes of the committed
reports, every report has its committed figures and LaTeX fragments, and the index links only
to files that exist."""
import os
import re
import subprocess
import sys

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


def main(repo, work):
    sys.path.insert(0, os.path.join(repo, "scripts", "outputs.d"))
    import main as outputs  # noqa: E402
    import reports  # noqa: E402

    os.makedirs(work, exist_ok=True)
    r = subprocess.run([os.path.join(repo, "scripts", "outputs"), "--out", work, "--only",
                        "index"])
    if r.returncode != 0:
        fail(f"scripts/outputs --only index exited {r.returncode}")
        return 1
    results = os.path.join(repo, "results")
    new = open(os.path.join(work, "README.md"), encoding="utf-8").read()
    committed = os.path.join(results, "README.md")
    if not os.path.exists(committed):
        fail("results/README.md missing (run scripts/outputs)")
    elif open(committed, encoding="utf-8").read() != new:
        fail("results/README.md is out of date with results/*.json (run scripts/outputs)")
    for rep in reports.load_all(results):
        name = reports.name_of(rep)
        for f in outputs.figure_files(rep):
            if not os.path.exists(os.path.join(results, "figures", f)):
                fail(f"{name}: results/figures/{f} missing")
        for f in (name + ".tex", name + ".table.tex"):
            if not os.path.exists(os.path.join(results, "latex", f)):
                fail(f"{name}: results/latex/{f} missing")
        if f"## {name}" not in new:
            fail(f"{name}: no section in the index")
    for link in re.findall(r"\]\(([^)#]+)\)", new):
        target = os.path.normpath(os.path.join(results, link))
        if not os.path.exists(target):
            fail(f"results/README.md links to {link}, which does not exist")
    print("outputs-index:", "FAILED" if failures else "passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
