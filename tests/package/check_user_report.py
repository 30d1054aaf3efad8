"""check_user_report.py REPORT SCHEMA PROJECT: the report an out-of-tree study wrote validates
against initlab.report/1 (a real JSON Schema validator), has the study's own identity and claims
with the expected verdicts, and its provenance names the user's project, not initlab's."""
import json
import sys

import jsonschema


def main(report_path, schema_path, project):
    report = json.load(open(report_path, encoding="utf-8"))
    schema = json.load(open(schema_path, encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    errors = [f"{'/'.join(map(str, e.path))}: {e.message}" for e in cls(schema).iter_errors(report)]
    study = report.get("study", {})
    if (study.get("id"), study.get("slug")) != ("01", "my_claim"):
        errors.append(f"study identity {study.get('id')}/{study.get('slug')}, not 01/my_claim")
    verdicts = {c["id"]: c.get("verdict") for c in report.get("claims", [])}
    if verdicts.get("he_second_layer") != "confirmed":
        errors.append(f"he_second_layer: {verdicts.get('he_second_layer')}, not confirmed")
    if verdicts.get("lecun_variance_for_relu") != "refuted":
        errors.append(f"lecun_variance_for_relu: {verdicts.get('lecun_variance_for_relu')}")
    provenance = report.get("provenance", {})
    named = provenance.get("project") or {}
    if named.get("name") != project:
        errors.append(f"provenance names project {named.get('name')!r}, not {project!r}")
    if named.get("git_commit") == provenance.get("git_commit") and named.get("git_commit") != "unknown":
        errors.append(f"provenance gives the user's project initlab's commit {named.get('git_commit')}")
    for e in errors:
        print(f"FAIL: {e}")
    print(f"check_user_report: {len(report.get('claims', []))} claims, "
          f"{'valid' if not errors else f'{len(errors)} problem(s)'}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
