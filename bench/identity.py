#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Identity benchmark: our library against the official libzt 1.8.4, measured in the same run.

What is measured
  * generate, C level, like for like: ``zts_id_new`` of our native module and of the official
    libzt 1.8.4 .so, each loaded with ctypes in a child process of its own and called in a tight
    loop (no JSON worker, no Python wrapper beyond one ctypes call). Both search single-threaded.
  * validate, C level, like for like: ``zts_id_pair_is_valid`` (parse + the memory-hard address
    hash + the key pair check) on the same identity, in the same children. It costs one hash per
    call, so it has none of the luck of generation: the steadiest comparison of the two cores.
  * ours only, Python API: ``libzt.Identity.generate(threads=1)``, ``generate(threads=0)`` (every
    CPU), ``sign`` and ``verify`` (a 256-byte message) and ``agree``. The official API has no sign,
    verify or agree call (and its generation is single-threaded only), so there is nothing of
    theirs to compare these with.

How
  Each figure is a timed loop of about ``--seconds`` seconds (sign, verify and agree: 2 s, plenty
  for operations of tens of microseconds), split into batches of at least 1 ms;
  the rate is calls / time, and ``±`` is a 95 % interval from the spread of the batches.
  Generation is a search for a key whose memory-hard hash meets a criterion (about 15 tries on
  average, geometrically distributed), so its rate over N identities is only good to roughly
  ±2/sqrt(N): give more ``--seconds`` to narrow it. Ours and the official run alternately in
  ``--rounds`` rounds so that a noisy neighbour hits both alike.

Reading the output
  Rates are per second, higher is better. ``ours/official`` > 1 means ours is faster; the target is
  >= 1 (not slower than the official library). Overlapping ± intervals mean "no measurable
  difference". ``--json`` prints one JSON object instead of the table.

Usage: python3 bench/identity.py [--seconds 8] [--rounds 3] [--quick] [--json]
(about 70 s by default, 20 s with --quick)
"""
from __future__ import annotations

import argparse
import ctypes
import json
import math
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

HERE = Path(__file__).resolve().parent
TESTS = HERE.parent / "tests"
ID_BUF_LEN = 384  # ZTS_ID_STR_BUF_LEN
MESSAGE = bytes(range(256))


# --- measuring -------------------------------------------------------------------------------------


def measure(fn: Callable[[], Any], seconds: float) -> Dict[str, float]:
    """Call ``fn`` for about ``seconds``; batches of >= 1 ms. Returns calls, seconds, rate, ci95."""
    t0 = time.perf_counter()
    fn()
    first = time.perf_counter() - t0
    batch = 1 if first >= 1e-3 else max(1, math.ceil(1e-3 / max(first, 1e-7)))
    rates: List[float] = []
    calls = 0
    spent = 0.0
    while spent < seconds or len(rates) < 3:
        t0 = time.perf_counter()
        for _ in range(batch):
            fn()
        dt = time.perf_counter() - t0
        rates.append(batch / dt)
        calls += batch
        spent += dt
    rate = calls / spent
    # Interval of the mean time per call, turned into a rate interval (batches weigh equally).
    per_call = [1.0 / r for r in rates]
    sem = statistics.stdev(per_call) / math.sqrt(len(per_call))
    mean = statistics.fmean(per_call)
    ci = rate * 1.96 * sem / mean
    return {"calls": calls, "seconds": spent, "rate": rate, "ci95": ci}


def combine(parts: List[Dict[str, float]]) -> Dict[str, Any]:
    """Merge the rounds of one measurement: total rate, pooled interval, per-round rates."""
    calls = sum(p["calls"] for p in parts)
    spent = sum(p["seconds"] for p in parts)
    rate = calls / spent
    # Rounds are independent: combine the relative half-widths as for a weighted mean.
    rel = math.sqrt(sum((p["ci95"] / p["rate"] * p["seconds"] / spent) ** 2 for p in parts))
    return {
        "calls": calls,
        "seconds": round(spent, 3),
        "rate": rate,
        "ci95": rate * rel,
        "rounds": [round(p["rate"], 3) for p in parts],
    }


# --- the child: one library loaded with ctypes, zts_* in a tight loop -------------------------------------


def child_main(flavor: str, lib_path: str, stub_path: Optional[str], op: str, seconds: float) -> None:
    """Runs in a process of its own (one library per process, as libzt wants); prints one JSON line."""
    if stub_path:
        ctypes.CDLL(stub_path, mode=os.RTLD_GLOBAL)
    lib = ctypes.CDLL(lib_path, mode=os.RTLD_GLOBAL | os.RTLD_LAZY)
    lib.zts_id_new.restype = ctypes.c_int
    lib.zts_id_new.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_uint)]
    lib.zts_id_pair_is_valid.restype = ctypes.c_int
    lib.zts_id_pair_is_valid.argtypes = [ctypes.c_char_p, ctypes.c_uint]
    buf = ctypes.create_string_buffer(ID_BUF_LEN)
    size = ctypes.c_uint(ID_BUF_LEN)

    def new() -> None:
        size.value = ID_BUF_LEN
        if lib.zts_id_new(buf, ctypes.byref(size)) != 0:
            raise RuntimeError(f"{flavor}: zts_id_new failed")

    new()
    key = ctypes.create_string_buffer(buf.raw[: size.value], ID_BUF_LEN)  # zero-padded, as the API wants

    def valid() -> None:
        if lib.zts_id_pair_is_valid(key, ID_BUF_LEN) != 1:
            raise RuntimeError(f"{flavor}: zts_id_pair_is_valid rejected {key.value[:10]!r}")

    result = measure(new if op == "new" else valid, seconds)
    print(json.dumps(result), flush=True)


def run_child(flavor: str, op: str, seconds: float, lib: Path, stub: Optional[Path]) -> Dict[str, float]:
    argv = [sys.executable, str(Path(__file__).resolve()), "--child", flavor, "--op", op,
            "--seconds", str(seconds), "--lib", str(lib)]
    if stub is not None:
        argv += ["--stub", str(stub)]
    # stdout carries the result; the libraries' own prints (if any) would land there too, so take the
    # last line. A child that hangs is killed by the timeout.
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=seconds * 10 + 60)
    if proc.returncode != 0:
        raise RuntimeError(f"{flavor} {op} child failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --- the parent ------------------------------------------------------------------------------------------


def python_api_measurements(seconds: float, fast_seconds: float, rounds: int) -> Dict[str, Dict[str, Any]]:
    import libzt

    me = libzt.Identity.generate()
    peer = libzt.Identity.generate().public_identity()
    sig = me.sign(MESSAGE)
    assert me.verify(MESSAGE, sig)
    ops: Dict[str, Callable[[], Any]] = {
        "py_generate_1": lambda: libzt.Identity.generate(threads=1),
        "py_generate_all": lambda: libzt.Identity.generate(threads=0),
        "py_sign": lambda: me.sign(MESSAGE),
        "py_verify": lambda: me.verify(MESSAGE, sig),
        "py_agree": lambda: me.agree(peer),
    }
    out = {}
    for name, fn in ops.items():
        budget = seconds if "generate" in name else fast_seconds
        out[name] = combine([measure(fn, budget / rounds) for _ in range(rounds)])
    return out


ROWS = [
    # key, label, official key or None, note
    ("c_generate", "generate  zts_id_new (C, 1 thread)", "c_generate", "like for like"),
    ("c_validate", "validate  zts_id_pair_is_valid (C)", "c_validate", "like for like"),
    ("py_generate_1", "generate  Identity.generate(threads=1)", None, "ours only (Python API)"),
    ("py_generate_all", "generate  Identity.generate(threads=0)", None, "ours only: every CPU"),
    ("py_sign", "sign      256 B (Identity.sign)", None, "ours only: no such official call"),
    ("py_verify", "verify    256 B (Identity.verify)", None, "ours only: no such official call"),
    ("py_agree", "agree     (Identity.agree)", None, "ours only: no such official call"),
]


def fmt_rate(m: Optional[Dict[str, Any]]) -> str:
    if m is None:
        return "-"
    rate, ci = m["rate"], m["ci95"]
    digits = 1 if rate < 1000 else 0
    return f"{rate:,.{digits}f} ± {ci:,.{digits}f} ({m['calls']})"


def print_table(results: Dict[str, Any]) -> None:
    ours, official = results["ours"], results["official"]
    print(f"\nIdentity benchmark: {results['cpus']} CPUs, {results['seconds']} s per figure "
          f"({results['fast_seconds']} s for sign/verify/agree) in {results['rounds']} rounds.")
    print(f"Load average (1 min) before / after: {results['load_before']:.2f} / {results['load_after']:.2f}: above "
          "~0.5 something else competes for the CPUs (threads=0 suffers first).")
    print("Rates per second ± 95 % interval (calls made); higher is better.\n")
    header = f"{'operation':40} {'ours':>26} {'official 1.8.4':>24} {'ours/official':>14}  note"
    print(header)
    print("-" * len(header))
    for key, label, off_key, note in ROWS:
        mine = ours.get(key)
        theirs = official.get(off_key) if off_key else None
        ratio = results["ratios"].get(key)
        ratio_s = f"{ratio:.2f}" if ratio is not None else "-"
        print(f"{label:40} {fmt_rate(mine):>26} {fmt_rate(theirs):>24} {ratio_s:>14}  {note}")
    print()
    for key, text in results["verdicts"].items():
        print(f"{key}: {text}")
    print(f"generate threads=0 / threads=1: {results['threads_speedup']:.2f}x on {results['cpus']} CPUs")
    print("\nNot compared: the official API has no sign/verify/agree and no multi-threaded generation, so")
    print("the Python-API rows are ours only (they include the cffi wrapper, about a microsecond per call).")


def verdict(ours: Dict[str, Any], official: Dict[str, Any]) -> str:
    lo_ours, hi_theirs = ours["rate"] - ours["ci95"], official["rate"] + official["ci95"]
    hi_ours, lo_theirs = ours["rate"] + ours["ci95"], official["rate"] - official["ci95"]
    if lo_ours > hi_theirs:
        return "ours faster (intervals apart): target met"
    if hi_ours < lo_theirs:
        return "OURS SLOWER (intervals apart): target missed"
    return "no measurable difference (intervals overlap)"


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=8.0,
                        help="time per generate/validate figure (default 8; sign/verify/agree get 2)")
    parser.add_argument("--rounds", type=int, default=3, help="alternate ours/official this many times")
    parser.add_argument("--quick", action="store_true", help="about 20 s in all (--seconds 2)")
    parser.add_argument("--json", action="store_true", help="print a JSON object instead of the table")
    parser.add_argument("--child", choices=("ours", "official"), help=argparse.SUPPRESS)
    parser.add_argument("--op", choices=("new", "valid"), help=argparse.SUPPRESS)
    parser.add_argument("--lib", help=argparse.SUPPRESS)
    parser.add_argument("--stub", help=argparse.SUPPRESS)
    opts = parser.parse_args(argv)
    if opts.child:
        child_main(opts.child, opts.lib, opts.stub, opts.op, opts.seconds)
        return 0
    if opts.quick:
        opts.seconds = 2.0
    fast_seconds = min(opts.seconds, 2.0) if not opts.quick else 0.6
    rounds = max(1, opts.rounds)

    sys.path.insert(0, str(TESTS))
    from support.official import ensure_official, our_library

    paths = ensure_official()
    load_before = os.getloadavg()[0]
    libs = {"ours": (our_library(), None), "official": (paths.lib, paths.stub)}
    log = (lambda *a: None) if opts.json else (lambda *a: print(*a, file=sys.stderr, flush=True))

    parts: Dict[str, Dict[str, List[Dict[str, float]]]] = {"ours": {}, "official": {}}
    for op, key in (("new", "c_generate"), ("valid", "c_validate")):
        for r in range(rounds):
            # Alternate who goes first, so that drift over the run favours neither side.
            order = ("ours", "official") if r % 2 == 0 else ("official", "ours")
            for flavor in order:
                log(f"  {flavor:8} {key} round {r + 1}/{rounds} ...")
                lib, stub = libs[flavor]
                parts[flavor].setdefault(key, []).append(run_child(flavor, op, opts.seconds / rounds, lib, stub))
    ours = {k: combine(v) for k, v in parts["ours"].items()}
    official = {k: combine(v) for k, v in parts["official"].items()}
    log("  ours     Python API (generate x2, sign, verify, agree) ...")
    ours.update(python_api_measurements(opts.seconds, fast_seconds, rounds))

    ratios = {k: ours[k]["rate"] / official[k]["rate"] for k in official}
    results = {
        "cpus": os.cpu_count(),
        "load_before": load_before,
        "load_after": os.getloadavg()[0],
        "seconds": opts.seconds,
        "fast_seconds": fast_seconds,
        "rounds": rounds,
        "ours": ours,
        "official": official,
        "ratios": ratios,
        "verdicts": {k: verdict(ours[k], official[k]) for k in official},
        "threads_speedup": ours["py_generate_all"]["rate"] / ours["py_generate_1"]["rate"],
    }
    if opts.json:
        print(json.dumps(results, indent=2))
    else:
        print_table(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
