"""report-schema.py REPO: every committed report (results/NN_slug.json and the quick references
tests/studies/reference/*.quick.json) validates against docs/schema/initlab.report-1.schema.json,
claim ids are unique within a report, and the schema rejects broken reports (controls)."""
import copy
import glob
import json
import os
import sys

import jsonschema


def main(repo):
    schema = json.load(open(os.path.join(repo, "docs", "schema", "initlab.report-1.schema.json")))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema)
    paths = sorted(glob.glob(os.path.join(repo, "results", "[0-9][0-9]_*.json")) +
                   glob.glob(os.path.join(repo, "tests", "studies", "reference", "*.quick.json")))
    bad = 0
    for p in paths:
        report = json.load(open(p, encoding="utf-8"))
        errors = sorted(validator.iter_errors(report), key=lambda e: list(e.path))
        ids = [c.get("id") for c in report.get("claims", [])]
        if len(ids) != len(set(ids)):
            errors.append(f"duplicate claim ids in {p}")
        for e in errors[:5]:
            where = "/".join(str(x) for x in getattr(e, "path", []))
            print(f"FAIL: {os.path.relpath(p, repo)}: {where}: {getattr(e, 'message', e)}")
        bad += bool(errors)
    print(f"report-schema: {len(paths) - bad}/{len(paths)} reports valid")
    # Controls: the schema must be able to fail.
    sample = json.load(open(paths[0], encoding="utf-8"))
    broken = []
    b = copy.deepcopy(sample); del b["claims"][0]["verdict"]; broken.append(("no verdict", b))
    b = copy.deepcopy(sample); b["claims"][0]["verdict"] = "maybe"; broken.append(("verdict", b))
    b = copy.deepcopy(sample); b["schema"] = "initlab.report/2"; broken.append(("schema", b))
    b = copy.deepcopy(sample); b["claims"][0]["estimate"] = "1.0"; broken.append(("string", b))
    b = copy.deepcopy(sample); b["claims"][0]["extra"] = 1; broken.append(("extra key", b))
    b = copy.deepcopy(sample); b["study"]["id"] = "1"; broken.append(("study id", b))
    b = copy.deepcopy(sample); del b["provenance"]["git_commit"]; broken.append(("commit", b))
    for what, b in broken:
        if validator.is_valid(b):
            print(f"FAIL: control '{what}': a broken report validates")
            bad += 1
    print("report-schema:", "FAILED" if bad else "passed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
