"""Reading initlab.report/1 reports and formatting their numbers (shared by figures, LaTeX, index).

Nothing here knows a particular study: code against the schema
(docs/schema/initlab.report-1.schema.json), not against one snapshot of a report.
"""
import glob
import json
import math
import os
import re

SCHEMA = "initlab.report/1"
REPORT_GLOB = "[0-9][0-9]_*.json"


class ReportError(Exception):
    """A report that cannot be turned into outputs (names the file and what is wrong)."""


def name_of(report):
    """NN_slug, the stem shared by the report, its figures and its LaTeX fragment."""
    return f"{report['study']['id']}_{report['study']['slug']}"


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            r = json.load(f)
    except (OSError, ValueError) as e:
        raise ReportError(f"{path}: {e}") from e
    if not isinstance(r, dict) or r.get("schema") != SCHEMA:
        raise ReportError(f"{path}: not an {SCHEMA} report")
    for key in ("study", "settings", "claims", "verdict"):
        if key not in r:
            raise ReportError(f"{path}: no '{key}'")
    stem = os.path.splitext(os.path.basename(path))[0]
    if name_of(r) != stem:
        raise ReportError(f"{path}: study {name_of(r)} does not match the file name")
    return r


def report_paths(results):
    return sorted(glob.glob(os.path.join(results, REPORT_GLOB)))


def load_all(results):
    return [load(p) for p in report_paths(results)]


def finite(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def as_expected(claim):
    return claim.get("as_expected", claim["verdict"] == claim["expected"])


def matching(report, pattern):
    """(match, claim) for every claim whose id fully matches the regex, in report order."""
    rx = re.compile(pattern)
    out = []
    for c in report["claims"]:
        m = rx.fullmatch(c["id"])
        if m:
            out.append((m, c))
    return out


SIGNIFICANT = 4


def mantissa_exponent(x, digits=SIGNIFICANT):
    """x to `digits` significant digits as (mantissa, exponent) strings; exponent '' when the
    value reads better in fixed notation (1e-3 <= |x| < 1e4), e.g. (2.003, ''), (1.845, '-13'),
    (2.000, '')"""
    if not finite(x):
        raise ValueError(f"not a finite number: {x!r}")
    if x == 0:
        return "0", ""
    e = math.floor(math.log10(abs(x)))
    m = round(x / 10 ** e, digits - 1)
    if abs(m) >= 10:  # rounding carried into the next decade
        e += 1
        m = round(x / 10 ** e, digits - 1)
    if -3 <= e < 4:
        decimals = max(0, digits - 1 - e)
        return f"{x:.{decimals}f}", ""
    return f"{m:.{digits - 1}f}", str(e)


def plain_number(x, digits=SIGNIFICANT):
    """Markdown / plain-text rendering: 2.003, 1.845e-13, n/a."""
    if not finite(x):
        return "n/a"
    m, e = mantissa_exponent(x, digits)
    return m if e == "" else f"{m}e{e}"
