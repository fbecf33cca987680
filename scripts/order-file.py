#!/usr/bin/env python3
"""The link order of deskd's code: the functions a run enters, for the release link (issue 17).

A started daemon runs a little of its code — 1.1 MiB of deskd's own ~20 MiB — but the kernel
maps a file's pages in 64 KiB windows around every page touched ("fault-around"), and the code a
start runs is spread over all of it, module by module: the idle daemon held ~13 MiB of the
binary's code for 1.1 MiB run. Linked with the entered functions first, one after
another, the same start touches a few windows (docs/benchmarks.md, "The code a start runs,
linked together").

This script writes the two files Package.swift gives lld for a release link of deskd:
`Sources/deskd/deskd.order` (`--symbol-ordering-file`: the entered functions that have a
symbol, by name) and `Sources/deskd/deskd.ld` (`--script`: the entered code without one —
Swift's unnamed functions, `.text..L__unnamed_N` of an object file — placed in a section of its
own just before `.text`). It reads a release binary built by scripts/build-release.sh (one
section per function, and the link map beside it), then runs it four times, each under
scripts/order/bptrace.c (a breakpoint at every function, each removed at its first hit): a
first start on a new database, a later start answering bench-startup.py's 100 reads,
scripts/soak.py's mixed load for `--soak-minutes`, and scripts/bench.sh's intake at 256
connections for 3 s (where wrk is installed). The starts' functions come first, then those
only the load entered, each group in the binary's own order.

    scripts/build-release.sh
    python3 scripts/order-file.py
    scripts/build-release.sh          # links again, by the new order

Rerun it when the code that runs changes much: a function missing from the lists only lands
after the listed ones (lld is told not to warn), so a stale list costs memory, never
correctness. Needs x86-64 Linux, cc, nm and readelf; loopback only.
"""

import argparse
import glob
import bisect
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from deskd_process import free_port, healthy  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def text_sections(map_path):
    """Every input section of the code in lld's link map — of the output `.text` and of the
    `.text.entered` that deskd.ld puts before it: (address, size, file, name), in address order."""
    sections, inside = [], False
    with open(map_path) as lines:
        for line in lines:
            match = re.match(r"\s*([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)\s+\d+( +)(\S.*)$", line)
            if not match:
                continue
            depth, rest = len(match.group(3)), match.group(4)
            if depth == 1:  # an output section
                inside = rest in (".text", ".text.entered")
            elif inside and depth <= 9:  # an input section (a symbol is indented further)
                named = re.match(r"(.*):\((\S+)\)$", rest)
                if named and int(match.group(2), 16) > 0:
                    sections.append((int(match.group(1), 16), int(match.group(2), 16), named.group(1), named.group(2)))
    return sorted(sections)


def function_symbols(binary):
    """Address → the first name of every function symbol of the binary."""
    names = {}
    listing = subprocess.run(["nm", "-S", "-n", "--defined-only", binary], capture_output=True, text=True, check=True).stdout
    for line in listing.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[2] in "tTwW" and int(parts[1], 16) > 0:
            names.setdefault(int(parts[0], 16), parts[3])
    return names


def file_pattern(path):
    """A linker-script pattern for one object file: its last two path components (a module's
    folder and the file), any character outside a plain name matched by `?`; for a member of a
    static library (`…/libswiftCore.a(Member.o)` in the map), lld's `archive:member` form."""
    plain = lambda text: re.sub(r"[^A-Za-z0-9_.+/-]", "?", text)  # noqa: E731
    member = re.match(r"(.*)\((.*)\)$", path)
    if member:
        return f"*/{plain(os.path.basename(member.group(1)))}:{plain(member.group(2))}"
    return "*/" + plain("/".join(path.split("/")[-2:]))


def wait_ready(port, seconds=120):
    deadline = time.time() + seconds
    while not healthy(port):
        if time.time() > deadline:
            raise SystemExit(f"order-file: deskd did not answer on port {port}")
        time.sleep(0.02)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build-release/release/deskd"))
    parser.add_argument("--map", default=os.path.join(ROOT, ".build-release/deskd.map"), help="the binary's link map")
    parser.add_argument("--out", default=os.path.join(ROOT, "Sources/deskd"), help="folder for deskd.order and deskd.ld")
    parser.add_argument("--soak-minutes", default="0.3")
    args = parser.parse_args()
    binary = os.path.abspath(args.binary)
    if os.path.getmtime(args.map) < os.path.getmtime(binary) - 60:
        raise SystemExit(f"order-file: {args.map} is older than {binary}: not its link map")
    sections = text_sections(args.map)
    starts = [section[0] for section in sections]
    symbols = function_symbols(binary)
    work = tempfile.mkdtemp(prefix="desk-order-")
    tracer = os.path.join(work, "bptrace")
    subprocess.run(["cc", "-O2", "-o", tracer, os.path.join(ROOT, "scripts/order/bptrace.c")], check=True)
    # A breakpoint at every input section's start (a function of its own where the code was
    # compiled one section per function, named or not) and at every function symbol.
    low, high = starts[0], sections[-1][0] + sections[-1][1]
    breakpoints = sorted(set(starts) | {a for a in symbols if low <= a < high})
    with open(os.path.join(work, "addresses"), "w") as out:
        out.write("".join(f"{address:x}\n" for address in breakpoints))
    # Every deskd of a run goes through this wrapper, scripts/soak.py's too: one file of entered
    # functions per process, named by its process id.
    wrapper = os.path.join(work, "deskd")
    with open(wrapper, "w") as out:
        out.write(f'#!/bin/sh\nexec {tracer} {work}/addresses {work}/entered.$$ {binary} "$@"\n')
    os.chmod(wrapper, 0o755)
    env = {k: v for k, v in os.environ.items() if k != "DESK_LOG_LEVEL"}  # the default level's log lines run too

    def run(port, database="desk.sqlite", *extra):
        return subprocess.Popen([wrapper, "--database", os.path.join(work, database), "--port", str(port), *extra],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)

    def admin_token(process):
        for line in process.stdout:
            if line.startswith("admin token: "):
                return line.strip().removeprefix("admin token: ")
        raise SystemExit("order-file: deskd printed no admin token")

    def entered_since(before):
        files = set(glob.glob(os.path.join(work, "entered.*"))) - before
        return set().union(*(set(int(a, 16) for a in open(f).read().split()) for f in files)), before | files

    port = free_port()
    first = run(port)
    wait_ready(port)
    token = admin_token(first)
    time.sleep(1)
    first.terminate()
    first.wait(60)
    port = free_port()
    later = run(port)
    wait_ready(port)
    for path in ["centre", "departments", "services", "staff", "calendar"] * 20:
        request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/{path}", headers={"Authorization": f"Bearer {token}"})
        urllib.request.urlopen(request, timeout=30).read()
    time.sleep(0.5)
    later.terminate()
    later.wait(60)
    start, seen = entered_since(set())
    soak = subprocess.run([sys.executable, os.path.join(ROOT, "scripts/soak.py"), "--deskd", wrapper,
                           "--minutes", args.soak_minutes, "--sample", "5", "--screens", "1"], env=env, stdout=subprocess.DEVNULL)
    if soak.returncode != 0:
        raise SystemExit("order-file: scripts/soak.py failed under the tracer")
    # And scripts/bench.sh's intake at 256 connections for a few seconds (with wrk, where it is installed).
    if shutil.which("wrk"):
        port = free_port()
        bench = run(port, "bench.sqlite", "--demo")
        wait_ready(port)
        subprocess.run(["wrk", "-t2", "-c256", "-d3s", "-s", os.path.join(ROOT, "scripts/bench/intake.lua"), f"http://127.0.0.1:{port}"],
                       env={**env, "DESK_TOKEN": admin_token(bench)}, stdout=subprocess.DEVNULL, check=True)
        bench.terminate()
        bench.wait(60)
    time.sleep(1)
    load, _ = entered_since(seen)

    # Each entered address → its input section; the starts' sections first, then the load's.
    ordered, placed = [], set()
    for group in (start, load - start):
        for address in sorted(group):
            section = sections[bisect.bisect_right(starts, address) - 1]
            if section not in placed:
                placed.add(section)
                ordered.append(section)
    # A section that begins at a function symbol is placed by that name (--symbol-ordering-file);
    # the rest — Swift's unnamed functions (`.text..L__unnamed_N`, no symbol to name them) and
    # the whole `.text` of files compiled without function sections — by a linker script that
    # puts them in a section of their own before `.text`, the named ones following at its start.
    names = [symbols[address] for address, _, _, _ in ordered if address in symbols]
    unnamed = [section for section in ordered if section[0] not in symbols]
    with open(os.path.join(args.out, "deskd.order"), "w") as out:
        out.write("".join(name + "\n" for name in names))
    with open(os.path.join(args.out, "deskd.ld"), "w") as out:
        out.write("/* Written by scripts/order-file.py: the code deskd enters that has no symbol to order it by. */\n")
        out.write("SECTIONS\n{\n  .text.entered :\n  {\n")
        out.write("".join(f"    {file_pattern(path)}({name})\n" for _, _, path, name in unnamed))
        out.write("  }\n}\nINSERT BEFORE .text;\n")
    size = sum(section[1] for section in ordered)
    print(f"order-file: {len(ordered)} sections entered ({size / 1048576:.2f} MiB) of {len(sections)} in .text "
          f"({sum(s[1] for s in sections) / 1048576:.2f} MiB): {len(start)} functions by the starts, "
          f"{len(load - start)} more by the load; {len(names)} named in deskd.order, {len(unnamed)} in deskd.ld")


if __name__ == "__main__":
    main()
