#!/usr/bin/env python3
"""The udev rules parse, and match the devices they describe (and only those).

udevadm 252 has no 'verify', and 'udevadm test' needs a real device; so this
evaluates the rules the way udev does for the keys they use: == and != on
SUBSYSTEM, ACTION, KERNEL, ATTRS{} and ENV{} (with | alternatives and * globs),
assignments =, +=, GOTO and LABEL.
"""
import fnmatch
import re
import sys
import unittest

RULES = sys.argv[1] if len(sys.argv) > 1 else "udev/70-tonewire.rules"
TOKEN = re.compile(r'\s*([A-Z_]+(?:\{[^}]+\})?)\s*(==|!=|\+=|=)\s*"([^"]*)"\s*,?')


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


def run(rules, dev):
    env, attrs_set, result = dict(dev.get("env", {})), {}, {"tags": [], "wants": []}
    labels = {toks[0][2]: i for i, (_, toks) in enumerate(rules) if toks[0][0] == "LABEL"}
    i = 0
    while i < len(rules):
        _, toks = rules[i]
        ok, jump = True, None
        for key, op, val in toks:
            if op in ("==", "!="):
                if key == "SUBSYSTEM":
                    have = dev["subsystem"]
                elif key == "ACTION":
                    have = dev["action"]
                elif key == "KERNEL":
                    have = dev["kernel"]
                elif key.startswith("ATTRS{"):
                    have = dev["attrs"].get(key[6:-1])
                elif key.startswith("ENV{"):
                    have = env.get(key[4:-1])
                else:
                    raise ValueError(f"unknown match key {key}")
                hit = have is not None and matches(val, have)
                if (op == "==") != hit:
                    ok = False
                    break
        if ok:
            for key, op, val in toks:
                if op in ("=", "+="):
                    if key == "GOTO":
                        jump = labels[val]
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
                    elif key == "LABEL":
                        pass
                    else:
                        raise ValueError(f"unknown assignment {key}")
        i = jump if jump is not None else i + 1
    result["env"], result["attrs"] = env, attrs_set
    return result


def device(kernel, vendor, product, action="add", serial="X"):
    return {"subsystem": "sound", "action": action, "kernel": kernel,
            "attrs": {"idVendor": vendor, "idProduct": product, "serial": serial}}


class TestRules(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.rules = parse(RULES)

    def test_every_line_parses(self):
        self.assertGreater(len(self.rules), 5)

    def test_scarlett_card_is_named_and_starts_the_service(self):
        r = run(self.rules, device("card1", "1235", "8210"))
        self.assertEqual(r["attrs"].get("id"), "TonewireJig")
        self.assertIn("systemd", r["tags"])
        self.assertIn("tonewired.service", r["wants"])

    def test_pcm_node_gets_group_access(self):
        r = run(self.rules, device("pcmC1D0p", "1235", "8210"))
        self.assertEqual(r.get("group"), "audio")
        self.assertEqual(r.get("mode"), "0660")

    def test_other_devices_are_left_alone(self):
        for dev in (device("card0", "046d", "0a44"), device("pcmC0D0c", "8086", "1234")):
            r = run(self.rules, dev)
            self.assertNotIn("id", r["attrs"])
            self.assertNotIn("group", r)
            self.assertEqual(r["wants"], [])

    def test_remove_does_nothing(self):
        r = run(self.rules, device("card1", "1235", "8210", action="remove"))
        self.assertEqual(r["wants"], [])


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0]], verbosity=2)
