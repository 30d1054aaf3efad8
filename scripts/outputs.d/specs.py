"""What each study's figures show: claim-id patterns per series (see figures.py).

To add a study: a FIGURES entry "NN_slug": [figure, ...]; a figure is
{"suffix": "" (file results/figures/NN_slug<suffix>.svg), "panels": [panel, ...], "ncols": 2};
a panel is {"title", "xlabel", "ylabel", "logy" (default True), "series": [series, ...]}; a series
is {"key" (unique in the figure), "label", "claims": regex over claim ids (group 1 or (?P<x>…):
the abscissa), "x": "int" | "float" | "cat" | function}. A study without an entry gets the
generic chart of all its claims (figures.generic_figure). Patterns that match nothing draw
nothing, so a spec survives claims being added.
"""

LAYERS = r"(\d+)"
SHAPE_LABEL = lambda c: c.replace("_", "→")  # noqa: E731  "64_256" -> "64→256"


def _s(key, label, claims, **kw):
    return dict(key=key, label=label, claims=claims, **kw)


# ----------------------------------------------------------------------------- 02
def _study02():
    acts = ["linear", "tanh", "relu"]
    return [{"suffix": "", "ncols": 3, "panels": [
        {"title": "forward: Var[y_l] / Var[y_(l-1)] per layer", "xlabel": "layer l",
         "ylabel": "per-layer factor (log)",
         "series": [_s(f"{a}_forward_ratio", a, rf"{a}_forward_ratio_{LAYERS}") for a in acts] +
                   [_s("relu_without_half", "relu, factor without ReLU's ½",
                       r"relu_forward_ratio_without_half", x=lambda m, r: 2, measured=False),
                    _s("linear_preserved", "", r"linear_variance_preserved", x=lambda m, r: 1,
                       measured=False)]},
        {"title": "backward: Var[∂L/∂x_l] / Var[∂L/∂y_l] per layer", "xlabel": "layer l",
         "ylabel": "per-layer factor (log)",
         "series": [_s(f"{a}_backward_ratio", a, rf"{a}_backward_ratio_{LAYERS}")
                    for a in acts]},
        {"title": "first-layer weight gradient E[(∂L/∂W_1)²] vs depth",
         "xlabel": "depth L", "ylabel": "mean square (log)",
         "series": [_s(f"{a}_first_layer_gradient", a, rf"{a}_first_layer_gradient_L(\d+)")
                    for a in acts] +
                   [_s("depth_independent", "", r"linear_first_layer_gradient_depth_independent",
                       x=lambda m, r: max(r["settings"].get("depths", [8])),
                       measured=False)]},
        {"title": "forward profile Var[y_k] (q0 = 1): ∏ of the factors", "xlabel": "layer k",
         "ylabel": "variance (log)",
         "series": [_s(f"{a}_forward_profile", a, rf"{a}_forward_variance_{LAYERS}",
                       profile=rf"{a}_forward_ratio_{LAYERS}") for a in acts]},
        {"title": "backward profile Var[∂L/∂x] after k layers from the output (g = 1)",
         "xlabel": "layers crossed from the output k", "ylabel": "variance (log)",
         "series": [_s(f"{a}_backward_profile", a, rf"{a}_backward_variance_{LAYERS}",
                       x=lambda m, r: max(r["settings"].get("depths", [8])) + 1 - int(m.group(1)),
                       profile=rf"{a}_backward_ratio_{LAYERS}", backward=True) for a in acts]},
    ]}]


# ----------------------------------------------------------------------------- 07
def _study07():
    shapes = r"(?P<x>\d+_\d+)"
    def panel(title, ylabel, correct, printed, wrong):
        return {"title": title, "xlabel": "layer shape D → D̂", "ylabel": ylabel,
                "cat_label": SHAPE_LABEL, "series": [
                    _s(correct, "U[±√(6/(D+D̂))] (xavier_uniform)", rf"{correct}_{shapes}",
                       x="cat"),
                    _s(printed, "U[±√6/(D+D̂)] (the printed bound)", rf"{printed}_{shapes}",
                       x="cat"),
                    _s(wrong, "", rf"{wrong}_{shapes}", x="cat", measured=False)]}
    return [{"suffix": "", "ncols": 3, "panel_size": (4.3, 3.4), "panels": [
        panel("weight variance E[w²]", "E[w²] (log)", "correct_bound_variance",
              "printed_bound_variance", "printed_bound_gives_xavier_variance"),
        panel("forward ratio Var[y] / E[x²]", "ratio (log)", "correct_bound_forward_ratio",
              "printed_bound_forward_ratio", "printed_bound_gives_xavier_forward"),
        panel("backward ratio Var[∂L/∂x] / Var[∂L/∂y]", "ratio (log)",
              "correct_bound_backward_ratio", "printed_bound_backward_ratio", "no_such_claim"),
    ]}]


# ----------------------------------------------------------------------------- 08
def _study08():
    return [{"suffix": "", "ncols": 2, "panels": [
        {"title": "forward: Var[y_l] (q0 = 1)", "xlabel": "layer l", "ylabel": "variance (log)",
         "series": [
             _s("he_forward", "He 2/n, width 256", rf"he_forward_layer_{LAYERS}"),
             _s("lecun_forward", "LeCun 1/n, width 256", rf"lecun_forward_layer_{LAYERS}"),
             _s("lecun_preserves", "", rf"lecun_preserves_forward_layer_{LAYERS}",
                measured=False),
             _s("he_fan_in_forward", "He 2/fan_in, 128→512",
                rf"he_fan_in_forward_layer_{LAYERS}"),
             _s("he_fan_out_forward", "He 2/fan_out, 128→512",
                rf"he_fan_out_(?:preserves_)?forward_layer_{LAYERS}"),
             _s("leaky_forward", "leaky ReLU a=½, 2/((1+a²)n)", rf"leaky_forward_layer_{LAYERS}"),
             _s("leaky_he_forward", "leaky ReLU a=½, He 2/n",
                rf"leaky_he_(?:preserves_)?forward_layer_{LAYERS}"),
         ]},
        {"title": "backward: Var[∂L/∂x_l] (g = 1)", "xlabel": "layer l",
         "ylabel": "variance (log)",
         "series": [
             _s("he_backward", "He 2/n, width 256", rf"he_backward_layer_{LAYERS}"),
             _s("lecun_backward", "LeCun 1/n, width 256", rf"lecun_backward_layer_{LAYERS}"),
             _s("he_fan_in_backward", "He 2/fan_in, 128→512",
                rf"he_fan_in_(?:preserves_)?backward_layer_{LAYERS}"),
             _s("he_fan_out_backward", "He 2/fan_out, 128→512",
                rf"he_fan_out_backward_layer_{LAYERS}"),
             _s("leaky_backward", "leaky ReLU a=½, 2/((1+a²)n)",
                rf"leaky_backward_layer_{LAYERS}"),
         ]},
    ]}]


# ----------------------------------------------------------------------------- 09
INITS09 = [("lecun", "LeCun 1/D"), ("xavier", "Xavier 2/(D+D̂)"), ("he", "He 2/D")]
ACTS09 = ["linear", "relu", "tanh"]


def _crossed(direction):
    """Layers crossed by an absolute claim: fwd_abs_k is after k layers; bwd_abs_l is
    Var[∂L/∂x_l], after depth + 1 - l layers from the output."""
    if direction == "fwd":
        return lambda m, r: int(m.group(1))
    return lambda m, r: r["settings"].get("depth", 50) + 1 - int(m.group(1))


def _study09():
    def profile_panel(direction, act, inits):
        back = direction == "bwd"
        series = []
        for init, label in inits:
            abs_ = rf"{init}_{act}_{direction}_abs_{LAYERS}"
            series.append(_s(f"{init}_{act}_{direction}_profile", label,
                             abs_ + r"(?:_independent)?", x=_crossed(direction),
                             profile=rf"{init}_{act}_{direction}_gain_{LAYERS}", backward=back,
                             points_analytic=True))
            series.append(_s(f"{init}_{act}_{direction}_limit", "", abs_ + r"_infinite_width",
                             x=_crossed(direction), measured=False, same_color=True))
        return series

    def gains(direction, act, inits):
        return [_s(f"{init}_{act}_{direction}_gain", label,
                   rf"{init}_{act}_{direction}_gain_{LAYERS}", ms=2.2) for init, label in inits]

    def grid(kind):
        panels = []
        for direction in ("fwd", "bwd"):
            word = "forward" if direction == "fwd" else "backward"
            for act in ACTS09:
                if kind == "profile":
                    series = profile_panel(direction, act, INITS09)
                    xlabel = ("layers crossed k" if direction == "fwd"
                              else "layers crossed from the output k")
                    ylabel = ("Var[y_k] / q0 (log)" if direction == "fwd"
                              else "Var[∂L/∂x_(51-k)] / g (log)")
                else:
                    series = gains(direction, act, INITS09)
                    xlabel, ylabel = "layer l", "per-layer gain (log)"
                panels.append({"title": f"{word}, {act}", "xlabel": xlabel, "ylabel": ylabel,
                               "series": series})
            small = [(a, f"σ = 0.01, {a}") for a in ACTS09]
            if kind == "profile":
                series = [_s(f"small_{a}_{direction}_profile", label,
                             rf"small_{a}_{direction}_abs_{LAYERS}", x=_crossed(direction),
                             profile=rf"small_{a}_{direction}_gain_{LAYERS}",
                             backward=direction == "bwd") for a, label in small]
            else:
                series = [_s(f"small_{a}_{direction}_gain", label,
                             rf"small_{a}_{direction}_gain_{LAYERS}", ms=2.2)
                          for a, label in small]
            panels.append({"title": f"{word}, N(0, 0.01²)", "xlabel": panels[-1]["xlabel"],
                           "ylabel": panels[-1]["ylabel"], "series": series})
        return panels

    def width_panel(k):
        default = lambda m, r: int(m.group(1) or r["settings"]["widths"][0])  # noqa: E731
        fw = rf"lecun_tanh_(?:(\d+)_\d+_)?fwd_abs_{k}"
        return {"title": f"LeCun/tanh: Var[y_{k}] / q0 vs width", "logy": False, "logx": True,
                "xlabel": "narrow width D (wide = 5D/3)", "ylabel": f"Var[y_{k}] / q0",
                "series": [_s(f"lecun_tanh_width_{k}", "finite-width map (finite_width.hpp)", fw,
                              x=default),
                           _s(f"lecun_tanh_width_{k}_limit", "", fw + "_infinite_width",
                              x=default, measured=False, same_color=True)]}

    finite = [width_panel(k) for k in (10, 25, 50)] + [
        {"title": "He/ReLU: spread E[(S_k/S_0)²] = ∏(1 + 5/D_l)", "logy": False,
         "xlabel": "layers crossed k", "ylabel": "E[(S_k/S_0)²]",
         "series": [_s("he_relu_spread", "He/ReLU, 192 ↔ 320", r"he_relu_spread_(\d+)"),
                    _s("he_relu_no_spread", "", r"wrong_he_relu_no_spread",
                       x=lambda m, r: 25, measured=False, same_color=True)]}]
    return [
        {"suffix": "", "ncols": 4, "panel_size": (3.7, 3.0), "panels": grid("profile"),
         "note": "lines: analytic profile, the running product of the library's per-layer "
                 "gains;  ● measured Var after k = 10, 25, 50 layers with its interval (the "
                 "study's Bonferroni confidence)"},
        {"suffix": "_gains", "subtitle": ", per-layer gains", "ncols": 4,
         "panel_size": (3.7, 3.0), "panels": grid("gains")},
        {"suffix": "_finite_width", "subtitle": ", finite width", "ncols": 4,
         "panel_size": (3.7, 3.2), "panels": finite},
    ]


# ----------------------------------------------------------------------------- 10
def _study10():
    lam = 3.141592653589793 / (3.141592653589793 - 1.0)  # Yang et al. 2019's B → ∞ rate
    scales = [("he", "He √(2/128)"), ("small", "N(0, 0.01²)"), ("large", "N(0, 10²)")]
    return [{"suffix": "", "ncols": 3, "panel_size": (4.4, 3.4), "panels": [
        {"title": "BN gradient growth per dense → BN → ReLU block", "xlabel": "batch size B",
         "ylabel": "λ(B), middle blocks", "logy": False, "logx": True, "hlines": [lam, 1.0],
         "series": [
             _s("lambda", "finite-batch λ(B) (batch_norm.hpp)", r"lambda_B(\d+)(?:_width\d+)?"),
             _s("lambda_infinite_batch", "", r"wrong_lambda_infinite_batch_B(\d+)",
                measured=False, same_color=True),
             _s("lambda_one", "", r"wrong_lambda_one_B(\d+)", measured=False,
                same_color=True)]},
        {"title": "E[h_l²] of the ReLU output after BN: 1/2 at any weight scale",
         "xlabel": "block l", "ylabel": "E[h_l²]", "logy": False, "series": [
             _s(f"fwd_relu_q_{k}", label, rf"fwd_relu_q_block(\d+)_{k}", dx=0.3 * (i - 1))
             for i, (k, label) in enumerate(scales)]},
        {"title": "LN gradient gain per dense → LN → ReLU block", "xlabel": "width",
         "ylabel": "gain, middle blocks", "logy": False, "logx": True, "hlines": [lam, 1.0],
         "series": [
             _s("ln_gain", "layer-norm map (layer_norm.hpp)", r"ln_gain_width(\d+)"),
             _s("ln_like_bn", "", r"wrong_ln_explodes_like_bn",
                x=lambda m, r: max(int(c["id"][len("ln_gain_width"):]) for c in r["claims"]
                                   if c["id"].startswith("ln_gain_width")),
                measured=False, same_color=True)]},
    ]}]


# ----------------------------------------------------------------------------- 11
def _study11():
    blocks = lambda r: r["settings"].get("blocks", 16)  # noqa: E731
    at_blocks = lambda m, r: blocks(r)  # noqa: E731
    return [{"suffix": "", "ncols": 3, "panel_size": (4.4, 3.4), "panels": [
        {"title": "forward: E[x_l²] / q0 along the residual stream", "xlabel": "block l",
         "ylabel": "E[x_l²] / q0 (log)", "series": [
             _s("he_fwd", "He/ReLU, D = 256 (×2 per block)", r"he_fwd_(\d+)"),
             _s("bn_fwd", "BN branch, D = 128 (1 + l)", r"bn_fwd_(\d+)"),
             _s("skipinit_fwd", "SkipInit α = 1/√L (1 + Lα² = 2)", r"skipinit_\d+_fwd_(\d+)"),
             _s("fixup_fwd", "Fixup, L blocks, D = 64", r"fixup_(\d+)_fwd"),
             _s("wrong_fwd", "", r"wrong_(?:additive_variance|skip_preserves_variance|"
                r"bn_branch_doubles|skipinit_ignores_alpha)", x=at_blocks, measured=False),
             _s("wrong_fixup", "", r"wrong_fixup_(\d+)_(?:scale_once|unscaled)",
                measured=False)]},
        {"title": "backward: E[(∂L/∂x)²] / g, k blocks below the output",
         "xlabel": "blocks crossed from the output k", "ylabel": "E[(∂L/∂x)²] / g (log)",
         "series": [
             _s("he_bwd", "He/ReLU, D = 256", r"he_bwd_(\d+)",
                x=lambda m, r: blocks(r) + 1 - int(m.group(1))),
             _s("fixup_bwd", "Fixup, L blocks, D = 64", r"fixup_(\d+)_bwd"),
             _s("bn_bwd_limit", "BN branch, B → ∞ map", r"bn_bwd_01_limit", x=at_blocks),
             _s("wrong_bwd", "", r"wrong_skip_preserves_gradient", x=at_blocks,
                measured=False)]},
        {"title": "He/ReLU per-block gains (D = 256)", "xlabel": "block l",
         "ylabel": "gain", "logy": False, "series": [
             _s("he_fwd_gain", "forward E[x_l²]/E[x_(l-1)²]", r"he_fwd_gain_(\d+)"),
             _s("he_bwd_gain", "backward", r"he_bwd_gain_(\d+)")]},
        {"title": "finite width: E[x_16²] / q0 and its infinite-width limit 2^16",
         "xlabel": "width D", "ylabel": "E[x_16²] / q0 (log)", "logx": True, "series": [
             _s("width_fwd", "forward, first-order width correction",
                r"width_(\d+)_fwd_\d+(?:_limit)?"),
             _s("width_bwd", "backward, first-order width correction",
                r"width_(\d+)_bwd_\d+(?:_limit)?")]},
        {"title": "finite-width gap × D (the 1/D law: constant in D)", "xlabel": "width D",
         "ylabel": "D · (E/2^16 − 1)", "logy": False, "logx": True, "series": [
             _s("width_gap", "forward", r"width_(\d+)_gap_\d+"),
             _s("width_bwd_gap", "backward", r"width_(\d+)_bwd_gap_\d+")]},
    ]}]


# ----------------------------------------------------------------------------- 12
def _study12():
    def curves(names):
        return [dict(key=f"{n}_loss", label=label, curve=n) for n, label in names]
    shallow = [(f"{a}_{i}", f"{a}, {i}") for a in ("relu", "tanh")
               for i in ("lecun", "xavier", "he")]
    deep = [("tiny_deep_relu", "relu, N(0, 0.01²)"), ("he_deep_relu", "relu, He"),
            ("lecun_deep_relu", "relu, LeCun"), ("xavier_deep_relu", "relu, Xavier"),
            ("pytorch_default_deep_relu", "relu, PyTorch default"),
            ("xavier_deep_tanh", "tanh, Xavier"), ("he_deep_tanh", "tanh, He"),
            ("pytorch_default_deep_tanh", "tanh, PyTorch default")]
    ln10 = 2.302585092994046
    short = lambda c: c.replace("_deep", "").replace("_", " ")  # noqa: E731
    note = ("loss: mean over seeds of the training loss per window of steps, with its 95% "
            "Student-t band (settings.loss_curves; ln 10 dotted, a net at chance);  accuracy: "
            "● mean test accuracy with its interval (the study's Bonferroni confidence), × the "
            "wrong claim 'at chance' where a net trains")
    return [{"suffix": "", "ncols": 3, "panel_size": (4.6, 3.9), "note": note, "panels": [
        {"title": "training loss, depth 2 (784 → 64 → 10)", "xlabel": "training step",
         "ylabel": "mean loss per window (95% band over seeds)", "logy": False,
         "hlines": [ln10], "series": curves(shallow)},
        {"title": "training loss, depth 10", "xlabel": "training step",
         "ylabel": "mean loss per window (95% band over seeds)", "logy": False,
         "hlines": [ln10], "series": curves(deep)},
        {"title": "test accuracy (chance 1/K dotted)", "xlabel": "", "ylabel": "accuracy",
         "logy": False, "hlines": [0.1], "cat_label": short, "rotate": 35, "series": [
             _s("accuracy", "mean test accuracy over seeds",
                r"(?P<x>.+)_accuracy_(?:at_)?chance", x="cat")]},
    ]}]


FIGURES = {
    "02_small_random_vanishing": _study02(),
    "07_xavier_uniform_bound": _study07(),
    "08_he_relu": _study08(),
    "09_depth_profile": _study09(),
    "10_batch_norm": _study10(),
    "11_residual": _study11(),
    "12_training_fashion_mnist": _study12(),
}
