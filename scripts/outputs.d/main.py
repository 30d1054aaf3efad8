"""scripts/outputs: every figure, LaTeX fragment and the index from results/*.json.

usage: scripts/outputs [RESULTS_DIR] [--out DIR] [--study NN_slug]... [--only figures|latex|index]

Reads RESULTS_DIR/NN_slug.json (default: the repository's results/) and writes
DIR/figures/NN_slug*.svg, DIR/latex/NN_slug.tex and NN_slug.table.tex, and DIR/README.md
(DIR defaults to RESULTS_DIR). --study limits figures and LaTeX to the named studies (the index
always lists every report); --only makes one kind of output. Without --study and --only, stale
generated files (of reports that no longer exist) are removed. Exit status 0 on success, 1 if a
report cannot be turned into outputs, 2 on bad usage.
"""
import argparse
import glob
import os
import sys

import figures
import index
import latex
import reports
import specs


def write(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    os.replace(tmp, path)


def figure_files(report):
    name = reports.name_of(report)
    return [name + f.get("suffix", "") + ".svg" for f in specs.FIGURES.get(name, [{}])]


def make_figures(report, out):
    name = reports.name_of(report)
    written = []
    for spec, file in zip(specs.FIGURES.get(name, [None]), figure_files(report)):
        f, _ = (figures.generic_figure(report) if spec is None
                else figures.figure_from_spec(report, spec))
        path = os.path.join(out, "figures", file)
        figures.save(f, path + ".tmp")
        os.replace(path + ".tmp", path)
        written.append(path)
    return written


def make_latex(report, out):
    name = reports.name_of(report)
    paths = [os.path.join(out, "latex", name + ".tex"),
             os.path.join(out, "latex", name + ".table.tex")]
    write(paths[0], latex.macros(report))
    write(paths[1], latex.table(report))
    return paths


def main(argv):
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    p = argparse.ArgumentParser(prog="scripts/outputs", description=__doc__.split("\n")[0])
    p.add_argument("results", nargs="?", default=os.path.join(repo, "results"))
    p.add_argument("--out")
    p.add_argument("--study", action="append", default=[])
    p.add_argument("--only", choices=["figures", "latex", "index"])
    a = p.parse_args(argv)
    out = a.out or a.results
    try:
        all_reports = reports.load_all(a.results)
    except reports.ReportError as e:
        print(f"outputs: {e}", file=sys.stderr)
        return 1
    if not all_reports:
        print(f"outputs: no reports {reports.REPORT_GLOB} in {a.results}", file=sys.stderr)
        return 1
    names = [reports.name_of(r) for r in all_reports]
    unknown = [s for s in a.study if s not in names]
    if unknown:
        print(f"outputs: no report for {', '.join(unknown)} in {a.results}", file=sys.stderr)
        return 2
    chosen = [r for r in all_reports if not a.study or reports.name_of(r) in a.study]
    for sub in ("figures", "latex"):
        os.makedirs(os.path.join(out, sub), exist_ok=True)
    written = []
    try:
        if a.only in (None, "latex"):
            latex.check_names(all_reports)
        for r in chosen:
            if a.only in (None, "figures"):
                written += make_figures(r, out)
            if a.only in (None, "latex"):
                written += make_latex(r, out)
    except (ValueError, KeyError, TypeError) as e:
        print(f"outputs: {reports.name_of(r) if chosen else ''}: {e}", file=sys.stderr)
        return 1
    if latex.unmapped:
        print("outputs: warning: characters without a LaTeX mapping (written as [U+XXXX]): " +
              " ".join(f"U+{ord(c):04X}" for c in sorted(latex.unmapped)), file=sys.stderr)
    if a.only in (None, "index"):
        by_name = {reports.name_of(r): figure_files(r) for r in all_reports}
        path = os.path.join(out, "README.md")
        write(path, index.index(all_reports, lambda n: by_name[n]))
        written.append(path)
    if a.only is None and not a.study:
        keep = {os.path.abspath(w) for w in written}
        for pattern in ("figures/[0-9][0-9]_*.svg", "latex/[0-9][0-9]_*.tex"):
            for old in glob.glob(os.path.join(out, pattern)):
                if os.path.abspath(old) not in keep:
                    os.remove(old)
                    print(f"outputs: removed stale {old}")
    print(f"outputs: {len(chosen)} reports -> {len(written)} files in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
