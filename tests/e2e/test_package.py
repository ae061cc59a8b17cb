#!/usr/bin/env python3
"""The Debian packages: made from this build tree with its CPack configuration,
then checked one concern per ctest test.

  test_package.py --build B --source S --out DIR MODE
  build        cpack into DIR: exactly tonewire_V_A.deb and tonewire-sim_V_A.deb
  contents     which file is in which package (against the source tree and a
               `cmake --install` of everything), control fields, conffiles
  scripts      the maintainer scripts, run with stub systemctl/udevadm in a
               private /run: reloads, never an enable or a start
  lintian      no error (warnings are printed)
  dpkg_root    dpkg -i into a scratch root: the dependency, the conffiles kept
               across a reinstall, remove and purge leave nothing behind
  build_paths  no installed file names the source or build tree
Exit 77 (skipped) when a prerequisite that is not ours is missing (no root
for dpkg or a mount namespace).
"""
import argparse
import glob
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile

SKIP = 77
MAIN, SIM = "tonewire", "tonewire-sim"
UNIT = "tonewired.service"
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


def ok(msg):
    print("ok:", msg)


def check(cond, msg):
    (ok if cond else fail)(msg)
    return cond


def run(argv, **kw):
    return subprocess.run(argv, capture_output=True, text=True, **kw)


def cache(build, key):
    with open(os.path.join(build, "CMakeCache.txt")) as f:
        for line in f:
            m = re.match(rf"{re.escape(key)}:[A-Z]*=(.*)", line)
            if m:
                return m.group(1)
    return ""


def debs(a):
    version = cache(a.build, "CMAKE_PROJECT_VERSION")
    arch = run(["dpkg", "--print-architecture"]).stdout.strip()
    return {p: os.path.join(a.out, f"{p}_{version}_{arch}.deb") for p in (MAIN, SIM)}, version


def listing(deb):
    """{path: (type, target)} of a .deb's data, paths without the leading '.'."""
    out = {}
    for line in run(["dpkg-deb", "-c", deb]).stdout.splitlines():
        mode, _, _, _, _, rest = line.split(None, 5)
        target = None
        if " -> " in rest:
            rest, target = rest.split(" -> ", 1)
        out[rest[1:].rstrip("/") or "/"] = (mode[0], mode, target)
    return out


def files_of(lst):
    return {p for p, (t, _, _) in lst.items() if t != "d"}


def control(deb, field):
    return run(["dpkg-deb", "-f", deb, field]).stdout.strip()


def control_file(deb, name):
    d = tempfile.mkdtemp()
    try:
        subprocess.run(["dpkg-deb", "-e", deb, d], check=True)
        p = os.path.join(d, name)
        return open(p).read() if os.path.exists(p) else None
    finally:
        shutil.rmtree(d)


# --- build -------------------------------------------------------------------

def mode_build(a):
    shutil.rmtree(a.out, ignore_errors=True)
    os.makedirs(a.out)
    p = run(["cpack", "--config", os.path.join(a.build, "CPackConfig.cmake"), "-B", a.out])
    print(p.stdout[-3000:], p.stderr[-3000:])
    if not check(p.returncode == 0, "cpack succeeds"):
        return
    want, _ = debs(a)
    made = sorted(os.path.basename(f) for f in glob.glob(os.path.join(a.out, "*.deb")))
    check(made == sorted(os.path.basename(f) for f in want.values()),
          f"Debian file names {sorted(os.path.basename(f) for f in want.values())} (made: {made})")


# --- contents ----------------------------------------------------------------

def source_files(src, sub, pattern):
    base = os.path.join(src, sub)
    return {os.path.relpath(p, base) for p in glob.glob(os.path.join(base, pattern), recursive=True)
            if os.path.isfile(p)}


def mode_contents(a):
    pkgs, version = debs(a)
    lst = {p: listing(f) for p, f in pkgs.items()}
    main, sim = files_of(lst[MAIN]), files_of(lst[SIM])
    data = "/usr/share/tonewire"

    # tonewire: what a line PC runs
    for path in ("/usr/bin/tonewire", "/usr/bin/tonewired", "/etc/tonewire/tonewired.conf",
                 "/etc/tonewire/jigs.conf", f"/usr/share/doc/{MAIN}/copyright",
                 f"/usr/share/doc/{MAIN}/changelog.gz"):
        check(path in main, f"{MAIN} has {path}")
    check(any(re.fullmatch(r"(/usr)?/lib/systemd/system/" + re.escape(UNIT), p) for p in main),
          f"{MAIN} has the unit {UNIT}")
    check(any(re.fullmatch(r"(/usr)?/lib/udev/rules.d/70-tonewire.rules", p) for p in main),
          f"{MAIN} has the udev rules")
    helper = [p for p in main if re.fullmatch(r"(/usr)?/lib/udev/tonewire-jig", p)]
    check(helper and lst[MAIN][helper[0]][1][3] == "x", f"{MAIN} has the rules' helper, executable")
    for kind in ("connectors", "cables", "jigs"):
        want = {f"{data}/profiles/{kind}/{f}" for f in source_files(a.source, f"profiles/{kind}", "*.conf")}
        check(want and want <= main, f"{MAIN} has every {kind} profile ({len(want)})")
    web = {f"{data}/web/{f}" for f in source_files(a.source, "web", "**/*")
           if ".test." not in f and "node_modules" not in f}
    check(web and web <= main, f"{MAIN} has the dashboard ({len(web)} files)")

    # tonewire-sim: the simulator and what only it uses
    plugin = [p for p in sim if p.endswith("/alsa-lib/libasound_module_pcm_tonewire_sim.so")]
    check(len(plugin) == 1, f"{SIM} has the ALSA plugin")
    check("/usr/share/alsa/alsa.conf.d/50-tonewire-sim.conf" in sim, f"{SIM} has its alsa.conf.d file")
    link = lst[SIM].get("/etc/alsa/conf.d/50-tonewire-sim.conf")
    check(link and link[0] == "l" and link[2] == "/usr/share/alsa/alsa.conf.d/50-tonewire-sim.conf",
          f"{SIM} links /etc/alsa/conf.d/50-tonewire-sim.conf to it")
    scen = {f"{data}/scenarios/{f}" for f in source_files(a.source, "sim/scenarios", "**/*.conf")}
    check(scen and scen <= sim, f"{SIM} has every scenario ({len(scen)}, demo ones included)")
    for name in ("copyright", "changelog.gz"):
        check(f"/usr/share/doc/{SIM}/{name}" in sim, f"{SIM} has /usr/share/doc/{SIM}/{name}")

    # the split: nothing of the simulator in tonewire, nothing else in tonewire-sim
    leaked = sorted(p for p in main if "alsa" in p or "/scenarios" in p or "tonewire_sim" in p)
    check(not leaked, f"{MAIN} ships no simulator file {leaked[:5]}")
    allowed = set(plugin) | scen | {"/usr/share/alsa/alsa.conf.d/50-tonewire-sim.conf",
                                    "/etc/alsa/conf.d/50-tonewire-sim.conf",
                                    f"/usr/share/doc/{SIM}/copyright", f"/usr/share/doc/{SIM}/changelog.gz"}
    check(sim <= allowed, f"{SIM} ships nothing else {sorted(sim - allowed)[:5]}")
    check(not (main & sim), f"no file in both packages {sorted(main & sim)[:5]}")

    # everything the install rules install is in one of the two (man pages, say)
    dest = tempfile.mkdtemp(prefix="tw-pkg-install-")
    try:
        p = run(["cmake", "--install", a.build, "--prefix", "/usr"], env=dict(os.environ, DESTDIR=dest))
        check(p.returncode == 0, "cmake --install into a DESTDIR" + ("" if p.returncode == 0 else p.stderr))
        installed = set()
        for root, dirs, names in os.walk(dest):
            for n in names + [d for d in dirs if os.path.islink(os.path.join(root, d))]:
                installed.add("/" + os.path.relpath(os.path.join(root, n), dest))
    finally:
        shutil.rmtree(dest)
    check(installed == main | sim,
          f"the packages hold what cmake --install installs (missing {sorted(installed - main - sim)[:5]}, "
          f"extra {sorted((main | sim) - installed)[:5]})")
    man = sorted(p for p in main if p.startswith("/usr/share/man/"))
    print(f"note: man pages in {MAIN}: {man if man else 'none installed yet'}")

    # control data
    for pkg, deb in pkgs.items():
        check(control(deb, "Package") == pkg and control(deb, "Version") == version,
              f"{os.path.basename(deb)}: Package {pkg}, Version {version}")
        check(re.fullmatch(r"[^<>]+ <[^@<>\s]+@[^@<>\s]+>", control(deb, "Maintainer")) is not None,
              f"{pkg}: Maintainer is a name and an address")
        conff = (control_file(deb, "conffiles") or "").split()
        etc = sorted(p for p, (t, _, _) in lst[pkg].items() if p.startswith("/etc/") and t == "-")
        check(sorted(conff) == etc, f"{pkg}: conffiles {sorted(conff)} are its files in /etc {etc}")
    sim_deps = [d.strip() for d in control(pkgs[SIM], "Depends").split(",")]
    check(f"{MAIN} (= {version})" in sim_deps, f"{SIM} depends on {MAIN} (= {version}): {sim_deps}")
    check(SIM not in control(pkgs[MAIN], "Depends") + control(pkgs[MAIN], "Recommends"),
          f"{MAIN} does not pull {SIM} in")
    with open(os.path.join(a.source, "packaging/changelog")) as f:
        top = re.match(r"(\S+) \(([^)]+)\)", f.readline())
    check(top and top.groups() == (MAIN, version), f"the changelog's last entry is {MAIN} {version}")


# --- maintainer scripts --------------------------------------------------------

STUBBED = ("systemctl", "udevadm", "deb-systemd-helper", "deb-systemd-invoke")


def stub_dir(log):
    d = tempfile.mkdtemp(prefix="tw-pkg-stub-")
    for name in STUBBED:
        with open(os.path.join(d, name), "w") as f:
            f.write(f'#!/bin/sh\necho "{name} $*" >> "{log}"\n')
        os.chmod(os.path.join(d, name), 0o755)
    return d


def run_script(script, args, run_dirs, dpkg_root=""):
    """Runs a maintainer script in a private mount namespace whose /run holds run_dirs;
    returns (exit status, the stub calls it made)."""
    log = tempfile.mktemp(prefix="tw-pkg-calls-")
    stubs = stub_dir(log)
    try:
        mk = " ".join(f"/run/{d}" for d in run_dirs)
        sh = ('mount -t tmpfs tmpfs /run && { [ -z "$1" ] || mkdir -p $1; } && shift '
              '&& exec sh "$@"')
        env = dict(os.environ, PATH=stubs + ":" + os.environ["PATH"], DPKG_ROOT=dpkg_root)
        p = run(["unshare", "-m", "sh", "-c", sh, "sh", mk, script] + args, env=env)
        calls = open(log).read().splitlines() if os.path.exists(log) else []
        if p.returncode != 0:
            print(p.stdout, p.stderr)
        return p.returncode, calls
    finally:
        shutil.rmtree(stubs)
        if os.path.exists(log):
            os.unlink(log)


def mode_scripts(a):
    pkgs, _ = debs(a)
    for name in ("postinst", "prerm", "postrm", "preinst"):
        check(control_file(pkgs[SIM], name) is None, f"{SIM} has no {name}: it needs none")
    if os.geteuid() != 0 or run(["unshare", "-m", "true"]).returncode != 0:
        print("SKIP: running the scripts needs root and a private mount namespace")
        return SKIP
    d = tempfile.mkdtemp(prefix="tw-pkg-ctl-")
    try:
        subprocess.run(["dpkg-deb", "-e", pkgs[MAIN], d], check=True)
        for name in ("postinst", "prerm", "postrm"):
            path = os.path.join(d, name)
            if not check(os.path.exists(path) and os.stat(path).st_mode & stat.S_IXUSR,
                         f"{MAIN} has an executable {name}"):
                return
            check(run(["sh", "-n", path]).returncode == 0, f"{name} parses")
        s = lambda n: os.path.join(d, n)
        systemd_udev = ["systemd/system", "udev"]
        reload = ["systemctl --system daemon-reload", "udevadm control --reload"]
        state = [f"deb-systemd-helper update-state {UNIT}"]
        cases = [
            # (script, args, /run dirs, DPKG_ROOT, the calls expected, in order)
            ("postinst", ["configure", ""], systemd_udev, "", state + reload),
            ("postinst", ["configure", "0.0.9"], systemd_udev, "",
             state + reload[:1] + [f"deb-systemd-invoke try-restart {UNIT}"] + reload[1:]),
            ("postinst", ["configure", ""], [], "", state),
            ("postinst", ["configure", ""], systemd_udev, "/srv/chroot", state),
            ("prerm", ["remove"], systemd_udev, "", [f"deb-systemd-invoke stop {UNIT}"]),
            ("prerm", ["upgrade", "0.1.1"], systemd_udev, "", []),
            ("postrm", ["remove"], systemd_udev, "", reload),
            ("postrm", ["purge"], systemd_udev, "", [f"deb-systemd-helper purge {UNIT}"] + reload),
            ("postrm", ["upgrade", "0.1.1"], systemd_udev, "", []),
            ("postrm", ["purge"], systemd_udev, "/srv/chroot", [f"deb-systemd-helper purge {UNIT}"]),
        ]
        for script, args, dirs, root, want in cases:
            what = f"{script} {' '.join(args)} ({'/run/' + ' /run/'.join(dirs) if dirs else 'no systemd, no udev'}" \
                   f"{', DPKG_ROOT=' + root if root else ''})"
            first = run_script(s(script), args, dirs, root)
            again = run_script(s(script), args, dirs, root)
            check(first == (0, want), f"{what}: calls {want} (made {first[1]}, exit {first[0]})")
            check(again == first, f"{what}: the same again (idempotent)")
            starts = [c for c in first[1] if re.search(r"\b(start|enable|restart|reload-or-restart)\b", c)
                      and "try-restart" not in c]
            check(not starts, f"{what}: starts or enables nothing {starts}")
    finally:
        shutil.rmtree(d)


# --- lintian -----------------------------------------------------------------

def mode_lintian(a):
    pkgs, _ = debs(a)
    if not shutil.which("lintian"):
        fail("lintian is missing (scripts/deps installs it)")
        return
    p = run(["lintian", "--display-info"] + list(pkgs.values()))
    lines = [l for l in (p.stdout + p.stderr).splitlines() if l and "root privileges" not in l]
    print("\n".join(lines) or "(lintian says nothing)")
    errors = [l for l in lines if l.startswith("E:")]
    warnings = [l for l in lines if l.startswith("W:")]
    print(f"lintian: {len(errors)} error(s), {len(warnings)} warning(s)")
    check(p.returncode in (0, 1, 2) and not re.search(r"^(internal error|Unknown|Can't)", p.stderr, re.M),
          f"lintian ran (exit {p.returncode})")
    check(not errors, "lintian reports no error")


# --- dpkg into a scratch root ---------------------------------------------------

def mode_dpkg_root(a):
    pkgs, version = debs(a)
    if os.geteuid() != 0:
        print("SKIP: dpkg --root needs root")
        return SKIP
    root = tempfile.mkdtemp(prefix="tw-pkg-root-")
    log = os.path.join(root, "..", os.path.basename(root) + ".calls")
    stubs = stub_dir(log)
    # deb-systemd-helper is the real one: it honours DPKG_ROOT.
    os.unlink(os.path.join(stubs, "deb-systemd-helper"))
    try:
        admin = os.path.join(root, "var/lib/dpkg")
        os.makedirs(os.path.join(admin, "info"))
        os.makedirs(os.path.join(admin, "updates"))
        # The host's package database, so libc6 and friends count as installed.
        shutil.copy("/var/lib/dpkg/status", admin)
        open(os.path.join(admin, "available"), "w").close()
        env = dict(os.environ, PATH=stubs + ":" + os.environ["PATH"])
        dpkg = ["dpkg", f"--root={root}", "--force-script-chrootless", "--force-unsafe-io"]
        query = lambda *q: run(["dpkg-query", f"--admindir={admin}"] + list(q)).stdout

        p = run(dpkg + ["-i", pkgs[SIM]], env=env)
        check(p.returncode != 0 and MAIN in p.stderr and
              query("-W", "-f=${Status}", SIM) != "install ok installed",
              f"{SIM} alone is not configured: it depends on {MAIN}")
        p = run(dpkg + ["-i", pkgs[MAIN], pkgs[SIM]], env=env)
        check(p.returncode == 0, f"dpkg -i {MAIN} {SIM} into a scratch root" + ("" if p.returncode == 0 else p.stderr))
        for pkg in (MAIN, SIM):
            check(query("-W", "-f=${Status}", pkg) == "install ok installed", f"{pkg} is installed")
        conff = query("-W", "-f=${Conffiles}", MAIN)
        check("/etc/tonewire/tonewired.conf" in conff and "/etc/tonewire/jigs.conf" in conff,
              "dpkg registered both files in /etc/tonewire as conffiles")
        dsh = os.path.join(root, "var/lib/systemd/deb-systemd-helper-enabled", UNIT + ".dsh-also")
        check(os.path.exists(dsh), "the unit is recorded for purge (deb-systemd-helper update-state)")
        wants = glob.glob(os.path.join(root, "etc/systemd/system/*.wants", UNIT))
        check(not wants, f"the unit is not enabled {wants}")

        jigs = os.path.join(root, "etc/tonewire/jigs.conf")
        with open(jigs, "a") as f:
            f.write("1235:8210\n")
        p = run(dpkg + ["--force-confold", "-i", pkgs[MAIN]], env=env)
        check(p.returncode == 0, "reinstalling tonewire (the upgrade path) succeeds" + ("" if p.returncode == 0 else p.stderr))
        check(open(jigs).read().endswith("1235:8210\n"), "the admin's jigs.conf survives it")

        p = run(dpkg + ["--remove", MAIN], env=env)
        check(p.returncode != 0, f"{MAIN} cannot be removed while {SIM} needs it")
        p = run(dpkg + ["--purge", SIM, MAIN], env=env)
        check(p.returncode == 0, "dpkg --purge both" + ("" if p.returncode == 0 else p.stderr))
        left = sorted(os.path.relpath(os.path.join(r, n), root) for r, _, ns in os.walk(root) for n in ns
                      if not os.path.relpath(r, root).startswith("var/lib/dpkg"))
        check(not left, f"purge leaves no file behind {left[:8]}")
        calls = open(log).read().splitlines() if os.path.exists(log) else []
        check(not calls, f"nothing reloaded or started on this host while installing into another root {calls}")
    finally:
        shutil.rmtree(root)
        shutil.rmtree(stubs)
        if os.path.exists(log):
            os.unlink(log)


# --- build paths -----------------------------------------------------------------

def mode_build_paths(a):
    """No installed file may name the tree it was built in: an installed program
    must not search, serve or load anything from a checkout that happens to be
    there (or not). Until the binaries stop compiling in build-tree paths (the
    profile loader, the daemon's web root and scenarios, the simulator's ALSA
    configuration; a change of their own), this test is EXPECTED TO FAIL and
    names each file and string."""
    pkgs, _ = debs(a)
    needles = sorted({os.path.realpath(a.source), os.path.realpath(a.build)}, key=len)
    needles = [n.encode() for n in needles]
    d = tempfile.mkdtemp(prefix="tw-pkg-x-")
    found = []
    try:
        for pkg, deb in pkgs.items():
            x = os.path.join(d, pkg)
            subprocess.run(["dpkg-deb", "-x", deb, x], check=True)
            for r, _, names in os.walk(x):
                for n in names:
                    path = os.path.join(r, n)
                    if os.path.islink(path):
                        data = os.readlink(path).encode()
                    else:
                        data = open(path, "rb").read()
                    hits = set()
                    for needle in needles:
                        for m in re.finditer(re.escape(needle) + rb"[\x20-\x7e]*", data):
                            hits.add(m.group().decode(errors="replace"))
                    if hits:
                        found.append((pkg, "/" + os.path.relpath(path, x), sorted(hits)))
    finally:
        shutil.rmtree(d)
    for pkg, path, hits in found:
        print(f"  {pkg}: {path}: {', '.join(hits[:6])}{' …' if len(hits) > 6 else ''}")
    check(not found, f"no installed file names {' or '.join(n.decode() for n in needles)}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("mode", choices=["build", "contents", "scripts", "lintian", "dpkg_root", "build_paths"])
    a = ap.parse_args()
    if a.mode != "build":
        missing = [f for f in debs(a)[0].values() if not os.path.exists(f)]
        if missing:
            print("FAIL: not built (package.build makes them):", missing)
            return 1
    rc = globals()["mode_" + a.mode](a)
    if rc == SKIP:
        return SKIP
    print("PASS" if not failures else f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
