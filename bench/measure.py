"""Runs the startup benchmark (called by bench/run, as an unprivileged user).

ONLY=SUBSTRING runs just the scenarios whose name contains it.

Each scenario runs jail, the floor, unshare and bwrap on /bin/true with
hyperfine -N, ROUNDS times; the table gives the median over rounds of each
command's median. The machine drifts 10-30% between runs, and hyperfine runs
one command after the other, so the ratios come from `paired` (bench/paired.c),
which runs the commands interleaved (A B C A B C ...) and takes the median of
the per-round ratios: those are the figures the targets are checked against.
"""

import json
import os
import statistics
import subprocess
import sys
import time

work = sys.argv[1]
quick = "--quick" in sys.argv
RUNS = int(os.environ.get("RUNS", 50 if quick else 200))
ROUNDS = int(os.environ.get("ROUNDS", 1 if quick else 3))
LAUNCHES = int(os.environ.get("LAUNCHES", 300 if quick else 1000))
ONLY = os.environ.get("ONLY", "")
J = f"{work}/jail"
JS = f"{work}/jail-stable"
F = f"{work}/floor"
T = "/bin/true"


def works(cmd):
    try:
        return subprocess.run(cmd.split(), stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL).returncode == 0
    except OSError:
        return False


SCENARIOS = [
    ("user", {
        "jail": f"{J} -- {T}",
        "floor": f"{F} -U {T}",
        "unshare": f"unshare -U -r {T}",
        "bwrap": f"bwrap --unshare-user --bind / / {T}",
    }),
    ("user+net+pid", {
        "jail": f"{J} --net --pid -- {T}",
        "floor": f"{F} -U -n -p -m {T}",
        "unshare": f"unshare -U -r -n -p -f {T}",
        "unshare+proc": f"unshare -U -r -n -p -f -m --mount-proc {T}",
        "jail (stable build)": f"{JS} --net --pid -- {T}",
        "bwrap": f"bwrap --unshare-user --unshare-net --unshare-pid --bind / / {T}",
    }),
    ("--all", {
        "jail": f"{J} --all -- {T}",
        "floor": f"{F} -U -n -p -m -u -i -c {T}",
        "unshare": f"unshare -U -r -m -p -n -u -i -C -f --mount-proc {T}",
        "bwrap": f"bwrap --unshare-all --bind / / --proc /proc {T}",
    }),
    ("--ro --tmpfs /tmp --net --pid", {
        "jail": f"{J} --ro --tmpfs /tmp --net --pid -- {T}",
        "floor": f"{F} -U -n -p -m {T}",
        "unshare": f"unshare -U -r -n -p -f -m --mount-proc {T}",
        "bwrap": f"bwrap --unshare-user --unshare-net --unshare-pid --ro-bind / / --tmpfs /tmp --proc /proc {T}",
    }),
    # Root inside: the child enters a nested user and mount namespace once
    # the view is built, so that the kernel locks every mount jail made.
    ("-r --ro --tmpfs /tmp --net --pid (locked mounts)", {
        "jail": f"{J} -r --ro --tmpfs /tmp --net --pid -- {T}",
        "jail without -r": f"{J} --ro --tmpfs /tmp --net --pid -- {T}",
        "floor": f"{F} -U -n -p -m {T}",
        "unshare": f"unshare -U -r -n -p -f -m --mount-proc {T}",
        "bwrap": f"bwrap --unshare-user --uid 0 --gid 0 --unshare-net --unshare-pid --ro-bind / / --tmpfs /tmp --proc /proc {T}",
    }),
    # Subordinate ids: two setuid helper execs (newuidmap, newgidmap) while
    # the child waits. Needs a range for the user in /etc/subuid and subgid.
    ("--map-auto --net --pid", {
        "jail": f"{J} --map-auto --net --pid -- {T}",
        "jail --net --pid": f"{J} --net --pid -- {T}",
        "unshare": f"unshare --map-auto -r -n -p -f {T}",
        "floor": f"{F} -U -n -p -m {T}",
    }),
    # A root composed from parts: bubblewrap's flatpak-style recipe, one to
    # one (an empty tmpfs as /, /usr read-only, three symlinks, /proc, /dev).
    ("--empty-root (flatpak-style)", {
        "jail": f"{J} --empty-root --ro-bind /usr --symlink usr/bin:/bin --symlink usr/lib:/lib "
                f"--symlink usr/lib64:/lib64 --dev --pid -- {T}",
        "jail --pid": f"{J} --pid -- {T}",
        "bwrap": f"bwrap --unshare-user --unshare-pid --ro-bind /usr /usr --symlink usr/bin /bin "
                 f"--symlink usr/lib /lib --symlink usr/lib64 /lib64 --proc /proc --dev /dev {T}",
    }),
    # No namespaces (issue 15): Landlock rules instead, against a jail with
    # namespaces and the floors with and without them.
    ("--landlock-only --ro --net", {
        "jail": f"{J} --landlock-only --ro --net -- {T}",
        "jail with namespaces": f"{J} --net --pid -- {T}",
        "floor (no namespaces)": f"{F} {T}",
        "floor -U -n -p -m": f"{F} -U -n -p -m {T}",
    }),
]


def hyperfine(cmds):
    out = f"{work}/hf.json"
    args = ["hyperfine", "-N", "--warmup", "20", "--runs", str(RUNS), "--export-json", out, "--style", "none"]
    subprocess.run(args + list(cmds.values()), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(out) as f:
        res = json.load(f)["results"]
    return {name: r["median"] * 1000 for name, r in zip(cmds, res)}


def paired(cmds):
    """Interleaved runs: {name: (median ms, median of jail/this)}."""
    names = list(cmds)
    out = subprocess.run([f"{work}/paired", str(RUNS)] + [cmds[k] for k in names],
                         check=True, capture_output=True, text=True).stdout.split("\n")
    res = {}
    for k, line in zip(names, out):
        ms, ratio = line.split()
        res[k] = (float(ms), float(ratio))
    return res


def launches_per_sec(cmd, n=LAUNCHES):
    start = time.perf_counter()
    subprocess.run(["xargs", "-P2", "-I{}"] + cmd.split(), input="\n".join(["x"] * n) + "\n",
                   text=True, check=True, stdout=subprocess.DEVNULL)
    return n / (time.perf_counter() - start)


def rusage(cmds, runs):
    """Interleaved runs: [(median CPU ms, median peak RSS KiB)] per command."""
    out = subprocess.run([f"{work}/rusage", str(runs)] + cmds, check=True,
                         capture_output=True, text=True).stdout.splitlines()
    return [(float(c), float(r)) for c, r in (line.split() for line in out)]


def main():
    print(f"# jail startup benchmark, {time.strftime('%Y-%m-%d')}, uid {os.getuid()}, "
          f"{os.cpu_count()} cpus, kernel {os.uname().release}")
    print(f"hyperfine -N, {RUNS} runs x {ROUNDS} rounds of /bin/true (median of medians, ms); "
          f"paired: {RUNS} interleaved rounds (median ms, median of per-round ratios)\n")
    summary = {}
    for name, cmds in SCENARIOS:
        if ONLY not in name:
            continue
        skipped = [k for k, c in cmds.items() if not works(c)]
        for k in skipped:
            print(f"(skipped in '{name}': {k} does not run here: {cmds[k]})")
        cmds = {k: c for k, c in cmds.items() if k not in skipped}
        if "jail" not in cmds:
            continue
        rounds = [hyperfine(cmds) for _ in range(ROUNDS)]
        med = {k: statistics.median(r[k] for r in rounds) for k in cmds}
        pair = paired(cmds)
        print(f"## {name}\n\n| command | hyperfine ms | paired ms | jail / this (paired) |"
              "\n|---|---:|---:|---:|")
        for k, c in cmds.items():
            print(f"| `{c.replace(work + '/', '')}` | {med[k]:.2f} | {pair[k][0]:.2f} | {pair[k][1]:.2f} |")
        if "jail --net --pid" in cmds:
            extra = statistics.median(r["jail"] - r["jail --net --pid"] for r in rounds)
            print(f"\n--map-auto adds {extra:.2f} ms (median over rounds of the difference)")
        if "jail without -r" in cmds:
            extra = statistics.median(r["jail"] - r["jail without -r"] for r in rounds)
            print(f"\n-r (locking the view) adds {extra:.2f} ms (median over rounds of the "
                  f"difference); paired: {1 / pair['jail without -r'][1]:.3f}x")
        print()
        summary[name] = {k: pair[k][1] for k in cmds}

    if ONLY:
        return
    print("## launches/s, two in parallel (xargs -P2)\n\n| command | launches/s |\n|---|---:|")
    # Interleaved in rounds, like the paired timings, so drift hits all alike.
    names = ["jail", "floor", "unshare", "bwrap"]
    cmds = {k: dict(SCENARIOS[1][1])[k] for k in names}
    spent = {k: 0.0 for k in names}
    rounds = max(ROUNDS, 4)
    for _ in range(rounds):
        for k in names:
            spent[k] += 1 / launches_per_sec(cmds[k], LAUNCHES // rounds)
    par = {k: rounds / spent[k] for k in names}
    for k in names:
        print(f"| `{cmds[k].replace(work + '/', '')}` | {par[k]:.0f} |")
    print()
    names = ["jail", "floor", "unshare", "bwrap"]
    cmds = [dict(SCENARIOS[1][1])[k] for k in names] + [T]
    use = rusage(cmds, RUNS * 2)
    # bwrap is left out of the CPU table: it returns before its PID 1 is
    # reaped, so wait4 does not see all of its tree.
    print("## CPU per launch (the launched tree: user + system, wait4; interleaved)\n\n"
          "| command | CPU ms |\n|---|---:|")
    for c, (ms, _) in list(zip(cmds, use))[:3]:
        print(f"| `{c.replace(work + '/', '')}` | {ms:.3f} |")
    print()
    print("## peak RSS (largest process of the tree, KiB)\n\n| command | KiB |\n|---|---:|")
    for c, (_, kib) in zip(cmds, use):
        print(f"| `{c.replace(work + '/', '')}` | {kib:.0f} |")
    size = int(os.environ.get("BIN_SIZE", 0))
    print(f"\nstatic binary (as measured above): {size / 1024:.0f} KiB")
    if os.environ.get("STABLE_SIZE"):
        print(f"stable build (no build-std): {int(os.environ['STABLE_SIZE']) / 1024:.0f} KiB")
    print()
    s = summary.get("user+net+pid", {})
    print("## targets (user+net+pid)\n")
    checks = [
        ("jail / floor <= 1.15", s.get("floor"), 1.15, "le"),
        ("jail / bwrap <= 0.55", s.get("bwrap"), 0.55, "le"),
        ("jail / unshare <= 0.9", s.get("unshare"), 0.9, "le"),
        ("launches/s jail / floor >= 0.9", par["jail"] / par["floor"], 0.9, "ge"),
        ("launches/s jail / bwrap >= 1.8", par["jail"] / par["bwrap"], 1.8, "ge"),
        ("static binary KiB <= 512", size / 1024, 512, "le"),
    ]
    for label, v, lim, how in checks:
        if v is None:
            continue
        ok = v <= lim if how == "le" else v >= lim
        print(f"- {label}: {v:.2f} {'ok' if ok else 'MISSED'}")
    if s.get("floor") and s.get("bwrap"):
        print(f"\nThe floor itself, in this run: {s['bwrap'] / s['floor']:.2f} of bwrap's time, "
              f"{par['floor'] / par['bwrap']:.2f}x bwrap's launches/s.")


main()
