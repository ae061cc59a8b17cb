#!/usr/bin/env python3
"""End to end: malformed input from every side, and what each one gets.

One table (CASES) drives both the test and docs/bad-input.md, so the two
never disagree: `test_bad_input.py --markdown > docs/bad-input.md`.

Every row is one bad input sent to the real programs: an HTTP request to a
running tonewired (on the simulated jig, a port picked by the kernel), a
file handed to the CLI or the daemon, or a CLI command line. Each row names
the status or exit code it must get and a word the message must contain,
so a rejection that does not say what is wrong fails the test. After every
row GET /api/v1/status must still answer 200, and at the end a good test
must still pass and be the only result stored.

Standard library only. TONEWIRE_BUILD_DIR points at the build tree.
"""
import http.client
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import wave

BUILD = os.environ.get("TONEWIRE_BUILD_DIR", os.path.join(os.path.dirname(__file__), "../../build"))
TONEWIRED = os.path.join(BUILD, "daemon", "tonewired")
TONEWIRE = os.path.join(BUILD, "cli", "tonewire")

JIG = "stereo-trs"
CABLE = "trs-3.5-extension"
J = {"Content-Type": "application/json"}
NO_ANSWER = 0   # raw rows: no HTTP answer at all (the idle connection is dropped after 60 s)
GOOD = '{"cable": "%s"}' % CABLE


# --- the table ---------------------------------------------------------------
#
# api:  (method, path, body, headers)          → HTTP status, JSON {"error"} naming `word`
# raw:  bytes sent on a fresh socket           → HTTP status (word checked when JSON comes back)
# cli:  argv of tonewire ({server}, {dead})    → exit status, stderr naming `word`
# file: (kind, content) then a command on it   → exit status, stderr naming `word`
#       kind: connector/cable/jig (tonewire profiles show), scenario (tonewire run on it),
#             config (tonewired --check-config), wav/plan (tonewire analyze);
#             scenario_path/config_path: content is a path ({tmp} allowed), not written

def api(what, method, path, body, headers, status, word):
    return {"area": "API", "what": what, "kind": "api", "req": (method, path, body, headers or {}),
            "want": status, "word": word}


def raw(what, data, status, word=None):
    return {"area": "API", "what": what, "kind": "raw", "req": data, "want": status, "word": word}


def cli(what, argv, code, word):
    return {"area": "CLI", "what": what, "kind": "cli", "req": argv, "want": code, "word": word}


def file(what, kind, content, code, word):
    return {"area": "file", "what": what, "kind": "file", "req": (kind, content), "want": code, "word": word}


def chunked(total):
    head = (b"POST /api/v1/tests HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
    chunk = b" " * 8192
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(total // len(chunk)))
    return head + body + b"0\r\n\r\n"


def get_raw(path, extra=b""):
    return (b"GET " + path + b" HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n" + extra + b"Connection: close\r\n\r\n")


CONNECTOR_OK = "[connector]\nname = x\ncontacts = T R S\nroles = L R G\n"
JIG_HEAD = "[jig]\nname = j\nsocket_a = trs-3.5\nsocket_b = trs-3.5\nsource_ohms = 100\ninput_ohms = 10000\n"
SCEN_HEAD = f"[scenario]\njig = {JIG}\n[interface]\npace = fast\n"

CASES = [
    # POST /api/v1/tests bodies
    api("body that is not JSON", "POST", "/api/v1/tests", "not json", J, 400, "not valid JSON"),
    api("JSON cut short", "POST", "/api/v1/tests", '{"cable": "%s"' % CABLE, J, 400, "not valid JSON"),
    api("a JSON array instead of an object", "POST", "/api/v1/tests", "[1, 2]", J, 400, "object"),
    api("a JSON string instead of an object", "POST", "/api/v1/tests", '"trs"', J, 400, "not valid JSON"),
    api("JSON nested 20 000 deep", "POST", "/api/v1/tests", "[" * 20000 + "]" * 20000, J, 400, "depth"),
    api("body not UTF-8", "POST", "/api/v1/tests", b'{"cable": "\xff\xfe"}', J, 400, "unable to decode byte 0xff"),
    api("NUL byte inside the JSON text", "POST", "/api/v1/tests", b'{"cable": "trs\x00"}', J, 400, "JSON"),
    api("duplicate key", "POST", "/api/v1/tests", '{"cable": "a", "cable": "b"}', J, 400, "duplicate"),
    api("empty object, no default cable", "POST", "/api/v1/tests", "{}", J, 400, "cable: required"),
    api("empty body, no default cable", "POST", "/api/v1/tests", "", J, 400, "cable: required"),
    api("cable is a number", "POST", "/api/v1/tests", '{"cable": 5}', J, 400, "cable: expected a string"),
    api("cable is null", "POST", "/api/v1/tests", '{"cable": null}', J, 400, "cable"),
    api("cable is an object", "POST", "/api/v1/tests", '{"cable": {"name": "x"}}', J, 400, "cable"),
    api("cable is empty", "POST", "/api/v1/tests", '{"cable": ""}', J, 400, "cable: required"),
    api("cable is a path", "POST", "/api/v1/tests", '{"cable": "../../../etc/passwd"}', J, 400, "cable"),
    api("cable with a space", "POST", "/api/v1/tests", '{"cable": "trs 3.5"}', J, 400, "cable"),
    api("cable name of 200 characters", "POST", "/api/v1/tests", json.dumps({"cable": "c" * 200}), J, 400,
        "too long"),
    api("unknown cable", "POST", "/api/v1/tests", '{"cable": "no-such-cable"}', J, 400, "no-such-cable"),
    api("cable that does not fit the jig", "POST", "/api/v1/tests", '{"cable": "xlr3-interconnect"}', J, 400,
        "cable"),
    api("serial is a number", "POST", "/api/v1/tests", '{"cable": "%s", "serial": 12}' % CABLE, J, 400,
        "serial: expected a string"),
    api("serial of 65 characters", "POST", "/api/v1/tests", json.dumps({"cable": CABLE, "serial": "s" * 65}), J,
        400, "serial"),
    api("serial with a control character", "POST", "/api/v1/tests",
        '{"cable": "%s", "serial": "a\\u0001b"}' % CABLE, J, 400, "control characters"),
    api("serial with an escaped NUL", "POST", "/api/v1/tests", '{"cable": "%s", "serial": "a\\u0000b"}' % CABLE,
        J, 400, "\\u0000"),
    api("empty serial", "POST", "/api/v1/tests", '{"cable": "%s", "serial": ""}' % CABLE, J, 400, "serial"),
    api("unknown field", "POST", "/api/v1/tests", '{"cable": "%s", "colour": "red"}' % CABLE, J, 400, "colour"),
    api("Content-Type text/plain", "POST", "/api/v1/tests", GOOD, {"Content-Type": "text/plain"}, 415,
        "Content-Type"),
    api("body of 70 KiB (Content-Length)", "POST", "/api/v1/tests",
        json.dumps({"cable": CABLE, "serial": "x" * (70 * 1024)}), J, 413, "larger than"),
    raw("body of 80 KiB, chunked (no Content-Length)", chunked(80 * 1024), 413, "larger than"),
    raw("Content-Length that is not a number",
        b"POST /api/v1/tests HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
        b"Content-Length: abc\r\nConnection: close\r\n\r\n", 400),
    # query strings
    api("?wait=banana", "POST", "/api/v1/tests?wait=banana", GOOD, J, 400, "wait"),
    api("unknown query parameter on POST", "POST", "/api/v1/tests?colour=red", GOOD, J, 400, "colour"),
    api("?limit=0", "GET", "/api/v1/tests?limit=0", None, None, 400, "limit"),
    api("?limit=abc", "GET", "/api/v1/tests?limit=abc", None, None, 400, "limit"),
    api("?limit= a 30-digit number", "GET", "/api/v1/tests?limit=" + "9" * 30, None, None, 400, "limit"),
    api("?limit=-5", "GET", "/api/v1/tests?limit=-5", None, None, 400, "limit"),
    api("?verdict=maybe", "GET", "/api/v1/tests?verdict=maybe", None, None, 400, "verdict"),
    api("?since=yesterday", "GET", "/api/v1/tests?since=yesterday", None, None, 400, "since"),
    api("?since=2026-13-45", "GET", "/api/v1/tests?since=2026-13-45", None, None, 400, "since"),
    api("?since=2026-11-22T25:00", "GET", "/api/v1/tests?since=2026-11-22T25:00", None, None, 400, "since"),
    api("?since= 13 digits of Unix time", "GET", "/api/v1/tests?since=9999999999999", None, None, 400, "since"),
    api("?serial= 65 characters", "GET", "/api/v1/tests?serial=" + "s" * 65, None, None, 400, "serial"),
    api("?cable= 101 characters", "GET", "/api/v1/tests?cable=" + "c" * 101, None, None, 400, "cable"),
    api("unknown query parameter on GET", "GET", "/api/v1/tests?colour=red", None, None, 400, "colour"),
    api("unknown query parameter on events", "GET", "/api/v1/events?colour=red", None, None, 400, "colour"),
    # ids and routes
    api("id that is not a number", "GET", "/api/v1/tests/abc", None, None, 400, "not a test id"),
    api("id 0", "GET", "/api/v1/tests/0", None, None, 400, "not a test id"),
    api("negative id", "GET", "/api/v1/tests/-1", None, None, 400, "not a test id"),
    api("id of 20 digits", "GET", "/api/v1/tests/" + "9" * 20, None, None, 400, "not a test id"),
    api("id with a suffix", "GET", "/api/v1/tests/12abc", None, None, 400, "not a test id"),
    api("id never stored", "GET", "/api/v1/tests/99999", None, None, 404, "no test 99999"),
    api("capture of a test never stored", "GET", "/api/v1/tests/99999/capture.wav", None, None, 404, "capture"),
    api("capture plan with a bad id", "GET", "/api/v1/tests/x/capture.json", None, None, 400, "id"),
    api("unknown API route", "GET", "/api/v1/nope", None, None, 404, "no such API route"),
    api("DELETE on the test list", "DELETE", "/api/v1/tests", None, None, 405, "DELETE"),
    api("PATCH on status", "PATCH", "/api/v1/status", "{}", J, 405, "PATCH"),
    api("POST to a static path", "POST", "/index.html", "{}", J, 405, "POST"),
    raw("path with ../ out of the web root", get_raw(b"/../../../../etc/passwd"), 404, "not found"),
    raw("path with %2e%2e out of the web root", get_raw(b"/%2e%2e/%2e%2e/etc/passwd"), 404, "not found"),
    raw("URL of 40 KiB", get_raw(b"/api/v1/tests?serial=" + b"s" * 40000), 414, "request target"),
    api("demo scenario that is a path", "PUT", "/api/v1/demo", '{"scenario": "../straight"}', J, 400,
        "scenario"),
    api("demo scenario missing", "PUT", "/api/v1/demo", "{}", J, 400, "scenario"),
    # the rules of who may ask
    raw("no Host header (HTTP/1.0)", b"GET /api/v1/status HTTP/1.0\r\n\r\n", 400, "Host"),
    raw("Host of another site (DNS rebinding)",
        b"GET /api/v1/status HTTP/1.1\r\nHost: evil.example:{port}\r\nConnection: close\r\n\r\n", 403, "Host"),
    raw("Host with the wrong port",
        b"GET /api/v1/status HTTP/1.1\r\nHost: 127.0.0.1:1\r\nConnection: close\r\n\r\n", 403, "Host"),
    api("cross-origin POST", "POST", "/api/v1/tests", GOOD, {**J, "Origin": "http://evil.example"}, 403,
        "cross-origin"),
    api("POST from Origin: null", "POST", "/api/v1/tests", GOOD, {**J, "Origin": "null"}, 403, "cross-origin"),
    api("cross-site POST without Origin", "POST", "/api/v1/tests", GOOD, {**J, "Sec-Fetch-Site": "cross-site"},
        403, "cross-site"),
    raw("bytes that are not HTTP", b"\x00\x01\x02 nonsense\r\n\r\n", 400, "request line"),

    # profiles (tonewire profiles show FILE)
    file("connector: fewer roles than contacts", "connector",
         "[connector]\nname = x\ncontacts = T R S\nroles = L R\n", 2, "2 roles for 3 contacts"),
    file("connector: unknown role", "connector",
         "[connector]\nname = x\ncontacts = T R S\nroles = L R BOGUS\n", 2, "unknown role 'BOGUS'"),
    file("connector: no contacts", "connector", "[connector]\nname = x\ncontacts =\nroles =\n", 2,
         "contacts: empty"),
    file("connector: name of 20 000 characters", "connector",
         "[connector]\nname = " + "x" * 20000 + "\n", 2, "bad.conf:2: name: longer than 63 characters"),
    file("connector: a 20 000-character comment, then a bad role", "connector",
         "[connector]\n; " + "x" * 20000 + "\ncontacts = T R S\nroles = L R BOGUS\n", 2,
         "bad.conf:4: roles: unknown role 'BOGUS'"),
    file("connector: a key given twice", "connector", "[connector]\ncontacts = T R S\ncontacts = T S\n", 2,
         "bad.conf:3: contacts: given twice (first on line 2)"),
    file("cable: end is an unknown connector", "cable",
         "[cable]\nname = c\nend_a = nope\nend_b = trs-3.5\n", 2, "unknown connector 'nope'"),
    file("cable: wire to a contact the plug lacks", "cable",
         "[cable]\nname = c\nend_a = trs-3.5\nend_b = trs-3.5\nwire = T Q\n", 2, "unknown contact 'Q'"),
    file("jig: no source_ohms", "jig",
         "[jig]\nname = j\nsocket_a = trs-3.5\nsocket_b = trs-3.5\n[outputs]\n1 = A.T\n", 2, "source_ohms"),
    file("jig: output to an unknown contact", "jig", JIG_HEAD + "[outputs]\n1 = A.Q\n[inputs]\n1 = B.T\n", 2,
         "unknown contact 'A.Q'"),
    file("jig: output channel 0", "jig", JIG_HEAD + "[outputs]\n0 = A.T\n[inputs]\n1 = B.T\n", 2,
         "channel number"),
    file("jig: output on the far socket", "jig", JIG_HEAD + "[outputs]\n1 = B.T\n[inputs]\n1 = B.R\n", 2,
         "B.T is on socket B; expected a contact of socket A"),
    file("jig: one contact driven twice", "jig", JIG_HEAD + "[outputs]\n1 = A.T\n2 = A.T\n[inputs]\n1 = B.T\n", 2,
         "A.T is already driven by output 1"),
    file("jig: output of two contacts", "jig", JIG_HEAD + "[outputs]\n1 = A.T A.R\n[inputs]\n1 = B.T\n", 2,
         "expected one contact"),
    file("jig: contact of no socket", "jig", JIG_HEAD + "[outputs]\n1 = T\n[inputs]\n1 = B.T\n", 2,
         "expected a contact of socket A or B"),
    file("jig: input sensed against itself", "jig", JIG_HEAD + "[outputs]\n1 = A.T\n[inputs]\n1 = +B.T -B.T\n", 2,
         "senses B.T against itself"),
    file("jig: input of two plain contacts", "jig", JIG_HEAD + "[outputs]\n1 = A.T\n[inputs]\n1 = B.T B.R\n", 2,
         "expected a contact (B.T) or a differential pair"),
    file("jig: tie of two contacts", "jig", JIG_HEAD + "[outputs]\n1 = A.T\n[inputs]\n1 = B.T\n[ground]\ntie = A.S B.S\n", 2,
         "expected one contact, e.g. tie = A.S"),
    file("jig: a contact tied twice", "jig", JIG_HEAD + "[outputs]\n1 = A.T\n[inputs]\n1 = B.T\n[ground]\ntie = A.S\ntie = A.S\n", 2,
         "A.S is already tied"),
    file("jig: load with no ohms", "jig", JIG_HEAD + "[outputs]\n1 = A.T\n[inputs]\n1 = B.T\n[loads]\nload = B.T B.S\n", 2,
         "expected two contacts and ohms"),
    file("jig: load from a contact to itself", "jig", JIG_HEAD + "[outputs]\n1 = A.T\n[inputs]\n1 = B.T\n[loads]\nload = B.T B.T 32\n", 2,
         "between B.T and itself"),
    file("jig: load of a word", "jig", JIG_HEAD + "[outputs]\n1 = A.T\n[inputs]\n1 = B.T\n[loads]\nload = B.T B.S many\n", 2,
         "'many' is not a number"),
    file("jig: load of 0 ohms", "jig", JIG_HEAD + "[outputs]\n1 = A.T\n[inputs]\n1 = B.T\n[loads]\nload = B.T B.S 0\n", 2,
         "expected a resistance above 0"),
    file("empty profile file", "connector", "", 2, "no [connector], [cable] or [jig] section"),
    file("binary file as a profile", "connector", "\x00\x01\x02garbage\n", 2, "bad.conf:1: a NUL byte"),
    file("control bytes in a profile", "connector", "[connector]\nname = \x1b[31mx\n", 2,
         "bad.conf:2: control byte 0x1b"),
    cli("profile name that does not exist", ["profiles", "show", "no-such-thing"], 2, "closest"),
    # scenarios (tonewire run --device tonewire_sim:FILE): the device cannot open, a station error
    file("scenario: unknown jig", "scenario", "[scenario]\njig = no-such-jig\n[cable]\nwire = A.T B.T\n", 2,
         "no-such-jig"),
    file("scenario: noise level that is a word", "scenario", SCEN_HEAD + "noise_dbfs = loud\n[cable]\n", 3,
         "noise_dbfs"),
    file("scenario: wire to an unknown contact", "scenario", SCEN_HEAD + "[cable]\nwire = A.T B.Q\n", 3,
         "B.Q"),
    file("scenario: rate the interface cannot run", "scenario",
         f"[scenario]\njig = {JIG}\nrate = 12345\n[interface]\npace = fast\n[cable]\n", 3, "rate"),
    file("scenario: dropout with a negative length", "scenario",
         SCEN_HEAD + "[cable]\nwire = A.T B.T\ndropout = A.T B.T 100 -2\n", 3, "dropout"),
    file("scenario: no [scenario] section", "scenario", "[cable]\nwire = A.T B.T\n", 2,
         "no [scenario] jig; expected [scenario] with 'jig = NAME'"),
    file("scenario: jig given twice", "scenario", f"[scenario]\njig = {JIG}\njig = {JIG}\n", 2,
         "bad.conf:3: jig: given twice"),
    file("scenario: a folder", "scenario_path", "{tmp}", 2, "a directory, not a scenario file"),
    # daemon configuration (tonewired --config FILE --check-config)
    file("config: port that is a word", "config", "[http]\nport = abc\n", 2, "port"),
    file("config: port 99999", "config", "[http]\nport = 99999\n", 2, "port"),
    file("config: address that is a host name", "config", "[http]\naddress = example.com\n", 2, "address"),
    file("config: all addresses without a token", "config", "[http]\naddress = 0.0.0.0\nport = 0\n", 2, "token"),
    file("config: token too short", "config", "[http]\ntoken = short\n", 2, "token"),
    file("config: unknown section", "config", "[nonsense]\nx = 1\n", 2, "nonsense"),
    file("config: token with a blank in it", "config", "[http]\ntoken = sixteen characters long\n", 2,
         "only printable ASCII without spaces"),
    file("config: max_body of 10 bytes", "config", "[http]\nmax_body = 10\n", 2, "max_body"),
    file("config: max_clients 0", "config", "[http]\nmax_clients = 0\n", 2, "max_clients"),
    file("config: web_root left empty", "config", "[http]\nweb_root =\n", 2, "a path is required"),
    file("config: queue_scans that is not yes or no", "config", "[station]\nqueue_scans = maybe\n", 2,
         "expected yes or no, got 'maybe'"),
    file("config: trigger that is neither auto nor manual", "config", "[station]\ntrigger = sometimes\n", 2,
         "expected auto or manual, got 'sometimes'"),
    file("config: a device name of 600 characters", "config", "[station]\ndevice = " + "d" * 600 + "\n", 2,
         "is too long"),
    file("config: station id left empty", "config", "[station]\nid =\n", 2, "id: must not be empty"),
    file("config: station id with a blank", "config", "[station]\nid = bench 4\n", 2,
         "only letters, digits, '.', '_' and '-'"),
    file("config: a line database without a station id", "config", "[fleet]\npostgres = dbname=line\n", 2,
         "[fleet] postgres needs [station] id"),
    file("config: unknown key", "config", "[station]\ncolour = red\n", 2, "colour"),
    file("config: section header not closed", "config", "[station\ndevice = x\n", 2, "expected ']'"),
    file("config: a key given twice", "config", "[http]\nport = 0\nport = 8640\n", 2,
         "bad.conf:3: port: given twice"),
    file("config: a 300-character comment, then a bad key", "config",
         "[station]\n; " + "x" * 300 + "\ncolour = red\n", 2, "bad.conf:3: colour: unknown key"),
    file("config: a NUL byte", "config", "[station]\nrate = 48000\x00\n", 2, "bad.conf:2: a NUL byte"),
    file("config: a folder", "config_path", "{tmp}", 2, "a directory, not a configuration file"),
    file("config: /dev/null", "config_path", "/dev/null", 2, "a character device, not a configuration file"),
    file("config: unknown default cable", "config", "[station]\ncable = no-such-cable\n", 2, "no-such-cable"),
    file("config: a sound card without a jig", "config", "[station]\ndevice = hw:NoSuchCard\n", 2,
         "[station] jig is required"),
    file("config: unknown jig", "config", "[station]\njig = no-such-jig\n", 2, "jig: "),
    file("config: unknown interface", "config", "[station]\ninterface = no-such-interface\n", 2,
         "[station] interface: "),
    file("config: profiles folder that does not exist", "config", "[profiles]\npath = /nonexistent-tonewire\n", 2,
         "[profiles] path: "),
    file("config: scenario that does not exist", "config", "[station]\ndevice = tonewire_sim:{tmp}/missing.conf\n",
         2, "[station] device: "),
    # captures (tonewire analyze WAV --plan PLAN, a good plan of a real capture unless the plan is the bad part)
    file("capture: text file as the WAV", "wav", "hello, not a WAV\n", 2, "not a readable WAV"),
    file("capture: empty WAV file", "wav", "", 2, "not a readable WAV"),
    file("capture: WAV cut off after its header", "wav", "truncated", 2, "frames"),
    file("capture: mono WAV for a 2-input plan", "wav", "mono", 2, "channels"),
    file("capture: plan that is not JSON", "plan", "{not json", 2, "not a stimulus plan"),
    file("capture: plan of another program", "plan", '{"format": "something-else"}', 2, "tonewire-capture"),
    # "edit:" + a patch merged into the good capture's plan (null removes a key, {"0": …} edits a list item)
    file("capture: plan of a version this tonewire does not know", "plan", 'edit:{"format": "tonewire-capture/9"}',
         2, "a version this tonewire does not know"),
    file("capture: plan without its timeline", "plan", 'edit:{"timeline": null}', 2, '"timeline" is missing'),
    file("capture: plan at 1 Hz", "plan", 'edit:{"rate": 1}', 2, "rate"),
    file("capture: plan of more windows than a capture holds", "plan",
         'edit:{"window": 65536, "timeline": {"windows": 4096}}', 2, "more than a capture holds"),
    file("capture: plan without tones", "plan", 'edit:{"tones": []}', 2, '"tones" must list 1 to'),
    file("capture: plan without inputs", "plan", 'edit:{"inputs": []}', 2, '"inputs" must list 1 to'),
    file("capture: plan whose tone is not the one played", "plan", 'edit:{"tones": {"0": {"bin": 3}}}', 2,
         "is not what this version of tonewire plays"),
    # the command line
    cli("no command", [], 2, "usage"),
    cli("unknown command", ["frobnicate"], 2, "unknown command 'frobnicate'"),
    cli("unknown option", ["run", "--frobnicate"], 2, "frobnicate"),
    cli("run without --cable", ["run", "--device", "tonewire_sim:{scenario}"], 2, "cable"),
    cli("run without --device", ["run", "--cable", CABLE], 2, "device"),
    cli("run with an unknown cable", ["run", "--device", "tonewire_sim:{scenario}", "--cable", "no-such-cable"],
        2, "no-such-cable"),
    cli("run with --rate abc", ["run", "--device", "tonewire_sim:{scenario}", "--cable", CABLE, "--rate", "abc"],
        2, "rate"),
    cli("run with --windows 0", ["run", "--device", "tonewire_sim:{scenario}", "--cable", CABLE, "--windows", "0"],
        2, "windows"),
    cli("run on a sound card that does not exist", ["run", "--device", "hw:NoSuchCard", "--cable", CABLE,
                                                   "--jig", JIG], 3, "NoSuchCard"),
    cli("run with --outputs 0", ["run", "--device", "tonewire_sim:{scenario}", "--cable", CABLE, "--outputs", "0"], 2,
        "--outputs: '0' is not a list of device channels"),
    cli("run with --inputs left empty", ["run", "--device", "tonewire_sim:{scenario}", "--cable", CABLE, "--inputs",
                                         ""], 2, "--inputs: expected device channels"),
    cli("run with an unknown interface", ["run", "--device", "tonewire_sim:{scenario}", "--cable", CABLE,
                                          "--interface", "no-such-interface"], 2, "--interface: unknown interface"),
    cli("run with an ADC that does not exist", ["run", "--device", "tonewire_sim:{scenario}", "--cable", CABLE,
                                                "--capture", "hw:NoSuchADC"], 3, "NoSuchADC"),
    cli("run with an extra argument", ["run", "--device", "tonewire_sim:{scenario}", "--cable", CABLE, "now"], 2,
        "unexpected argument 'now'"),
    cli("run keeping its capture in a folder that does not exist",
        ["run", "--device", "tonewire_sim:{scenario}", "--cable", CABLE, "--save-capture", "{tmp}/none/c.wav"], 2,
        "--save-capture: cannot write"),
    cli("run writing JUnit into a folder that does not exist",
        ["run", "--device", "tonewire_sim:{scenario}", "--cable", CABLE, "--junit", "{tmp}/none/r.xml"], 2,
        "cannot write JUnit file"),
    cli("analyze without a file", ["analyze"], 2, "expected one capture file"),
    cli("analyze a file that does not exist", ["analyze", "{tmp}/missing.wav"], 2, "missing"),
    cli("test through a daemon that is not there", ["test", "--server", "{dead}", "--cable", CABLE], 3,
        "unreachable"),
    cli("test with a server that is not a URL", ["test", "--server", "not a url", "--cable", CABLE], 3, "not a url"),
    cli("test with an unknown cable", ["test", "--server", "{server}", "--cable", "no-such-cable"], 2,
        "no-such-cable"),
    cli("test without a cable, none configured", ["test", "--server", "{server}"], 2, "cable"),
    cli("history with a verdict that is not one", ["history", "--server", "{server}", "--verdict", "maybe"], 2,
        "verdict"),
    cli("history with --limit -5", ["history", "--server", "{server}", "--limit", "-5"], 2, "limit"),
    cli("flex with --seconds 0", ["flex", "--device", "tonewire_sim:{scenario}", "--cable", CABLE, "--seconds", "0"],
        2, "--seconds: '0' is not a duration"),
    cli("flex with --rate abc", ["flex", "--device", "tonewire_sim:{scenario}", "--cable", CABLE, "--rate", "abc"],
        2, "rate"),
    cli("flex with an extra argument", ["flex", "--device", "tonewire_sim:{scenario}", "--cable", CABLE, "now"], 2,
        "unexpected argument 'now'"),
    cli("flex with a device but no cable", ["flex", "--device", "tonewire_sim:{scenario}"], 2,
        "--device and --cable are required"),
    cli("flex on a sound card that does not exist", ["flex", "--device", "hw:NoSuchCard", "--cable", CABLE,
                                                    "--jig", JIG, "--seconds", "1"], 3, "NoSuchCard"),
    cli("flex through a daemon that is not there", ["flex", "--server", "{dead}", "--cable", CABLE], 3,
        "unreachable"),
    cli("flex through a daemon with --seconds 0", ["flex", "--server", "{server}", "--seconds", "0"], 2,
        "--seconds '0' is not a whole number"),
    cli("flex through a daemon with an extra argument", ["flex", "--server", "{server}", "now"], 2,
        "unexpected argument 'now'"),
    cli("flex through a daemon with an unknown cable", ["flex", "--server", "{server}", "--cable", "no-such-cable"],
        2, "no-such-cable"),
    cli("learn without --end-b", ["learn", "--device", "tonewire_sim:{scenario}", "--end-a", "trs-3.5"], 2,
        "--end-b are required"),
    cli("learn with --windows 0", ["learn", "--device", "tonewire_sim:{scenario}", "--end-a", "trs-3.5",
                                   "--end-b", "trs-3.5", "--windows", "0"], 2, "windows"),
    cli("learn with an extra argument", ["learn", "--device", "tonewire_sim:{scenario}", "--end-a", "trs-3.5",
                                         "--end-b", "trs-3.5", "now"], 2, "unexpected argument 'now'"),
    cli("line with a view that does not exist", ["line", "moon", "--server", "{server}"], 2, "unknown view 'moon'"),
    cli("line with one argument too many", ["line", "yield", "a", "b", "--server", "{server}"], 2,
        "unexpected argument 'b'"),
    cli("line with an unknown option", ["line", "yield", "--frobnicate", "--server", "{server}"], 2, "frobnicate"),
    cli("line release without a serial", ["line", "release", "--server", "{server}"], 2, "a serial is required"),
    cli("line view of a station with no line database", ["line", "yield", "--server", "{server}"], 2,
        "no line database"),
    cli("line through a daemon that is not there", ["line", "pareto", "--server", "{dead}"], 3, "unreachable"),
    cli("calibrate with an extra argument", ["calibrate", "--server", "{server}", "now"], 2,
        "unexpected argument 'now'"),
]


def markdown():
    out = ["# Bad input, and what it gets", "",
           "Every row is a malformed input tried by `tests/e2e/test_bad_input.py` (CTest `e2e.bad_input`)",
           "against the real `tonewired` and `tonewire`; this page is printed by that test",
           "(`python3 tests/e2e/test_bad_input.py --markdown > docs/bad-input.md`), so it says what the",
           "programs do, not what they were meant to do. After every row the daemon must still answer",
           "`GET /api/v1/status` with 200, and at the end a good test must still pass and be the only",
           "result stored.", "",
           "- **API**: an HTTP request to `tonewired` (no default cable configured, simulated jig).",
           "  Errors are JSON `{\"error\": \"…\"}`; the quoted words must appear in that message.",
           "- **file**: a profile given to `tonewire profiles show FILE`, a scenario given to",
           "  `tonewire run --device tonewire_sim:FILE`, a configuration given to",
           "  `tonewired --config FILE --check-config`, or a capture given to `tonewire analyze`;",
           "  a folder or a device given where a file belongs.",
           "  The quoted words must appear on stderr.",
           "- **CLI**: a `tonewire` command line; exit status 2 is usage or bad input, 3 a station error",
           "  ([result.md](result.md#exit-status-of-the-cli)).", "",
           "| # | where | input | gets |", "|---|---|---|---|"]
    for i, c in enumerate(CASES, 1):
        if c["kind"] == "raw" and c["want"] == NO_ANSWER:
            gets = "no answer (dropped when idle for 60 s)"
        elif c["kind"] in ("api", "raw"):
            gets = f"HTTP {c['want']}"
        else:
            gets = f"exit {c['want']}"
        if c["word"]:
            gets += ", message says “" + c["word"].replace("|", "\\|") + "”"
        what = c["what"].replace("|", "\\|")
        if c["kind"] == "api":
            what = f"`{c['req'][0]} {shorten(c['req'][1])}`: {what}"
        out.append(f"| {i} | {c['area']} | {what} | {gets} |")
    out += ["", f"{len(CASES)} inputs."]
    return "\n".join(out) + "\n"


def shorten(s, n=48):
    return s if len(s) <= n else s[:n - 1] + "…"


# --- the daemon ----------------------------------------------------------------

def patched(doc, patch):
    """doc with patch merged in: a dict's keys replaced or merged, null removing a key, and a
    dict of index strings editing a list's items."""
    if isinstance(doc, list) and isinstance(patch, dict):
        doc = list(doc)
        for k, v in patch.items():
            doc[int(k)] = patched(doc[int(k)], v)
        return doc
    if isinstance(doc, dict) and isinstance(patch, dict):
        doc = dict(doc)
        for k, v in patch.items():
            if v is None:
                doc.pop(k, None)
            else:
                doc[k] = patched(doc.get(k), v)
        return doc
    return patch


class Daemon:
    """tonewired in a temporary folder on a port the kernel picks (port = 0)."""

    def __init__(self, tmp, scenario):
        self.dir = tmp
        self.config = os.path.join(tmp, "tonewired.conf")
        with open(self.config, "w") as f:
            # No default cable: a body without one must be refused, not run.
            f.write(f"[station]\ndevice = tonewire_sim:{scenario}\nwindows = 1\n"
                    f"[http]\naddress = 127.0.0.1\nport = 0\nmax_body = 65536\n"
                    f"[store]\npath = {tmp}/state/results.db\ncapture_dir = {tmp}/state/captures\n")
        self.proc = None
        self.port = None
        self.log = []

    def start(self, timeout=20):
        self.proc = subprocess.Popen([TONEWIRED, "--config", self.config], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True)
        found = threading.Event()
        port = []

        def reader():
            for line in self.proc.stderr:
                self.log.append(line)
                m = re.search(r"listening on http://[^ ]*:(\d+)/", line)
                if m and not port:
                    port.append(int(m.group(1)))
                    found.set()
            found.set()

        threading.Thread(target=reader, daemon=True).start()
        if not found.wait(timeout) or not port:
            self.stop()
            raise AssertionError("tonewired did not start:\n" + "".join(self.log))
        self.port = port[0]
        deadline = time.time() + timeout
        s = None
        while time.time() < deadline:
            st, s = self.request("GET", "/api/v1/status")
            if st == 200 and s.get("connected") and s.get("latency_frames") is not None and s["state"] == "idle":
                return
            time.sleep(0.05)
        raise AssertionError(f"the simulated jig never came up: {s}\n" + "".join(self.log))

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        if not self.proc:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        rc = self.proc.returncode
        self.proc.stderr.close()
        self.proc = None
        return rc

    def request(self, method, path, body=None, headers=None, timeout=60):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            data = r.read()
        finally:
            c.close()
        ctype = r.getheader("Content-Type") or ""
        if ctype.startswith("application/json") and data:
            return r.status, json.loads(data)
        return r.status, data

    def raw(self, data, timeout=30):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        try:
            try:
                s.sendall(data.replace(b"{port}", str(self.port).encode()))
            except OSError:
                pass   # the daemon may answer and close before it has read everything
            got = b""
            while True:
                try:
                    chunk = s.recv(65536)
                except OSError:
                    break
                if not chunk:
                    break
                got += chunk
        finally:
            s.close()
        return got


def write_wav(path, channels, rate, frames):
    with wave.open(path, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"\x00\x00" * channels * frames)


class BadInput(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="tw-bad-input-")
        cls.scenario = os.path.join(cls.tmp, "straight.conf")
        with open(cls.scenario, "w") as f:
            f.write(SCEN_HEAD + "noise_dbfs = -90\nlatency_frames = 150\n"
                    "[cable]\nwire = A.T B.T\nwire = A.R B.R\nwire = A.S B.S\n")
        # A real capture of a failing cable, whose plan the capture rows reuse.
        open_scen = os.path.join(cls.tmp, "open.conf")
        with open(open_scen, "w") as f:
            f.write(SCEN_HEAD + "noise_dbfs = -90\n[cable]\nwire = A.T B.T\nwire = A.S B.S\n")
        cls.capture = os.path.join(cls.tmp, "capture.wav")
        p = subprocess.run([TONEWIRE, "run", "--device", "tonewire_sim:" + open_scen, "--cable", CABLE,
                            "--save-capture", cls.capture], capture_output=True, text=True, timeout=60)
        cls.have_capture = p.returncode in (0, 1) and os.path.exists(cls.capture[:-4] + ".json")
        cls.daemon = Daemon(cls.tmp, cls.scenario)
        cls.daemon.start()
        # A port nothing listens on: bind, note it, close.
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        cls.dead = f"http://127.0.0.1:{s.getsockname()[1]}"
        s.close()

    @classmethod
    def tearDownClass(cls):
        cls.daemon.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def subst(self, arg):
        return (arg.replace("{server}", f"http://127.0.0.1:{self.daemon.port}").replace("{dead}", self.dead)
                .replace("{scenario}", self.scenario).replace("{tmp}", self.tmp))

    def run_cli(self, argv, exe=TONEWIRE):
        return subprocess.run([exe, *argv], capture_output=True, text=True, timeout=90,
                              env={**os.environ, "LC_ALL": "C"})

    def check_api(self, case):
        method, path, body, headers = case["req"]
        st, r = self.daemon.request(method, path, body=body, headers=headers)
        self.assertIsInstance(r, dict, f"not a JSON answer: {st} {r!r:.200}")
        self.assertEqual(st, case["want"], r)
        self.assertIsInstance(r.get("error"), str, r)
        self.assertIn(case["word"].lower(), r["error"].lower())

    def check_raw(self, case):
        got = self.daemon.raw(case["req"], timeout=2 if case["want"] == NO_ANSWER else 30)
        if case["want"] == NO_ANSWER:
            self.assertEqual(got, b"")
            return
        self.assertTrue(got.startswith(b"HTTP/1."), f"no HTTP answer: {got[:200]!r}")
        status = int(got.split()[1])
        self.assertEqual(status, case["want"], got[:300])
        if case["word"]:
            head, _, body = got.partition(b"\r\n\r\n")
            self.assertIn(b"application/json", head.lower(), got[:300])
            if b"transfer-encoding: chunked" in head.lower():
                body = b"".join(body.split(b"\r\n")[1::2])
            self.assertIn(case["word"].lower(), json.loads(body)["error"].lower())

    def check_file(self, case):
        kind, content = case["req"]
        path = os.path.join(self.tmp, "bad.conf")
        if kind in ("wav", "plan"):
            if not self.have_capture:
                self.skipTest("tonewire run --save-capture made no capture to start from")
            wav = os.path.join(self.tmp, "bad.wav")
            plan = os.path.join(self.tmp, "bad.json")
            shutil.copy(self.capture, wav)
            shutil.copy(self.capture[:-4] + ".json", plan)
            if kind == "plan" and content.startswith("edit:"):
                with open(plan) as f:
                    good = json.load(f)
                with open(plan, "w") as f:
                    json.dump(patched(good, json.loads(content[5:])), f)
            elif kind == "plan":
                with open(plan, "w") as f:
                    f.write(content)
            elif content == "truncated":
                with open(self.capture, "rb") as f:
                    data = f.read()
                with open(wav, "wb") as f:
                    f.write(data[:len(data) // 8])
            elif content == "mono":
                write_wav(wav, 1, 48000, 4800)
            else:
                with open(wav, "w") as f:
                    f.write(content)
            p = self.run_cli(["analyze", wav, "--plan", plan])
        elif kind == "scenario_path":
            p = self.run_cli(["run", "--device", "tonewire_sim:" + self.subst(content), "--cable", CABLE])
        elif kind == "config_path":
            p = self.run_cli(["--config", self.subst(content), "--check-config"], exe=TONEWIRED)
        else:
            with open(path, "w", encoding="latin-1") as f:
                f.write(content)
            if kind in ("connector", "cable", "jig"):
                p = self.run_cli(["profiles", "show", path])
            elif kind == "scenario":
                p = self.run_cli(["run", "--device", "tonewire_sim:" + path, "--cable", CABLE])
            else:
                p = self.run_cli(["--config", path, "--check-config"], exe=TONEWIRED)
        self.check_exit(case, p)

    def check_exit(self, case, p):
        self.assertEqual(p.returncode, case["want"], p.stderr[-2000:] + p.stdout[-500:])
        self.assertIn(case["word"].lower(), (p.stderr + p.stdout).lower(), p.stderr[-2000:])
        self.assertNotRegex(p.stderr, r"AddressSanitizer|runtime error|Segmentation", p.stderr[-2000:])

    def test_table(self):
        self.assertGreaterEqual(len(CASES), 40)
        for i, case in enumerate(CASES, 1):
            t0 = time.monotonic()
            with self.subTest(n=i, what=case["what"]):
                if case["kind"] == "api":
                    self.check_api(case)
                elif case["kind"] == "raw":
                    self.check_raw(case)
                elif case["kind"] == "cli":
                    self.check_exit(case, self.run_cli([self.subst(a) for a in case["req"]]))
                else:
                    self.check_file(case)
            if time.monotonic() - t0 > 2:
                print(f"row {i} ({case['what']}) took {time.monotonic() - t0:.1f} s", file=sys.stderr)
            # Whatever came before, the daemon is still there and answering.
            self.assertTrue(self.daemon.alive(), f"tonewired died after row {i}:\n" + "".join(self.daemon.log[-20:]))
            st, s = self.daemon.request("GET", "/api/v1/status")
            self.assertEqual(st, 200, f"after row {i} ({case['what']}): {s}")
        # Nothing bad was stored, and a good test still runs.
        st, hist = self.daemon.request("GET", "/api/v1/tests")
        self.assertEqual((st, hist), (200, []))
        st, r = self.daemon.request("POST", "/api/v1/tests?wait=1",
                                    body=json.dumps({"cable": CABLE, "serial": "AFTER"}), headers=J)
        self.assertEqual((st, r.get("verdict")), (200, "pass"), r)
        st, hist = self.daemon.request("GET", "/api/v1/tests")
        self.assertEqual([h["serial"] for h in hist], ["AFTER"])
        self.assertNotRegex("".join(self.daemon.log), r"AddressSanitizer|runtime error")


class Docs(unittest.TestCase):
    def test_docs_match_the_table(self):
        doc = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../docs/bad-input.md")
        with open(doc, encoding="utf-8") as f:
            self.assertEqual(f.read(), markdown(),
                             "docs/bad-input.md is stale: python3 tests/e2e/test_bad_input.py --markdown "
                             "> docs/bad-input.md")


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import twtest  # noqa: E402
    if "--markdown" in sys.argv:
        sys.stdout.write(markdown())
        sys.exit(0)
    twtest.main()
