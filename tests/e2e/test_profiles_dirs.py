#!/usr/bin/env python3
"""End to end: where profiles come from, as a user meets it.

- `--profiles DIR`, `$TONEWIRE_PROFILES` and the daemon's `[profiles] path` reach the simulator
  plugin: a jig that exists only in DIR is measured through `tonewire_sim:` (before, the CLI found
  it and the plugin, inside the same process, said "unknown jig").
- A user's `~/.config/tonewire/profiles` overrides a shipped profile of the same name, and
  `tonewire profiles show` says which file it read and which it shadows.
- A malformed profile leads with its file:line reason; `profiles list` marks it and shows the
  one-line descriptions of the others.
- A copy of the CLI outside the build tree (as installed) neither contains nor searches the
  source tree's profiles/.

Standard library only. TONEWIRE_BUILD_DIR points at the build tree.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import test_daemon as td  # noqa: E402  (the folder above is not a package)

BUILD = os.environ.get("TONEWIRE_BUILD_DIR", os.path.join(HERE, "../../build"))
TONEWIRE = os.path.join(BUILD, "cli", "tonewire")
SOURCE = os.path.realpath(os.path.join(HERE, "../.."))
SHIPPED = os.path.join(SOURCE, "profiles")
CABLE = "trs-3.5-extension"
JIG = "bench-jig"   # a copy of stereo-trs under a name no shipped folder has


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


class ProfileFolders(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="tw-profiles-dirs-")
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)
        self.home = os.path.join(self.tmp, "home")
        os.makedirs(self.home)
        self.user = os.path.join(self.home, ".config", "tonewire", "profiles")
        self.dir = os.path.join(self.tmp, "bench")
        with open(os.path.join(SHIPPED, "jigs", "stereo-trs.conf")) as f:
            jig = f.read().replace("name = stereo-trs", f"name = {JIG}")
        self.assertIn(f"name = {JIG}", jig)
        write(os.path.join(self.dir, "jigs", JIG + ".conf"), jig)
        self.scenario = os.path.join(self.tmp, "straight.conf")
        write(self.scenario, f"[scenario]\njig = {JIG}\n[interface]\npace = fast\nnoise_dbfs = -90\n"
                             "[cable]\nwire = A.T B.T\nwire = A.R B.R\nwire = A.S B.S\n")

    def env(self, **extra):
        """A user with an empty home and no profile folders of their own, unless extra adds them."""
        e = {k: v for k, v in os.environ.items() if k not in ("TONEWIRE_PROFILES", "XDG_CONFIG_HOME")}
        e.update(HOME=self.home, LC_ALL="C", **extra)
        return e

    def cli(self, *args, exe=TONEWIRE, **env):
        return subprocess.run([exe, *args], capture_output=True, text=True, timeout=90, env=self.env(**env))

    def run_sim(self, *extra, **env):
        return self.cli("run", "--device", "tonewire_sim:" + self.scenario, "--cable", CABLE, "--json",
                        *extra, **env)

    def check_pass(self, p):
        self.assertEqual(p.returncode, 0, p.stderr)
        r = json.loads(p.stdout)
        self.assertEqual((r["verdict"], r["jig"]), ("pass", JIG), r)

    def test_profiles_dir_reaches_the_simulator(self):
        # Without DIR the jig is nowhere: the test below would pass for no reason otherwise.
        p = self.run_sim()
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn(f"unknown jig '{JIG}'", p.stderr)
        self.check_pass(self.run_sim("--profiles", self.dir))
        self.check_pass(self.run_sim("--profiles", self.dir, "--jig", JIG))
        # a relative DIR too: the plugin gets it made absolute
        p = subprocess.run([TONEWIRE, "run", "--device", "tonewire_sim:" + self.scenario, "--cable", CABLE,
                            "--json", "--profiles", "bench"], capture_output=True, text=True, timeout=90,
                           env=self.env(), cwd=self.tmp)
        self.check_pass(p)
        self.check_pass(self.run_sim(TONEWIRE_PROFILES=self.dir))
        # ~/.config is searched by the plugin as well
        shutil.copytree(self.dir, self.user)
        self.check_pass(self.run_sim())

    def test_daemon_profiles_path_reaches_the_simulator(self):
        d = td.Daemon()
        self.addCleanup(d.stop)
        with open(d.config) as f:
            conf = f.read().replace(f"tonewire_sim:{d.scenario}", f"tonewire_sim:{self.scenario}")
        write(d.config, conf + f"[profiles]\npath = {self.dir}\n")
        d.start(timeout=30)
        st, r = d.post_test(cable=CABLE, serial="DIR-1")
        self.assertEqual(st, 200, r)
        self.assertEqual((r["verdict"], r["jig"]), ("pass", JIG), r)

    def test_user_profile_overrides_shipped(self):
        shipped = os.path.join(SHIPPED, "connectors", "trs-3.5.conf")
        mine = os.path.join(self.user, "connectors", "trs-3.5.conf")
        with open(shipped) as f:
            text = f.read()
        lines = [ln for ln in text.splitlines() if not ln.startswith("description")]
        lines.insert(lines.index("[connector]") + 1, "description = my bench's own 3.5 mm plug")
        write(mine, "\n".join(lines) + "\n")
        p = self.cli("profiles", "show", "trs-3.5")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("my bench's own 3.5 mm plug", p.stdout)
        self.assertIn(f"file: {mine}\n", p.stdout)
        self.assertIn(f"shadows: {shipped}\n", p.stdout)
        # --profiles comes first, and shadows both
        first = os.path.join(self.dir, "connectors", "trs-3.5.conf")
        write(first, text)
        p = self.cli("profiles", "--profiles", self.dir, "show", "trs-3.5")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(f"file: {first}\nshadows: {mine}\nshadows: {shipped}\n", p.stdout)
        p = self.cli("profiles", "list")
        self.assertIn("my bench's own 3.5 mm plug", p.stdout)
        searched = p.stdout.split("searched")[1]
        self.assertLess(searched.index(self.user), searched.index(SHIPPED))

    def test_malformed_profile_leads_with_file_and_line(self):
        bad = os.path.join(self.user, "cables", "bad-lead.conf")
        write(bad, "[cable]\ndescription = a lead with a typo\nend_a = trs-3.5\nend_b = trs-3.55\n")
        p = self.cli("profiles", "show", "bad-lead")
        self.assertEqual(p.returncode, 2)
        self.assertTrue(p.stderr.startswith(f"tonewire: {bad}:4: end_b: unknown connector 'trs-3.55'"), p.stderr)
        self.assertNotIn("no connector, cable or jig", p.stderr)
        p = self.cli("run", "--device", "tonewire_sim:" + self.scenario, "--cable", "bad-lead",
                     "--profiles", self.dir)
        self.assertEqual(p.returncode, 2)
        self.assertTrue(p.stderr.startswith(f"tonewire: {bad}:4: end_b: "), p.stderr)
        # list: the broken one marked with its reason, the others with their descriptions
        p = self.cli("profiles", "list")
        self.assertEqual(p.returncode, 0, p.stderr)
        line = next(ln for ln in p.stdout.splitlines() if ln.split()[:1] == ["bad-lead"])
        self.assertIn("BROKEN: bad-lead.conf:4: end_b: unknown connector 'trs-3.55'", line)
        with open(os.path.join(SHIPPED, "cables", CABLE + ".conf")) as f:
            desc = next(ln.split("=", 1)[1].strip() for ln in f if ln.startswith("description"))
        line = next(ln for ln in p.stdout.splitlines() if ln.split()[:1] == [CABLE])
        self.assertTrue(line.rstrip().endswith(desc), line)
        # a name nobody has still gets the closest ones
        p = self.cli("profiles", "show", "trs-3.5-extensoin")
        self.assertEqual(p.returncode, 2)
        self.assertIn("no connector, cable, jig or interface 'trs-3.5-extensoin'", p.stderr)
        self.assertIn("closest: trs-3.5-extension", p.stderr)

    def test_what_a_folder_holds_besides_profiles(self):
        """Editor backups (hidden files), other files, a folder named like a profile and a name
        too long to load are not listed as profiles; a name too long is refused with its limit."""
        cables = os.path.join(self.user, "cables")
        write(os.path.join(cables, "my-lead.conf"),
              "[cable]\ndescription = mine\nend_a = trs-3.5\nend_b = trs-3.5\nwire = T T\nwire = R R\nwire = S S\n")
        write(os.path.join(cables, ".my-lead.conf"), "[cable]\nend_a = trs-3.5\n")
        write(os.path.join(cables, "notes.txt"), "not a profile\n")
        os.makedirs(os.path.join(cables, "folder.conf"))
        write(os.path.join(cables, "x" * 80 + ".conf"), "[cable]\nend_a = trs-3.5\n")
        p = self.cli("profiles", "list")
        self.assertEqual(p.returncode, 0, p.stderr)
        names = {ln.split()[0] for ln in p.stdout.splitlines() if ln.strip() and not ln.endswith(":")}
        self.assertIn("my-lead", names)
        for hidden in (".my-lead", "notes", "notes.txt", "folder", "x" * 80):
            self.assertNotIn(hidden, names)
        p = self.cli("profiles", "show", "y" * 80)
        self.assertEqual(p.returncode, 2)
        self.assertIn("name too long (at most 63 characters)", p.stderr)

    def test_installed_copy_forgets_the_build_tree(self):
        bindir = os.path.join(self.tmp, "usr", "bin")
        os.makedirs(bindir)
        exe = os.path.join(bindir, "tonewire")
        # as a package installs it: debug information stripped
        if shutil.which("strip") is None:
            self.skipTest("no strip(1)")
        subprocess.run(["strip", "-o", exe, TONEWIRE], check=True)
        with open(exe, "rb") as f:
            data = f.read()
        self.assertFalse(SHIPPED.encode() + b"\0" in data, f"the stripped CLI still holds the string {SHIPPED}")
        p = self.cli("profiles", "list", exe=exe)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNotIn(SOURCE, p.stdout + p.stderr)
        # it still reads profiles from wherever it is told to
        p = self.cli("profiles", "list", exe=exe, TONEWIRE_PROFILES=SHIPPED)
        self.assertIn(CABLE, p.stdout)
        # while the build tree's own binary uses the source tree's profiles
        p = self.cli("profiles", "list")
        self.assertIn(SHIPPED, p.stdout)

    def test_installed_daemon_forgets_the_build_tree(self):
        if shutil.which("strip") is None:
            self.skipTest("no strip(1)")
        exe = os.path.join(self.tmp, "usr", "bin", "tonewired")
        os.makedirs(os.path.dirname(exe))
        subprocess.run(["strip", "-o", exe, td.TONEWIRED], check=True)
        with open(exe, "rb") as f:
            data = f.read()
        for sub in ("profiles", "web", "sim/scenarios"):
            path = os.path.join(SOURCE, sub).encode()
            self.assertFalse(path + b"\0" in data or path + b"/" in data, f"the stripped daemon holds {path}")
        # the demo it would start looks in the installed data folder, never in the checkout
        p = self.cli("--check-config", exe=exe)
        self.assertNotIn(SOURCE, p.stdout + p.stderr)
        p = self.cli("--check-config", exe=td.TONEWIRED)
        self.assertEqual(p.returncode, 0, p.stderr)


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import twtest  # noqa: E402
    twtest.main()
