"""LaTeX fragments of a report: one macro per claim and a booktabs longtable of the claims.

results/latex/NN_slug.tex (macros; \\input it anywhere, preamble or body) defines, for every
claim, a command named from the study id and the claim id, letters only:

    \\initlab<Study><Claim>[field]      e.g. \\initlabNineHeReluFwdGainOne  (study 09,
                                        claim he_relu_fwd_gain_01)

<Study> is the study number in words (09 -> Nine); <Claim> is the claim id split at '_', each
part capitalized, digit runs as number words without leading zeros (01 -> One, 50 -> Fifty,
0.5 -> ZeroPointFive), other characters as words (- Minus, + Plus). The generator checks that
the names of all reports together are distinct and refuses to write them otherwise (rename a
claim then). Without [field] the command gives the estimate; fields: estimate, analytic, low,
high, interval ([low, high]), full (estimate [low, high]), stderr, trials, confidence, verdict,
expected, id, statement, formula. Numbers are typeset by \\initlabnum{mantissa}{exponent}
(redefine it for siunitx etc.); the expandable \\initlabvalue{09}{he_relu_fwd_gain_01}{low} reads
the same data by the raw claim id.

results/latex/NN_slug.table.tex (needs \\usepackage{array,booktabs,longtable} and the macros
file) is the table of every claim: id and statement, analytic value, estimate and interval, verdict.

Text is ASCII-only LaTeX: the reports' Unicode (Greek letters, superscripts, D-hat, arrows,
...) is transliterated to LaTeX commands, so any engine and font set works without inputenc.
"""
import re
import unicodedata

from reports import SIGNIFICANT, finite, mantissa_exponent, name_of

CONFIDENCE_DIGITS = 7  # 0.9999921: the Bonferroni confidence needs more than 4 digits

# ----------------------------------------------------------------------------- macro names
_ONES = ["Zero", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten",
         "Eleven", "Twelve", "Thirteen", "Fourteen", "Fifteen", "Sixteen", "Seventeen",
         "Eighteen", "Nineteen"]
_TENS = ["", "", "Twenty", "Thirty", "Forty", "Fifty", "Sixty", "Seventy", "Eighty", "Ninety"]
_SCALES = [(10 ** 9, "Billion"), (10 ** 6, "Million"), (1000, "Thousand"), (100, "Hundred")]
_CHAR_WORDS = {"-": "Minus", "+": "Plus", ".": "Point", "=": "Eq", "/": "Over", "*": "Times",
               ":": "Colon", ",": "Comma"}


def number_words(n):
    """0 -> Zero, 12 -> Twelve, 50 -> Fifty, 1024 -> OneThousandTwentyFour."""
    if n < 20:
        return _ONES[n]
    if n < 100:
        return _TENS[n // 10] + (_ONES[n % 10] if n % 10 else "")
    for scale, word in _SCALES:
        if n >= scale:
            rest = n % scale
            return number_words(n // scale) + word + (number_words(rest) if rest else "")
    raise AssertionError(n)


def name_part(text):
    """A claim or study id as letters only (see the module comment)."""
    out = []
    for tok in re.findall(r"[A-Za-z]+|[0-9]+|.", text):
        if tok.isdigit():
            out.append(number_words(int(tok)) if len(tok) <= 12 else
                       "".join(_ONES[int(d)] for d in tok))
        elif tok.isalpha() and tok.isascii():
            out.append(tok[0].upper() + tok[1:])
        elif tok == "_":
            continue
        elif tok in _CHAR_WORDS:
            out.append(_CHAR_WORDS[tok])
        else:
            out.append("U" + number_words(ord(tok)))
    return "".join(out)


def study_word(report):
    sid = report["study"]["id"]
    return number_words(int(sid)) if sid.isdigit() else name_part(sid)


def macro_name(report, claim):
    return "initlab" + study_word(report) + name_part(claim["id"])


def check_names(reports):
    """Raises ValueError if two claims (of any reports) would get the same command."""
    seen = {}
    for r in reports:
        for c in r["claims"]:
            n = macro_name(r, c)
            where = f"{name_of(r)}:{c['id']}"
            if n in seen:
                raise ValueError(f"LaTeX command \\{n} would name both {seen[n]} and {where}; "
                                 "rename one of the claims")
            seen[n] = where


# ----------------------------------------------------------------------------- text
_ASCII = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&",
          "#": r"\#", "^": r"\textasciicircum{}", "_": r"\_", "%": r"\%",
          "~": r"\textasciitilde{}", "<": r"\ensuremath{<}", ">": r"\ensuremath{>}",
          "|": r"\ensuremath{|}"}
_MATH = {  # Unicode -> math-mode LaTeX
    "±": r"\pm", "×": r"\times", "·": r"\cdot", "÷": r"\div", "−": "-", "→": r"\to",
    "←": r"\leftarrow", "↦": r"\mapsto", "⇒": r"\Rightarrow", "∂": r"\partial",
    "∏": r"\prod", "∑": r"\sum", "√": r"\surd", "≈": r"\approx", "≠": r"\neq", "≤": r"\leq",
    "≥": r"\geq", "≳": r"\gtrsim", "≲": r"\lesssim", "∝": r"\propto", "∞": r"\infty",
    "⊥": r"\perp", "⟨": r"\langle", "⟩": r"\rangle", "‖": r"\|", "∈": r"\in", "∉": r"\notin",
    "∘": r"\circ", "∇": r"\nabla", "∫": r"\int", "≡": r"\equiv", "∼": r"\sim", "≪": r"\ll",
    "≫": r"\gg", "°": r"^\circ", "′": r"'", "ℓ": r"\ell", "∅": r"\emptyset", "⊗": r"\otimes",
    "⊙": r"\odot", "∀": r"\forall", "∃": r"\exists", "¬": r"\neg", "∧": r"\wedge",
    "∨": r"\vee", "⌈": r"\lceil", "⌉": r"\rceil", "⌊": r"\lfloor", "⌋": r"\rfloor",
    "ϵ": r"\epsilon", "ϕ": r"\phi", "⁄": "/", "∗": "*", "∣": r"\mid",
}
_TEXT = {"§": r"\S{}", "–": "--", "—": "---", "…": r"\dots{}", "‘": "`", "’": "'", "“": "``",
         "”": "''", "\u00a0": "~", "¶": r"\P{}", "•": r"\textbullet{}"}
_SUPER = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱᵀ", "0123456789+-=()niT"))
_SUB = dict(zip("₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₒₓₗₘₙₚₛₜ", "0123456789+-=()aeoxlmnpst"))
_ACCENTS_MATH = {"\u0302": r"\hat", "\u0303": r"\tilde", "\u0304": r"\bar", "\u0307": r"\dot",
                 "\u0308": r"\ddot", "\u20d7": r"\vec"}
_ACCENTS_TEXT = {"\u0301": "\\'", "\u0300": "\\`", "\u0302": "\\^", "\u0308": '\\"',
                 "\u0303": "\\~", "\u0327": "\\c", "\u030c": "\\v"}
_GREEK_VARIANTS = {"epsilon": "varepsilon"}  # keep the letter's usual shape

unmapped = set()  # characters seen without a mapping (reported once by the caller)


def _greek(ch):
    name = unicodedata.name(ch, "")
    m = re.fullmatch(r"GREEK (SMALL|CAPITAL) LETTER ([A-Z]+)", name)
    if not m:
        return None
    word = m.group(2).lower()
    if word == "lamda":
        word = "lambda"
    if m.group(1) == "SMALL":
        if word == "omicron":
            return "o"
        return "\\" + _GREEK_VARIANTS.get(word, word)
    latin = {"alpha": "A", "beta": "B", "epsilon": "E", "zeta": "Z", "eta": "H", "iota": "I",
             "kappa": "K", "mu": "M", "nu": "N", "omicron": "O", "rho": "P", "tau": "T",
             "chi": "X"}
    if word in latin:
        return r"\mathrm{" + latin[word] + "}"
    return "\\" + word.capitalize()


def _math_atom(ch):
    """LaTeX math for one character (a base an accent can sit on), or None."""
    if ch.isascii() and ch.isalnum():
        return ch
    if ch in _MATH:
        return _MATH[ch]
    return _greek(ch)


def text(s):
    """Unicode text -> ASCII LaTeX (text mode)."""
    out = []
    i, n = 0, len(s)
    while i < n:
        ch = s[i]
        j = i + 1
        accents = []
        while j < n and unicodedata.combining(s[j]):
            accents.append(s[j])
            j += 1
        if accents:
            base = _math_atom(ch)
            if base is not None and all(a in _ACCENTS_MATH for a in accents):
                expr = base if base.startswith("\\") or len(base) == 1 else "{" + base + "}"
                for a in accents:
                    expr = _ACCENTS_MATH[a] + "{" + expr + "}"
                out.append(r"\ensuremath{" + expr + "}")
            elif ch.isascii() and ch.isalpha() and all(a in _ACCENTS_TEXT for a in accents):
                expr = ch
                for a in accents:
                    expr = _ACCENTS_TEXT[a] + "{" + expr + "}"
                out.append(expr)
            else:
                out.append(text(ch))
                for a in accents:
                    unmapped.add(a)
                    out.append(f"[U+{ord(a):04X}]")
            i = j
            continue
        if ch in _ASCII:
            out.append(_ASCII[ch])
        elif ch.isascii():
            out.append(ch)
        elif ch in _TEXT:
            out.append(_TEXT[ch])
        elif ch in _SUPER or ch in _SUB:
            table, mark = (_SUPER, "^") if ch in _SUPER else (_SUB, "_")
            k = i
            run = []
            while k < n and s[k] in table:
                run.append(table[s[k]])
                k += 1
            out.append(r"\ensuremath{" + mark + "{" + "".join(run) + "}}")
            j = k
        elif _math_atom(ch) is not None:
            out.append(r"\ensuremath{" + _math_atom(ch) + "}")
        else:
            decomposed = unicodedata.normalize("NFKD", ch)
            if decomposed != ch:
                out.append(text(decomposed))
            else:
                unmapped.add(ch)
                out.append(f"[U+{ord(ch):04X}]")
        i = j
    return "".join(out)


def tt_id(claim_id):
    """A claim id in \\texttt, breakable after its underscores."""
    return r"\texttt{" + r"\_\allowbreak{}".join(text(p) for p in claim_id.split("_")) + "}"


# ----------------------------------------------------------------------------- numbers
def num(x, digits=SIGNIFICANT):
    if not finite(x):
        return r"\initlabna{}"
    m, e = mantissa_exponent(x, digits)
    return r"\initlabnum{" + m + "}{" + e + "}"


def interval(c):
    return "[" + num(c.get("ci_low")) + ", " + num(c.get("ci_high")) + "]"


def verdict_text(c):
    v, e = c["verdict"], c["expected"]
    if v == e:
        return v + (" (expected)" if e == "refuted" else "")
    if c.get("as_expected", False):
        return v
    return r"\textbf{" + v + " (expected " + e + ")}"


# ----------------------------------------------------------------------------- fragments
HEADER = r"""% {file}: generated by scripts/outputs from results/{name}.json; do not edit.
% {count} claims of study {sid} ({slug}). \{example} gives a claim's estimate,
% \{example}[interval] its interval (fields: see scripts/outputs.d/latex.py).
"""

PREAMBLE = r"""\providecommand\initlabnum[2]{\ifx\relax#2\relax#1\else\ensuremath{#1\times10^{#2}}\fi}
\providecommand\initlabna{n/a}
\providecommand\initlabvalue[3]{\csname initlab/#1/#2/#3\endcsname}
"""


def macros(report):
    name = name_of(report)
    sid = report["study"]["id"]
    claims = report["claims"]
    example = macro_name(report, claims[0]) if claims else "initlab" + study_word(report)
    lines = [HEADER.format(file=f"results/latex/{name}.tex", name=name, count=len(claims),
                           sid=sid, slug=report["study"]["slug"], example=example).rstrip("\n"),
             rf"\expandafter\ifx\csname initlab/{sid}/loaded\endcsname\relax\else"
             r"\expandafter\endinput\fi",
             rf"\expandafter\def\csname initlab/{sid}/loaded\endcsname{{}}",
             PREAMBLE.rstrip("\n"),
             ] + [rf"\expandafter\def\csname initlab/{sid}//{key}\endcsname{{{value}}}"
                  for key, value in (("title", text(report["study"]["title"])),
                                     ("source", text(report["study"]["source"])),
                                     ("verdict", report["verdict"]),
                                     ("claims", str(len(claims))))]
    for c in claims:
        cid = c["id"]
        fields = [
            ("estimate", num(c.get("estimate"))),
            ("analytic", num(c.get("analytic"))),
            ("low", num(c.get("ci_low"))),
            ("high", num(c.get("ci_high"))),
            ("interval", interval(c)),
            ("full", num(c.get("estimate")) + " " + interval(c)),
            ("stderr", num(c.get("std_error"))),
            ("trials", str(c.get("trials", ""))),
            ("confidence", num(c.get("confidence"), CONFIDENCE_DIGITS)),
            ("verdict", c["verdict"]),
            ("expected", c["expected"]),
            ("id", tt_id(cid)),
            ("statement", text(c.get("statement", ""))),
            ("formula", text(c.get("formula", ""))),
        ]
        lines.append(f"% {macro_name(report, c)}: {cid}")
        for key, value in fields:
            lines.append(rf"\expandafter\def\csname initlab/{sid}/{cid}/{key}\endcsname{{{value}}}")
        lines.append(rf"\newcommand\{macro_name(report, c)}[1][estimate]"
                     rf"{{\initlabvalue{{{sid}}}{{{cid}}}{{#1}}}}")
    return "\n".join(lines) + "\n"


def table(report):
    name = name_of(report)
    sid = report["study"]["id"]
    lines = [f"% results/latex/{name}.table.tex: generated by scripts/outputs from "
             f"results/{name}.json; do not edit.",
             f"% Needs \\usepackage{{array,booktabs,longtable}} and \\input{{{name}.tex}} (the "
             "macros).",
             r"\begingroup\footnotesize\setlength\tabcolsep{4pt}",
             r"\begin{longtable}{@{}>{\raggedright\arraybackslash}p{0.40\linewidth}l"
             r">{\raggedright\arraybackslash}p{0.21\linewidth}"
             r">{\raggedright\arraybackslash}p{0.13\linewidth}@{}}",
             rf"\caption{{Study {sid}: \initlabvalue{{{sid}}}{{}}{{title}}. "
             rf"Intervals at the study's Bonferroni confidence; results/{text(name)}.json.}}"
             rf"\label{{tab:initlab-{sid}}}\\",
             r"\toprule",
             r"Claim & Analytic & Estimate [interval] & Verdict \\",
             r"\midrule",
             r"\endfirsthead",
             r"\toprule",
             rf"Claim (study {sid}, continued) & Analytic & Estimate [interval] & Verdict \\",
             r"\midrule",
             r"\endhead",
             r"\bottomrule",
             r"\endlastfoot"]
    for c in report["claims"]:
        m = "\\" + macro_name(report, c)
        lines.append(rf"{m}[id]\newline {m}[statement] & {m}[analytic] & {m}\newline "
                     rf"{m}[interval] & {verdict_text(c)} \\")
    lines += [r"\end{longtable}", r"\endgroup"]
    return "\n".join(lines) + "\n"
