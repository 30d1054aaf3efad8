#!/usr/bin/env bash
# content-hash.sh STUDY WORKDIR: provenance.content_sha256 is the SHA-256 of the report without
# its provenance, serialized as written: the file with its last member (provenance) cut out,
# i.e. the text before ',\n  "provenance": ' followed by '\n}\n'. Equal for --threads 1 and 2
# (the body is), and provenance keeps initlab_version, git_commit, ranks and mpi_library.
set -u
study=$1 work=$2
source "$(dirname "$0")/common.sh"
fresh_dir "$work"
for t in 1 2; do
  timeout 120 "$study" --quick --threads "$t" --out "$work/t$t.json" > /dev/null 2>&1 ||
    fail "--threads $t failed"
done
python3 - "$work/t1.json" "$work/t2.json" <<'PY' || fail "content_sha256"
import hashlib, json, sys
hashes = []
for path in sys.argv[1:]:
    text = open(path, encoding="utf-8").read()
    cut = text.index(',\n  "provenance": ')
    body = text[:cut] + "\n}\n"
    p = json.loads(text)["provenance"]
    for key in ("initlab_version", "git_commit", "content_sha256", "ranks", "mpi_library"):
        assert key in p, f"{path}: provenance has no {key}"
    digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
    assert p["content_sha256"] == digest, f"{path}: {p['content_sha256']} != {digest}"
    hashes.append(digest)
assert hashes[0] == hashes[1], "the body differs between --threads 1 and 2"
PY
echo ok
