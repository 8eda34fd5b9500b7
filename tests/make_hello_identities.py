# SPDX-License-Identifier: Apache-2.0
"""Writes tests/vectors/hello_identities.json: 2,000 fresh secret identities for the peer-expiry test.

Generating an identity is memory-hard on purpose (~0.1 s each on one core), so the HELLO flood test
reads them from this file instead of spending minutes making them on every run. Run again only to
replace the set: `python tests/make_hello_identities.py [count] [processes]`.
"""
from __future__ import annotations

import json
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import libzt

OUT = Path(__file__).resolve().parent / "vectors" / "hello_identities.json"


def one(_: int) -> str:
    secret = libzt.Identity.generate().secret
    assert secret is not None
    return secret


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    processes = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    with ProcessPoolExecutor(max_workers=processes) as pool:
        secrets = list(pool.map(one, range(count), chunksize=16))
    OUT.write_text(json.dumps({"about": "secret identities whose HELLOs flood a root (test_peer_expiry.py)",
                               "identities": secrets}, indent=0) + "\n")
    print(f"wrote {len(secrets)} identities to {OUT}")


if __name__ == "__main__":
    main()
