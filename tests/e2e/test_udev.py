#!/usr/bin/env python3
"""The udev rules parse, touch no sound card by themselves, and name, open and
start the service for exactly the interfaces the admin listed in
/etc/tonewire/jigs.conf (read by the real tonewire-jig helper) or marked with
a rule of their own.

udevadm 252 has no 'verify', and 'udevadm test' needs a real device: it only
parses the rules here (where a private mount namespace is allowed); so this
also evaluates the rules the way udev does for the keys they use: == and != on
SUBSYSTEM, ACTION, KERNEL, SUBSYSTEMS, ATTRS{} and ENV{} (with | alternatives
and * ? globs; the parent keys of one rule must all match on one parent),
assignments =, +=, IMPORT{program} (with $attr{} taken from that parent, the
program run for real), GOTO and LABEL (within a file), files in name order.
  test_udev.py RULES HELPER JIGS_CONF
"""
import fnmatch
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.normpath(os.path.join(HERE, "..", ".."))
RULES = sys.argv[1] if len(sys.argv) > 1 else os.path.join(SRC, "udev/70-tonewire.rules")
HELPER = sys.argv[2] if len(sys.argv) > 2 else os.path.join(SRC, "udev/tonewire-jig")
JIGS = sys.argv[3] if len(sys.argv) > 3 else os.path.join(SRC, "udev/jigs.conf")
TOKEN = re.compile(r'\s*([A-Z_]+(?:\{[^}]+\})?)\s*(==|!=|\+=|=)\s*"([^"]*)"\s*,?')
PARENT_KEYS = ("SUBSYSTEMS", "ATTRS{")

# Interfaces the rules once took over unasked; the PC's own recording interface
# may well be one of them. USB ids as their makers assign them.
SCARLETT_2I2 = ("1235", "8210")
SCARLETT_4I4 = ("1235", "8212")
UMC404HD = ("1397", "0509")
MOTU_8A = ("07fd", "0005")
KNOWN_INTERFACES = (SCARLETT_2I2, SCARLETT_4I4, UMC404HD, MOTU_8A)


def parse(path):
    rules = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            pos, toks = 0, []
            while pos < len(line):
                m = TOKEN.match(line, pos)
                if not m:
                    raise ValueError(f"{path}:{n}: cannot parse at: {line[pos:]!r}")
                toks.append(m.groups())
                pos = m.end()
            rules.append((n, toks))
    return rules


def matches(pattern, value):
    return any(fnmatch.fnmatchcase(value or "", p) for p in pattern.split("|"))


def match_parent(toks, dev):
    """The first parent on which every SUBSYSTEMS/ATTRS key of the rule holds (udev's walk up), or None."""
    keys = [t for t in toks if t[0].startswith(PARENT_KEYS)]
    if not keys:
        return {}
    for parent in dev["parents"]:
        ok = True
        for key, op, val in keys:
            have = parent["subsystem"] if key == "SUBSYSTEMS" else parent["attrs"].get(key[6:-1])
            if (op == "==") != (have is not None and matches(val, have)):
                ok = False
                break
        if ok:
            return parent
    return None


def substitute(value, parent):
    # $attr{x}: the device's own attribute, else the parent's the rule matched
    return re.sub(r"\$attr\{([^}]+)\}", lambda m: parent.get("attrs", {}).get(m.group(1), ""), value)


class Udev:
    def __init__(self, files, helper_dir, jigs):
        self.files = [parse(p) for p in sorted(files, key=os.path.basename)]
        self.helper_dir, self.jigs, self.calls = helper_dir, jigs, []

    def program(self, cmdline):
        argv = cmdline.split()
        if not argv[0].startswith("/"):
            argv[0] = os.path.join(self.helper_dir, argv[0])   # udev's own program folder
        self.calls.append(argv[1:])
        env = dict(os.environ, TONEWIRE_JIGS=self.jigs)
        p = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=10)
        if p.returncode != 0:
            return None
        return dict(l.split("=", 1) for l in p.stdout.splitlines() if "=" in l)

    def run(self, dev):
        env, attrs_set, result = {}, {}, {"tags": [], "wants": []}
        for rules in self.files:
            labels = {toks[0][2]: i for i, (_, toks) in enumerate(rules) if toks[0][0] == "LABEL"}
            i = 0
            while i < len(rules):
                _, toks = rules[i]
                jump = self.apply(toks, dev, env, attrs_set, result, labels)
                i = jump if jump is not None else i + 1
        result["env"], result["attrs"] = env, attrs_set
        return result

    def apply(self, toks, dev, env, attrs_set, result, labels):
        for key, op, val in toks:
            if op not in ("==", "!=") or key.startswith(PARENT_KEYS):
                continue
            if key == "SUBSYSTEM":
                have = dev["subsystem"]
            elif key == "ACTION":
                have = dev["action"]
            elif key == "KERNEL":
                have = dev["kernel"]
            elif key.startswith("ENV{"):
                have = env.get(key[4:-1])
            else:
                raise ValueError(f"unknown match key {key}")
            if (op == "==") != (have is not None and matches(val, have)):
                return None
        parent = match_parent(toks, dev)
        if parent is None:
            return None
        jump = None
        for key, op, val in toks:
            if op not in ("=", "+="):
                continue
            if key == "GOTO":
                jump = labels[val]
            elif key == "IMPORT{program}":
                imported = self.program(substitute(val, parent))
                if imported is None:
                    return None
                env.update(imported)
            elif key.startswith("ENV{"):
                name = key[4:-1]
                if name == "SYSTEMD_WANTS":
                    result["wants"].append(val)
                env[name] = val
            elif key.startswith("ATTR{"):
                attrs_set[key[5:-1]] = val
            elif key == "TAG":
                result["tags"].append(val)
            elif key in ("GROUP", "MODE"):
                result[key.lower()] = val
            elif key != "LABEL":
                raise ValueError(f"unknown assignment {key}")
        return jump


def usb(kernel, ids, serial="X", action="add"):
    vendor, product = ids
    return {"subsystem": "sound", "action": action, "kernel": kernel,
            "parents": [{"subsystem": "usb", "attrs": {}},   # the interface: no ids
                        {"subsystem": "usb", "attrs": {"idVendor": vendor, "idProduct": product,
                                                       "serial": serial}}]}


def pci(kernel):
    return {"subsystem": "sound", "action": "add", "kernel": kernel,
            "parents": [{"subsystem": "pci", "attrs": {"vendor": "0x8086", "device": "0x1234"}}]}


def touched(r):
    return "id" in r["attrs"] or "group" in r or r["wants"] or r["tags"]


class Rules(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def udev(self, jigs_text=None, admin_rule=None):
        """The rules with a jigs.conf of this text (None: the shipped one) and optionally an admin's rule file."""
        jigs = JIGS
        if jigs_text is not None:
            jigs = os.path.join(self.tmp.name, "jigs.conf")
            with open(jigs, "w") as f:
                f.write(jigs_text)
        files = [RULES]
        if admin_rule:
            files.append(os.path.join(self.tmp.name, "69-tonewire-local.rules"))
            with open(files[-1], "w") as f:
                f.write(admin_rule + "\n")
        return Udev(files, os.path.dirname(os.path.abspath(HELPER)), jigs)

    def assert_jig(self, u, ids, serial="X"):
        card = u.run(usb("card1", ids, serial))
        self.assertEqual(card["attrs"].get("id"), "TonewireJig")
        self.assertIn("systemd", card["tags"])
        self.assertIn("tonewired.service", card["wants"])
        pcm = u.run(usb("pcmC1D0p", ids, serial))
        self.assertEqual((pcm.get("group"), pcm.get("mode")), ("audio", "0660"))

    def assert_untouched(self, u, dev):
        for kernel in ("card1", "controlC1", "pcmC1D0p", "pcmC1D0c"):
            d = dict(dev, kernel=kernel)
            r = u.run(d)
            self.assertFalse(touched(r), f"{kernel} of {d['parents'][-1]['attrs']} touched: {r}")

    def test_every_line_parses(self):
        self.assertGreater(len(parse(RULES)), 5)

    def test_real_udev_parses_the_rules(self):
        """systemd-udevd's own parser, where it can run: udevadm test reads every rules
        file, so a tmpfs over /etc/udev/rules.d (in a private mount namespace) holds ours."""
        if os.geteuid() != 0 or not shutil.which("udevadm") or not shutil.which("unshare"):
            self.skipTest("needs root, udevadm and unshare")
        probe = subprocess.run(["unshare", "-m", "true"], capture_output=True)
        if probe.returncode != 0:
            self.skipTest("no private mount namespace here")
        name = os.path.basename(RULES)
        script = ('mount -t tmpfs tmpfs /etc/udev/rules.d && cp "$1" /etc/udev/rules.d/ '
                  '&& udevadm test --action=add /sys/class/net/lo')
        p = subprocess.run(["unshare", "-m", "sh", "-c", script, "sh", RULES],
                           capture_output=True, text=True, timeout=60)
        out = p.stdout + p.stderr
        self.assertIn(f"Reading rules file: /etc/udev/rules.d/{name}", out)
        complaints = [l for l in out.splitlines() if re.search(re.escape(name) + r":\d+", l)]
        self.assertEqual(complaints, [])

    def test_shipped_list_touches_no_interface(self):
        u = self.udev()
        for ids in KNOWN_INTERFACES:
            self.assert_untouched(u, usb("card1", ids))
        self.assertTrue(u.calls, "the helper was never asked: the rules cannot have read the list")

    def test_shipped_list_checks_clean_and_lists_nothing(self):
        p = subprocess.run([HELPER, "--check"], capture_output=True, text=True,
                           env=dict(os.environ, TONEWIRE_JIGS=JIGS))
        self.assertEqual((p.returncode, p.stdout, p.stderr), (0, "", ""))

    def test_listed_model_is_the_jig_and_no_other(self):
        u = self.udev("# the bench's interface\n1235:8210\n")
        self.assert_jig(u, SCARLETT_2I2)
        self.assert_jig(u, SCARLETT_2I2, serial="ANOTHER-UNIT")
        for ids in (SCARLETT_4I4, UMC404HD, MOTU_8A):
            self.assert_untouched(u, usb("card1", ids))

    def test_listed_serial_takes_only_that_unit(self):
        u = self.udev("1235:8212 Y8ABC1234567   # left bench\n")
        self.assert_jig(u, SCARLETT_4I4, serial="Y8ABC1234567")
        self.assert_untouched(u, usb("card1", SCARLETT_4I4, serial="Y8ZZZ0000000"))

    def test_ids_compare_without_case(self):
        self.assert_jig(self.udev("07FD:0005\n"), MOTU_8A)

    def test_helper_gets_the_usb_ids_not_the_interface(self):
        u = self.udev("")
        u.run(usb("card1", UMC404HD, serial="S1"))
        self.assertEqual(u.calls, [["1397", "0509", "S1"]])

    def test_a_bad_line_is_reported_and_skipped(self):
        text = "1235:82100\n1397:0509 S1 S2\n07fd:0005\n"
        u = self.udev(text)
        self.assert_untouched(u, usb("card1", ("1235", "8210")))
        self.assert_untouched(u, usb("card1", UMC404HD, serial="S1"))
        self.assert_jig(u, MOTU_8A)
        p = subprocess.run([HELPER, "--check"], capture_output=True, text=True,
                           env=dict(os.environ, TONEWIRE_JIGS=u.jigs))
        self.assertEqual(p.returncode, 1)
        self.assertIn("jigs.conf:1: '1235:82100'", p.stderr)
        self.assertIn("jigs.conf:2:", p.stderr)
        self.assertIn("jigs.conf:3: jig 07fd:0005", p.stdout)

    def test_missing_list_touches_nothing(self):
        u = self.udev()
        u.jigs = os.path.join(self.tmp.name, "absent.conf")
        self.assert_untouched(u, usb("card1", SCARLETT_2I2))

    def test_admin_rule_marks_a_jig_without_the_list(self):
        rule = ('SUBSYSTEM=="sound", ATTRS{idVendor}=="1397", ATTRS{idProduct}=="0509", '
                'ENV{TONEWIRE_JIG}="1"')
        u = self.udev("", admin_rule=rule)
        self.assert_jig(u, UMC404HD)
        self.assert_untouched(u, usb("card1", SCARLETT_2I2))

    def test_onboard_card_is_left_alone(self):
        u = self.udev("1235:8210\n")
        self.assert_untouched(u, pci("card0"))
        self.assertEqual(u.calls, [])

    def test_remove_does_nothing(self):
        u = self.udev("1235:8210\n")
        r = u.run(usb("card1", SCARLETT_2I2, action="remove"))
        self.assertFalse(touched(r))


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import twtest  # noqa: E402
    twtest.main(argv=[sys.argv[0]])
