"""`make memcheck`: run tools/memcheck_script.py under valgrind memcheck and judge the result.

Fails (exit 1) on any memory error -- invalid read/write/free, use of uninitialised values,
bad syscall parameters -- and on any definite leak whose stack contains rtensor's extension
(`_C.abi3.so`, or a path with `rtensor` in it), and when the script itself fails (wrong
results, exit 3).  Errors elsewhere (CPython, NumPy, the loader) are counted and listed, not
failed on; tools/valgrind-python.supp silences the known ones.
"""
from __future__ import annotations

import collections
import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
ERROR_EXIT = 99


def ours(frame):
    obj = frame.findtext("obj") or ""
    path = (frame.findtext("dir") or "") + "/" + (frame.findtext("file") or "")
    return "_C.abi3.so" in obj or "rtensor" in obj or "/rust/" in path


def describe(err, n=14):
    lines = []
    stack = err.find("stack")
    for f in (stack.findall("frame") if stack is not None else [])[:n]:
        where = (f.findtext("file") and f"{f.findtext('file')}:{f.findtext('line')}") or \
            os.path.basename(f.findtext("obj") or "?")
        lines.append(f"      {'*' if ours(f) else ' '} {f.findtext('fn') or '???'}  ({where})")
    return "\n".join(lines)


def main():
    python = sys.executable
    script = os.path.join(HERE, "memcheck_script.py")
    supp = os.path.join(HERE, "valgrind-python.supp")
    xml_path = tempfile.mktemp(prefix="rtensor-memcheck-", suffix=".xml")
    cmd = ["valgrind", "--tool=memcheck", f"--suppressions={supp}", "--leak-check=full",
           "--show-leak-kinds=definite,indirect,possible", "--errors-for-leak-kinds=definite",
           f"--error-exitcode={ERROR_EXIT}", "--num-callers=50", "--xml=yes",
           f"--xml-file={xml_path}", python, script]
    # PYTHONHASHSEED: no os.urandom at start-up (valgrind treats its bytes as uninitialised)
    env = dict(os.environ, PYTHONMALLOC="malloc", PYTHONHASHSEED="0")
    print("$ PYTHONMALLOC=malloc " + " ".join(cmd[:1] + ["..."] + cmd[-2:]), flush=True)
    t0 = time.time()
    p = subprocess.run(cmd, env=env)
    took = time.time() - t0
    try:
        root = ET.parse(xml_path).getroot()
    except (OSError, ET.ParseError) as e:
        print(f"memcheck: could not read valgrind's XML ({e}); exit status {p.returncode}")
        return 1
    finally:
        if os.path.exists(xml_path):
            os.unlink(xml_path)

    counts = collections.Counter()      # (kind, ours) -> errors
    leaked = collections.Counter()      # kind -> bytes
    bad = []
    for err in root.iter("error"):
        kind = err.findtext("kind")
        stack = err.find("stack")
        mine = stack is not None and any(ours(f) for f in stack.findall("frame"))
        counts[(kind, mine)] += 1
        if kind.startswith("Leak_"):
            xw = err.find("xwhat")
            leaked[kind] += int(xw.findtext("leakedbytes") or 0) if xw is not None else 0
            if kind == "Leak_DefinitelyLost" and mine:
                bad.append(err)
        elif mine:
            bad.append(err)
    suppressed = sum(int(p_.findtext("count")) for p_ in root.iter("pair"))

    print(f"\n=== memcheck summary ({took:.0f} s under valgrind; script exit status "
          f"{p.returncode}{' = errors found' if p.returncode == ERROR_EXIT else ''}) ===")
    kinds = sorted({k for k, _ in counts})
    for k in kinds:
        print(f"  {k:22s} in rtensor: {counts[(k, True)]:4d}   elsewhere: {counts[(k, False)]:4d}")
    if not kinds:
        print("  no unsuppressed errors")
    print(f"  suppressed (known CPython/NumPy/loader/PyO3 noise): {suppressed}")
    print("  leaks: " + ", ".join(f"{k[5:]} {leaked[k]} B" for k in
                                  ("Leak_DefinitelyLost", "Leak_IndirectlyLost", "Leak_PossiblyLost")))
    others = [e for e in root.iter("error") if e not in bad and not e.findtext("kind").startswith("Leak_P")
              and not e.findtext("kind").startswith("Leak_I")]
    for title, errs in (("FAILING (stack contains rtensor)", bad), ("not rtensor's (listed only)", others)):
        if errs:
            print(f"\n{title}:")
            for e in errs:
                what = e.findtext("what") or e.findtext("xwhat/text")
                print(f"  {e.findtext('kind')}: {what}\n{describe(e)}")
    if p.returncode not in (0, ERROR_EXIT):
        print(f"\nmemcheck: the script failed (exit status {p.returncode})")
        return 1
    if bad:
        print(f"\nmemcheck: FAILED, {len(bad)} error(s) attributed to rtensor")
        return 1
    print("\nmemcheck: ok (no invalid access and no definite leak attributed to rtensor)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
