"""pytorch-doc.py REPO CXX WORK: every initlab name cited in docs/pytorch.md (initlab::a::b, and
the bare names in backquotes that the page attributes to initlab) is declared in
framework/include/initlab/*.hpp, and the page's C++ block compiles (its static_asserts hold)."""
import glob
import os
import re
import subprocess
import sys


def declared_words(repo):
    words = set()
    for h in glob.glob(os.path.join(repo, "framework", "include", "initlab", "**", "*.hpp"),
                       recursive=True):
        text = open(h, encoding="utf-8").read()
        text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
        text = re.sub(r"//[^\n]*", " ", text)  # comments do not declare anything
        words |= set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text))
    return words


def main(repo, cxx, work):
    page = open(os.path.join(repo, "docs", "pytorch.md"), encoding="utf-8").read()
    words = declared_words(repo)
    bad = []
    cited = set(re.findall(r"initlab::([A-Za-z_][A-Za-z0-9_]*(?:::[A-Za-z_][A-Za-z0-9_]*)*)",
                           page))
    # Bare names the page gives as initlab's (in backquotes, outside PyTorch calls).
    for name in ("truncated_normal_unit_stddev", "weight_law::truncation", "fan::out",
                 "conv2d<...>::fan_in", "conv2d<...>::fan_out"):
        if f"`{name}`" in page:
            cited.add(name.replace("<...>", ""))
    for name in sorted(cited):
        for part in name.split("::"):
            if part not in words:
                bad.append(f"docs/pytorch.md cites initlab::{name}: '{part}' is not declared "
                           "in framework/include/initlab")
    print(f"pytorch-doc: {len(cited)} initlab names cited")
    blocks = re.findall(r"```cpp\n(.*?)```", page, re.S)
    if not blocks:
        bad.append("docs/pytorch.md has no ```cpp block")
    os.makedirs(work, exist_ok=True)
    src = os.path.join(work, "pytorch_doc.cpp")
    open(src, "w").write("\n".join(blocks))
    r = subprocess.run([cxx, "-std=c++20", "-Wall", "-Wextra", "-Werror", "-fsyntax-only",
                        "-I" + os.path.join(repo, "framework", "include"), src],
                       capture_output=True, text=True)
    if r.returncode != 0:
        bad.append("the C++ block of docs/pytorch.md does not compile:\n" + r.stderr[-3000:])
    else:
        print("pytorch-doc: the C++ block compiles")
    for b in bad:
        print("FAIL:", b)
    print("pytorch-doc:", "FAILED" if bad else "passed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
