"""citation.py REPO: CITATION.cff parses as YAML with the keys CFF 1.2.0 requires (cff-version,
message, title, authors with names) and its version is the project version of the top-level
CMakeLists.txt; where the README carries the BibTeX entry (@software{initlab...), its version
is the same."""
import os
import re
import sys

import yaml


def main(repo):
    bad = []
    cff = yaml.safe_load(open(os.path.join(repo, "CITATION.cff"), encoding="utf-8"))
    if not isinstance(cff, dict):
        print("FAIL: CITATION.cff is not a YAML mapping")
        return 1
    for key in ("cff-version", "message", "title", "authors", "version"):
        if not cff.get(key):
            bad.append(f"CITATION.cff: no '{key}'")
    if str(cff.get("cff-version")) != "1.2.0":
        bad.append(f"CITATION.cff: cff-version {cff.get('cff-version')!r}, expected 1.2.0")
    authors = cff.get("authors") or []
    if not isinstance(authors, list) or not all(
            isinstance(a, dict) and (a.get("name") or a.get("family-names")) for a in authors):
        bad.append("CITATION.cff: every author needs a name or family-names")
    cmake = open(os.path.join(repo, "CMakeLists.txt"), encoding="utf-8").read()
    m = re.search(r"project\(\s*initlab\b[^)]*?\bVERSION\s+([0-9.]+)", cmake)
    if not m:
        bad.append("CMakeLists.txt: no project(initlab VERSION ...)")
    else:
        version = m.group(1)
        if str(cff.get("version")) != version:
            bad.append(f"CITATION.cff: version {cff.get('version')!r}, CMakeLists.txt {version}")
        readme = open(os.path.join(repo, "README.md"), encoding="utf-8").read()
        bib = re.search(r"@software\{initlab[^@]*?version\s*=\s*\{([^}]*)\}", readme, re.S)
        if bib and bib.group(1) != version:
            bad.append(f"README.md BibTeX: version {bib.group(1)}, CMakeLists.txt {version}")
        print(f"citation: version {version}" + (", README BibTeX checked" if bib else
                                                 " (README has no BibTeX entry yet)"))
    for b in bad:
        print("FAIL:", b)
    print("citation:", "FAILED" if bad else "passed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
