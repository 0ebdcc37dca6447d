"""Run the aliasing state machine (tests/test_fuzz_state.py) for as long as asked.

    python tools/fuzz.py --seconds 600        (make fuzz FUZZ_SECONDS=600)

Work is done by child processes of about --chunk seconds each, so a crash (segfault, abort)
is reported with the script that was running instead of ending the run.  Failures are grouped
by kind (what mismatched, and the shape of the step that made it); for each kind the shortest
script seen is printed, a ready-made reproducer.  Runs alternate short (8 steps) and long (40
steps) examples: short ones give small reproducers, long ones reach deeper states.
Exit status: 0 when nothing failed, 1 otherwise.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def signature(first_line, script):
    """Kind of failure: what mismatched + the last statement with names/numbers/literals elided."""
    kind = re.sub(r"^[ta]\d+: ", "", first_line)
    kind = re.split(r"[\s(]", kind.replace("`", ""), maxsplit=1)[0] if not kind.startswith("`") else (
        "raised" if " raised " in kind else "no error")
    lines = [ln for ln in script.strip().splitlines() if ln.strip() and not ln.startswith("except")
             and not ln.startswith("    print") and ln.strip() != "try:"]
    last = lines[-1].strip() if lines else ""
    last = re.sub(r"torch\.tensor\(\[.*?\]\)", "torch.tensor(L)", last)
    last = re.sub(r"\b[ta]\d+\b", "X", last)
    last = re.sub(r"-?\d+(\.\d+)?", "N", last)
    return f"{kind}: {last}"


def worker(seconds, crash_log):
    os.environ["RTENSOR_FUZZ_CRASH_LOG"] = crash_log
    sys.path.insert(0, os.path.join(ROOT, "tests"))
    from hypothesis.stateful import run_state_machine_as_test
    import test_fuzz_state as fz

    failures = []
    runs = 0
    end = time.time() + seconds
    while time.time() < end:
        steps = 8 if runs % 2 == 0 else 40
        runs += 1
        try:
            run_state_machine_as_test(
                fz.AliasMachine,
                settings=fz.machine_settings(5, steps, database=None, report_multiple_bugs=False))
        except fz.FuzzFailure as e:
            msg = str(e)
            first, _, rest = msg.partition("\n")
            script = rest.split("--- reproducer (steps so far) ---\n", 1)[-1].split("\n--- end ---")[0]
            failures.append({"first": first, "script": script})
        except Exception as e:  # a bug in the oracle itself, or an error outside `call`
            import traceback
            failures.append({"first": f"harness error {type(e).__name__}: {e}".split("\n")[0],
                             "script": traceback.format_exc()})
    print(json.dumps({"steps": fz.AliasMachine.steps, "failures": failures}))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--chunk", type=float, default=60)
    ap.add_argument("--worker", type=float, help=argparse.SUPPRESS)
    ap.add_argument("--crash-log", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker is not None:
        return worker(args.worker, args.crash_log)

    start = time.time()
    end = start + args.seconds
    steps = 0
    groups = {}  # signature -> [count, shortest script, first line]
    crashes = 0
    fd, crash_log = tempfile.mkstemp(prefix="rtensor-fuzz-", suffix=".py")
    os.close(fd)
    try:
        while time.time() < end - 1:
            chunk = min(args.chunk, end - time.time())
            p = subprocess.run([sys.executable, __file__, "--worker", str(chunk), "--crash-log", crash_log],
                               capture_output=True, text=True, timeout=chunk + 300)
            if p.returncode == 0:
                out = json.loads(p.stdout.strip().splitlines()[-1])
                steps += out["steps"]
                results = out["failures"]
            else:
                crashes += 1
                sig = (f"signal {signal.Signals(-p.returncode).name}" if p.returncode < 0
                       else f"exit status {p.returncode}")
                with open(crash_log) as f:
                    script = f.read()
                tail = "\n".join(p.stderr.strip().splitlines()[-5:])
                results = [{"first": f"CRASH ({sig}) {tail}", "script": script}]
            for r in results:
                sig = signature(r["first"], r["script"])
                g = groups.setdefault(sig, [0, r["script"], r["first"]])
                g[0] += 1
                if len(r["script"]) < len(g[1]):
                    g[1], g[2] = r["script"], r["first"]
            print(f"[{time.time() - start:6.0f} s] steps {steps}, failures "
                  f"{sum(g[0] for g in groups.values())} in {len(groups)} kinds, crashes {crashes}",
                  flush=True)
    finally:
        os.unlink(crash_log)

    nfail = sum(g[0] for g in groups.values())
    print(f"\n=== fuzz summary: {steps} steps in {time.time() - start:.0f} s, "
          f"{nfail} failures in {len(groups)} kinds, {crashes} crashes ===")
    for sig, (count, script, first) in sorted(groups.items(), key=lambda kv: -kv[1][0]):
        print(f"\n--- {count} x {sig}\n# {first}\n{script}")
    return 1 if nfail else 0


if __name__ == "__main__":
    sys.exit(main())
