"""SVG figures of a report, drawn with matplotlib from the JSON report alone.

A figure is a list of panels; a panel is a list of series; a series selects claims by a regular
expression over claim ids (group 1, or the named group x, gives the abscissa). What each study
draws is declared in specs.py; a study without a spec gets the generic claim chart (every claim's
estimate relative to its analytic value, with its interval).

Every drawn artist carries an SVG id "<series>:<role>" (role: analytic, measured, interval,
wrong), so a test can count a figure's points without knowing matplotlib's output layout.
Output is deterministic: fixed hash salt, no date, text kept as text (svg.fonttype none).
"""
import math
import re

import matplotlib

matplotlib.use("svg")
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

from reports import finite, matching, name_of  # noqa: E402

RC = {
    "svg.hashsalt": "initlab",
    "svg.fonttype": "none",
    "font.family": "DejaVu Sans",
    "font.size": 8.5,
    "axes.titlesize": 9,
    "axes.labelsize": 8.5,
    "legend.fontsize": 7.5,
    "xtick.labelsize": 7.5,
    "ytick.labelsize": 7.5,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "grid.linewidth": 0.5,
    "lines.linewidth": 1.1,
    "errorbar.capsize": 2,
    "path.simplify": False,
}
SHAPES = ["o", "s", "^", "v", "D", "P", "X", "<", ">", "h"]
COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2",
          "#17becf", "#7f7f7f", "#bcbd22"]
WRONG_COLOR = "#000000"
STYLE_NOTE = ("lines: analytic values from the library's constexpr maps;  ● measured estimate "
              "with its interval (the study's Bonferroni confidence);  × prediction of a wrong "
              "derivation (a claim expected refuted)")


# ----------------------------------------------------------------------------- selection
def _x_of(m, how, report):
    if callable(how):
        return how(m, report)
    raw = m.group("x") if "x" in m.re.groupindex else (m.group(1) if m.re.groups else "")
    if how == "int":
        return int(raw)
    if how == "float":
        return float(raw)
    return raw  # categorical


def points(report, series):
    """[(x, claim)] of a series, sorted by x (categorical x keep report order)."""
    how = series.get("x", "int")
    out = [(_x_of(m, how, report), c) for m, c in matching(report, series["claims"])]
    if how != "cat":
        out.sort(key=lambda p: p[0])
    return out


def measured_points(pts):
    return [(x, c) for x, c in pts if finite(c.get("estimate"))]


def cumulative_profile(report, gains, backward=False):
    """(k, ∏ of the first k analytic gains) for k = 0..L: a variance profile from per-layer gain
    claims (regex group 1 = layer); backward multiplies from the last layer down, so k counts
    the layers crossed from the output."""
    by_layer = sorted((int(m.group(1)), c["analytic"]) for m, c in matching(report, gains))
    if backward:
        by_layer.reverse()
    ks, vals, v = [0], [1.0], 1.0
    for i, (_, g) in enumerate(by_layer, 1):
        v *= g
        ks.append(i)
        vals.append(v)
    return ks, vals


# ----------------------------------------------------------------------------- drawing
def _positions(xs, cats, offset, dx=0.0):
    if cats is None:
        return [x + dx for x in xs] if dx else xs
    return [cats.index(x) + offset for x in xs]


def role(claim):
    """holds (analytic drawn as the curve), wrong (a wrong derivation, expected refuted) or
    limit (the value of a limit stated at finite size)."""
    if claim.get("limit"):
        return "limit"
    return "wrong" if claim["expected"] == "refuted" else "holds"


WRONG_MARKER = dict(marker="x", markersize=6, markeredgewidth=1.4, color=WRONG_COLOR)
LIMIT_SHAPES = {"infinite-width": "D", "second-order": "^", "gradient-independence": "s",
                "infinite-width gradient-independent": "v", "infinite-batch": "p"}


def limit_marker(kind, kinds=None):
    """Hollow black marker of a limit claim's value, one shape per kind of limit."""
    shape = LIMIT_SHAPES.get(kind, "h")
    return dict(marker=shape, markersize=5, markeredgewidth=1.1, color=WRONG_COLOR,
                markerfacecolor="none")


def draw_series(ax, report, fig_id, series, color, cats=None, offset=0.0, shape="o"):
    """Draws one series; returns {role: count of points drawn} for the test's bookkeeping.

    Options: claims (regex), x ("int", "float", "cat" or a function of the match), label,
    analytic (draw the analytic values, default True), measured (draw the estimates, default
    True), profile (a regex of per-layer gain claims: the analytic curve is their running
    product, see cumulative_profile), backward (with profile)."""
    key = f"{fig_id}:{series['key']}"
    counts = {}
    if "curve" in series:
        return draw_curve(ax, report, key, series, color)
    pts = points(report, series) if series.get("claims") else []
    if "profile" in series:
        ks, vals = cumulative_profile(report, series["profile"], series.get("backward", False))
        if len(ks) > 1:
            (line,) = ax.plot(ks, vals, "-", color=color, label=series["label"])
            line.set_gid(key + ":analytic")
            counts["analytic"] = len(ks)
    elif series.get("analytic", True):
        holds = [(x, c) for x, c in pts if role(c) == "holds"]
        if holds:
            xs = _positions([x for x, _ in holds], cats, offset, series.get("dx", 0.0))
            ys = [c["analytic"] for _, c in holds]
            if len(holds) >= 2 and cats is None:
                (line,) = ax.plot(xs, ys, "-", color=color, label=series["label"])
            else:
                (line,) = ax.plot(xs, ys, linestyle="none", marker="_", markersize=11,
                                  markeredgewidth=1.6, color=color, label=series["label"])
            line.set_gid(key + ":analytic")
            counts["analytic"] = len(holds)
    if series.get("measured", True):
        shown = measured_points(pts)
        if shown:
            xs = _positions([x for x, _ in shown], cats, offset, series.get("dx", 0.0))
            ys = [c["estimate"] for _, c in shown]
            lo = [max(0.0, c["estimate"] - c["ci_low"]) if finite(c.get("ci_low")) else 0.0
                  for _, c in shown]
            hi = [max(0.0, c["ci_high"] - c["estimate"]) if finite(c.get("ci_high")) else 0.0
                  for _, c in shown]
            cont = ax.errorbar(xs, ys, yerr=[lo, hi], fmt=shape, markersize=series.get("ms", 3.2),
                               color=color, ecolor=color, elinewidth=0.9,
                               label=None if "analytic" in counts else series["label"])
            cont.lines[0].set_gid(key + ":measured")
            for i, coll in enumerate(cont.lines[2]):
                coll.set_gid(key + f":interval{'' if i == 0 else i}")
            counts["measured"] = len(shown)
    if series.get("analytic", True):
        if "profile" in series and series.get("points_analytic"):
            holds = [(x, c) for x, c in pts if role(c) == "holds"]
            if holds:
                (line,) = ax.plot([x for x, _ in holds], [c["analytic"] for _, c in holds],
                                  linestyle="none", marker="_", markersize=11,
                                  markeredgewidth=1.6, color=color)
                line.set_gid(key + ":analytic_points")
                counts["analytic_points"] = len(holds)
        wrong = [(x, c) for x, c in pts if role(c) == "wrong" and finite(c.get("analytic"))]
        if wrong:
            xs = _positions([x for x, _ in wrong], cats, offset)
            (line,) = ax.plot(xs, [c["analytic"] for _, c in wrong], linestyle="none",
                              **WRONG_MARKER)
            line.set_gid(key + ":wrong")
            counts["wrong"] = len(wrong)
        kinds = ax.__dict__.setdefault("_initlab_limit_kinds", [])
        for kind in dict.fromkeys(c["limit"] for _, c in pts if role(c) == "limit"):
            if kind not in kinds:
                kinds.append(kind)
            sel = [(x, c) for x, c in pts if c.get("limit") == kind and finite(c.get("analytic"))]
            xs = _positions([x for x, _ in sel], cats, offset)
            (line,) = ax.plot(xs, [c["analytic"] for _, c in sel], linestyle="none",
                              **limit_marker(kind, kinds))
            line.set_gid(key + ":limit:" + kind)
            counts["limit:" + kind] = len(sel)
    return counts


def curve_data(report, series):
    """A series of settings[<setting>][<curve>] = {mean, ci95_low, ci95_high} (one value per
    window of settings[<window>] steps), as (steps, mean, low, high); None if absent."""
    data = report.get("settings", {}).get(series.get("setting", "loss_curves"), {})
    c = data.get(series["curve"]) if isinstance(data, dict) else None
    if not isinstance(c, dict) or not c.get("mean"):
        return None
    window = report["settings"].get(series.get("window", "curve_window_steps"), 1)
    mean = c["mean"]
    steps = [(i + 1) * window for i in range(len(mean))]
    return steps, mean, c.get("ci95_low", mean), c.get("ci95_high", mean)


def draw_curve(ax, report, key, series, color):
    d = curve_data(report, series)
    if d is None:
        return {}
    steps, mean, lo, hi = d
    band = ax.fill_between(steps, lo, hi, color=color, alpha=0.18, linewidth=0)
    band.set_gid(key + ":band")
    (line,) = ax.plot(steps, mean, "-", marker=".", markersize=3, color=color,
                      label=series["label"])
    line.set_gid(key + ":curve")
    return {"curve": len(steps)}


def _categories(report, panel):
    cats = []
    for s in panel["series"]:
        if s.get("x") == "cat":
            for x, _ in points(report, s):
                if x not in cats:
                    cats.append(x)
    return cats or None


def draw_panel(ax, report, fig_id, panel, drawn):
    cats = _categories(report, panel)
    # A series with same_color continues the previous one (its limits, say): same colour,
    # shape and position.
    slots, i = [], -1
    for s in panel["series"]:
        i += 0 if s.get("same_color") and i >= 0 else 1
        slots.append(i)
    n = slots[-1] + 1 if slots else 0
    for s, i in zip(panel["series"], slots):
        color = s.get("color", COLORS[i % len(COLORS)])
        offset = 0.0 if cats is None or n == 1 else (i - (n - 1) / 2) * min(0.6 / n, 0.15)
        drawn[f"{fig_id}:{s['key']}"] = draw_series(ax, report, fig_id, s, color, cats, offset,
                                                    SHAPES[i % len(SHAPES)])
    if cats is not None:
        ax.set_xticks(range(len(cats)))
        rot = panel.get("rotate", 0)
        ax.set_xticklabels([panel.get("cat_label", lambda c: c)(c) for c in cats], rotation=rot,
                           ha="right" if rot else "center")
        ax.set_xlim(-0.6, len(cats) - 0.4)
    if panel.get("logy", True):
        ax.set_yscale("log", nonpositive="clip")
    if panel.get("logx"):
        ax.set_xscale("log", nonpositive="clip")
        xs = sorted({x for s in panel["series"] for x, _ in points(report, s)
                     if s.get("claims") and isinstance(x, (int, float))})
        if xs:  # the measured sizes as ticks, in plain numbers
            ax.set_xticks(xs)
            ax.set_xticklabels([f"{x:g}" for x in xs])
            ax.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())
    for y in panel.get("hlines", []):
        ax.axhline(y, color="#555555", linewidth=0.7, linestyle=":")
    ax.set_title(panel.get("title", ""), loc="left")
    ax.set_xlabel(panel.get("xlabel", ""))
    ax.set_ylabel(panel.get("ylabel", ""))
    handles, labels = ax.get_legend_handles_labels()
    if any(k.endswith(":wrong") for k in _gids(ax)):
        handles.append(Line2D([], [], linestyle="none", **WRONG_MARKER))
        labels.append("wrong derivation (expected refuted)")
    kinds = ax.__dict__.get("_initlab_limit_kinds", [])
    for kind in kinds:
        handles.append(Line2D([], [], linestyle="none", **limit_marker(kind, kinds)))
        labels.append(f"{kind} limit value")
    if handles:
        ax.legend(handles, labels, loc=panel.get("legend", "best"), frameon=True, framealpha=0.6)


def _gids(ax):
    return [a.get_gid() or "" for a in ax.get_lines()]


def figure_from_spec(report, fig):
    """A matplotlib figure from a figure spec; returns (figure, {series id: counts})."""
    fig_id = name_of(report) + fig.get("suffix", "")
    panels = fig["panels"]
    ncols = fig.get("ncols", min(len(panels), 2))
    nrows = math.ceil(len(panels) / ncols)
    w, h = fig.get("panel_size", (4.6, 3.3))
    plt.rcParams.update(RC)
    f, axes = plt.subplots(nrows, ncols, figsize=(w * ncols, h * nrows + 0.7), squeeze=False)
    drawn = {}
    for i, panel in enumerate(panels):
        draw_panel(axes[i // ncols][i % ncols], report, fig_id, panel, drawn)
    for j in range(len(panels), nrows * ncols):
        axes[j // ncols][j % ncols].set_visible(False)
    title = (f"Study {report['study']['id']}{fig.get('subtitle', '')}: "
             f"{report['study']['title']}")
    f.suptitle(_wrap(title, 150), fontsize=9.5, x=0.01, ha="left")
    f.text(0.01, 0.005, _wrap(fig.get("note", STYLE_NOTE) +
                              f"  (results/{name_of(report)}.json)", 190),
           fontsize=7, ha="left", va="bottom", color="#333333")
    f.tight_layout(rect=(0, 0.035 + 0.012 * nrows, 1, 0.96 - 0.004 * nrows))
    return f, drawn


def _wrap(s, width):
    words, lines, cur = s.split(), [], ""
    for wd in words:
        if cur and len(cur) + 1 + len(wd) > width:
            lines.append(cur)
            cur = wd
        else:
            cur = (cur + " " + wd).strip()
    if cur:
        lines.append(cur)
    return "\n".join(lines)


# ----------------------------------------------------------------------------- generic chart
def generic_figure(report):
    """Every claim: estimate / analytic with its interval, on a log axis (claims with analytic 0:
    the estimate itself, on a symmetric-log axis). Rows in report order."""
    fig_id = name_of(report)
    nonzero = [c for c in report["claims"] if finite(c.get("analytic")) and c["analytic"] != 0]
    rel = [c for c in nonzero if c["expected"] != "refuted"]
    off = [c for c in nonzero if c["expected"] == "refuted"]
    zero = [c for c in report["claims"] if finite(c.get("analytic")) and c["analytic"] == 0]
    groups = [g for g in ((rel, "estimate / analytic"),
                          (off, "estimate / analytic, claims expected refuted"),
                          (zero, "estimate (analytic value 0)")) if g[0]]
    plt.rcParams.update(RC)
    heights = [max(1.2, 0.19 * len(g) + 0.6) for g, _ in groups] or [1.0]
    f, axes = plt.subplots(len(heights), 1, figsize=(9.5, sum(heights) + 1.2), squeeze=False,
                           gridspec_kw={"height_ratios": heights})
    drawn = {}
    for ax, (claims, xlabel) in zip((a[0] for a in axes), groups):
        ratio = xlabel.startswith("estimate /")
        for role, sel in (("confirmed", lambda c: c["expected"] != "refuted"),
                          ("refuted", lambda c: c["expected"] == "refuted")):
            rows = [(i, c) for i, c in enumerate(claims) if sel(c) and finite(c.get("estimate"))]
            if not rows:
                continue
            d = [c["analytic"] if ratio else 1.0 for _, c in rows]
            ys = [i for i, _ in rows]
            xs = [c["estimate"] / s for (_, c), s in zip(rows, d)]
            lo = [max(0.0, (c["estimate"] - c["ci_low"]) / s) if finite(c.get("ci_low")) else 0
                  for (_, c), s in zip(rows, d)]
            hi = [max(0.0, (c["ci_high"] - c["estimate"]) / s) if finite(c.get("ci_high")) else 0
                  for (_, c), s in zip(rows, d)]
            color = COLORS[0] if role == "confirmed" else COLORS[1]
            lab = ("expected to hold" if role == "confirmed"
                   else "wrong derivation (expected refuted)")
            cont = ax.errorbar(xs, ys, xerr=[lo, hi], fmt="o" if role == "confirmed" else "s",
                               markersize=3.5, color=color, elinewidth=0.9, label=lab)
            key = f"{fig_id}:{'relative' if ratio else 'zero'}_{role}"
            cont.lines[0].set_gid(key + ":measured")
            for k, coll in enumerate(cont.lines[2]):
                coll.set_gid(key + f":interval{'' if k == 0 else k}")
            drawn[key] = {"measured": len(rows)}
        spread = [c[k] / c["analytic"] for c in claims for k in ("estimate", "ci_low", "ci_high")
                  if ratio and finite(c.get(k))]
        if ratio and spread and 0.5 <= min(spread) and max(spread) <= 2.0:
            ax.axvline(1.0, color="#555555", linewidth=0.8, linestyle=":")
        elif ratio:
            ax.set_xscale("log", nonpositive="clip")
            ax.axvline(1.0, color="#555555", linewidth=0.8, linestyle=":")
        else:
            ax.set_xscale("symlog", linthresh=1e-6)
            ax.axvline(0.0, color="#555555", linewidth=0.8, linestyle=":")
        ax.set_yticks(range(len(claims)))
        ax.set_yticklabels([c["id"] + ("" if c.get("statistic") != "exact" else "  (exact)")
                            for c in claims], fontsize=6.8)
        ax.set_ylim(len(claims) - 0.5, -0.5)
        ax.set_xlabel(xlabel + ("  (1: the analytic value)" if ratio else ""))
        ax.legend(loc="best", frameon=True, framealpha=0.85)
    title = f"Study {report['study']['id']}: {report['study']['title']}"
    f.suptitle(_wrap(title, 120), fontsize=9.5, x=0.01, ha="left")
    f.text(0.01, 0.003, f"every claim of results/{fig_id}.json; intervals at the study's "
           "Bonferroni confidence; an exact claim's interval is the range of its trials",
           fontsize=7, ha="left", va="bottom", color="#333333")
    f.tight_layout(rect=(0, 0.02, 1, 0.97))
    return f, drawn


def save(f, path):
    f.savefig(path, format="svg", metadata={"Date": None})
    plt.close(f)


def safe_id(s):
    return re.sub(r"[^A-Za-z0-9_.:-]", "_", s)
