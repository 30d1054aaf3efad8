"""outputs-latex.py REPO WORK: the LaTeX fragments of every committed report are current (a
regeneration equals results/latex/), and pdflatex compiles a document that \\input's the macros
and tables of every report; the macros expand to the reports' numbers:
  * \\typeout of \\initlabvalue{NN}{claim}{field} for every claim and field (with \\initlabnum
    redefined to print mantissa e exponent) is compared with the report's values rounded to the
    fragment's 4 significant digits;
  * the per-claim commands (\\initlabNineHeReluFwdGainOne and its [low]/[high]/[analytic]
    fields) are typeset and read back with pdftotext, for a fixed sample of claims (including
    the documented example) and all claims of study 08."""
import filecmp
import json
import math
import os
import re
import shutil
import subprocess
import sys

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


def close(text, value, digits=4):
    """text (m e exponent, as typed out) is value rounded to `digits` significant digits."""
    m = re.fullmatch(r"(-?[0-9.]+)e(-?[0-9]*)", text.strip())
    if not m:
        return False
    got = float(m.group(1)) * (10 ** int(m.group(2)) if m.group(2) else 1.0)
    if value == 0:
        return got == 0
    return abs(got - value) <= 0.51 * 10 ** (math.floor(math.log10(abs(value))) - digits + 1) \
        * (1 + 1e-9)


def run(cmd, cwd, timeout=600):
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout)


def main(repo, work):
    sys.path.insert(0, os.path.join(repo, "scripts", "outputs.d"))
    import latex  # noqa: E402  the generator's naming, to find each claim's command

    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    results = os.path.join(repo, "results")
    reports = [json.load(open(os.path.join(results, f))) for f in sorted(os.listdir(results))
               if re.fullmatch(r"[0-9][0-9]_.*\.json", f)]
    # 1. The committed fragments are what the generator makes of the committed reports.
    r = run([os.path.join(repo, "scripts", "outputs"), "--out", work, "--only", "latex"], repo)
    if r.returncode != 0:
        fail(f"scripts/outputs --only latex exited {r.returncode}: {r.stderr.strip()}")
        return 1
    for rep in reports:
        name = f"{rep['study']['id']}_{rep['study']['slug']}"
        for suffix in (".tex", ".table.tex"):
            new = os.path.join(work, "latex", name + suffix)
            old = os.path.join(results, "latex", name + suffix)
            if not os.path.exists(old):
                fail(f"results/latex/{name}{suffix} missing (run scripts/outputs)")
            elif not filecmp.cmp(new, old, shallow=False):
                fail(f"results/latex/{name}{suffix} is out of date (run scripts/outputs)")
    # 2. A document using every fragment.
    fields = {"estimate": "estimate", "analytic": "analytic", "low": "ci_low",
              "high": "ci_high"}
    sample = []  # (command, claim, report) typeset and read back with pdftotext
    for rep in reports:
        cl = rep["claims"]
        picks = cl if rep["study"]["id"] == "08" else cl[:2] + cl[-2:]
        sample += [(latex.macro_name(rep, c), c, rep) for c in picks]
    if not any(cmd == "initlabNineHeReluFwdGainOne" for cmd, _, _ in sample):
        for rep in reports:
            for c in rep["claims"]:
                if rep["study"]["id"] == "09" and c["id"] == "he_relu_fwd_gain_01":
                    sample.append(("initlabNineHeReluFwdGainOne", c, rep))
    doc = [r"\documentclass{article}", r"\usepackage{array,booktabs,longtable}",
           r"\newcommand\initlabnum[2]{#1e#2}",  # plain numbers, before the fragments
           r"\newcommand\initlabna{NA}"]
    doc += [rf"\input{{{os.path.join(work, 'latex', latex.name_of(rep) + '.tex')}}}"
            for rep in reports]
    doc += [r"\begin{document}", r"\raggedright\small"]
    for rep in reports:
        sid = rep["study"]["id"]
        for c in rep["claims"]:
            for f in fields:
                doc.append(rf"\typeout{{INITLAB|{sid}|\detokenize{{{c['id']}}}|{f}|"
                           rf"\initlabvalue{{{sid}}}{{{c['id']}}}{{{f}}}|}}")
            doc.append(rf"\typeout{{INITLAB|{sid}|\detokenize{{{c['id']}}}|verdict|"
                       rf"\initlabvalue{{{sid}}}{{{c['id']}}}{{verdict}}|}}")
    for i, (cmd, c, rep) in enumerate(sample):
        doc.append(rf"SAMPLE {i}: \{cmd} ; \{cmd}[analytic] ; \{cmd}[low] ; \{cmd}[high] ; "
                   rf"\{cmd}[verdict] .\par")
    doc.append(r"\clearpage")
    doc += [rf"\input{{{os.path.join(work, 'latex', latex.name_of(rep) + '.table.tex')}}}"
            for rep in reports]
    doc.append(r"\end{document}")
    tex = os.path.join(work, "doc.tex")
    open(tex, "w").write("\n".join(doc) + "\n")
    if shutil.which("pdflatex") is None:
        fail("pdflatex not found (scripts/install-deps: texlive-latex-base, "
             "texlive-latex-recommended)")
        return 1
    r = run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"], work)
    if r.returncode != 0:
        tail = "\n".join(r.stdout.splitlines()[-25:])
        fail(f"pdflatex failed:\n{tail}")
        return 1
    log = open(os.path.join(work, "doc.log"), encoding="latin-1").read()
    log = log.replace("\n", "")  # TeX wraps long log lines at 79 characters
    typed = {}
    for m in re.finditer(r"INITLAB\|(\d+)\|([^|]+)\|(\w+)\|([^|]*)\|", log):
        typed[(m.group(1), m.group(2), m.group(3))] = m.group(4)
    checked = 0
    for rep in reports:
        sid = rep["study"]["id"]
        for c in rep["claims"]:
            for f, key in fields.items():
                got = typed.get((sid, c["id"], f))
                v = c.get(key)
                if got is None:
                    fail(f"{sid}/{c['id']}/{f}: not typed out")
                elif v is None or not math.isfinite(v):
                    if got.strip() != "NA":
                        fail(f"{sid}/{c['id']}/{f}: '{got}' for a missing value")
                elif not close(got, v):
                    fail(f"{sid}/{c['id']}/{f}: macro gives '{got}', report {v!r}")
                checked += 1
            if typed.get((sid, c["id"], "verdict")) != c["verdict"]:
                fail(f"{sid}/{c['id']}: verdict macro '{typed.get((sid, c['id'], 'verdict'))}'")
    print(f"outputs-latex: {checked} macro values match the reports (typeout)")
    if shutil.which("pdftotext") is None:
        fail("pdftotext not found (scripts/install-deps: poppler-utils)")
        return 1
    r = run(["pdftotext", "-layout", "doc.pdf", "doc.txt"], work)
    if r.returncode != 0:
        fail(f"pdftotext failed: {r.stderr.strip()}")
        return 1
    txt = open(os.path.join(work, "doc.txt"), encoding="utf-8").read()
    lines = {}
    for m in re.finditer(r"SAMPLE (\d+): (.*?) \.", txt.replace("\n", " ")):
        lines[int(m.group(1))] = [p.strip() for p in m.group(2).split(";")]
    for i, (cmd, c, rep) in enumerate(sample):
        got = lines.get(i)
        if got is None or len(got) != 5:
            fail(f"\\{cmd}: not found in the typeset text ({got})")
            continue
        for text, key in zip(got[:4], ("estimate", "analytic", "ci_low", "ci_high")):
            v = c.get(key)
            if v is None or not math.isfinite(v):
                ok = text == "NA"
            else:
                ok = close(text.replace(" ", ""), v)
            if not ok:
                fail(f"\\{cmd}[{key}] typesets '{text}', report {v!r}")
        if got[4] != c["verdict"]:
            fail(f"\\{cmd}[verdict] typesets '{got[4]}', report {c['verdict']}")
    print(f"outputs-latex: {len(sample)} per-claim commands typeset the reports' numbers")
    pages = re.search(r"Output written on doc.pdf \((\d+) pages", log)
    print(f"outputs-latex: document of {pages.group(1) if pages else '?'} pages compiled")
    print("outputs-latex:", "FAILED" if failures else "passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
