#!/usr/bin/env python3
"""The reference side of Ward's differential test: decide requests with the real Cedar engine
(cedarpy, Rust) and print one JSON line per request:
{"decision": "Allow"|"Deny", "reasons": [policy indices], "errors": [policy indices]}.

usage: cedar_reference.py POLICIES.cedar ENTITIES.json REQUESTS.jsonl
"""
import json
import re
import sys

import cedarpy

POLICY = re.compile(r"policy `policy(\d+)`")


def main():
    policies_path, entities_path, requests_path = sys.argv[1:4]
    with open(policies_path, encoding="utf-8") as f:
        policies = f.read()
    with open(entities_path, encoding="utf-8") as f:
        entities = json.load(f)
    with open(requests_path, encoding="utf-8") as f:
        requests = [json.loads(line) for line in f if line.strip()]
    results = cedarpy.is_authorized_batch(requests, policies, entities)
    for result in results:
        reasons = sorted(int(r[len("policy"):]) for r in result.diagnostics.reasons)
        errors = sorted({int(m) for e in result.diagnostics.errors for m in POLICY.findall(e)})
        decision = "Allow" if result.decision == cedarpy.Decision.Allow else "Deny"
        print(json.dumps({"decision": decision, "reasons": reasons, "errors": errors}))


if __name__ == "__main__":
    main()
