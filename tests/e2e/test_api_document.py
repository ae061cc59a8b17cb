#!/usr/bin/env python3
"""The API description and the daemon agree: every route in tonewired's route table
(tonewired --routes) is documented in docs/openapi.json, every documented operation
answers on a running daemon (neither 404 nor 405), and GET /api/v1/openapi.json serves
that very document.

Before asking, the test makes every resource a documented path can name exist — a
calibration, a passing and a failing test (which keeps a capture), a flex session —
so a 404 can only mean a route the daemon does not have.
"""
import json
import os
import re
import socket
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_daemon import TONEWIRED, Daemon  # noqa: E402

SOURCE = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DOCUMENT = os.path.join(SOURCE, "docs", "openapi.json")
METHODS = ("get", "put", "post", "delete", "patch", "head", "options")

# Bodies for the operations that need one to be understood; others get none.
BODIES = {
    ("POST", "/api/v1/tests"): {},
    ("POST", "/api/v1/calibrate"): {},
    ("POST", "/api/v1/flex"): {"seconds": 1},
    ("PUT", "/api/v1/demo"): {"scenario": "straight"},
    ("POST", "/api/v1/trigger/serial"): {"serial": "DOC-1"},
}


def daemon_routes():
    p = subprocess.run([TONEWIRED, "--routes"], capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p.stderr
    routes = set()
    for line in p.stdout.splitlines():
        method, path = line.split(" ", 1)
        routes.add((method, path))
    return routes


def documented():
    with open(DOCUMENT) as f:
        doc = json.load(f)
    assert str(doc.get("openapi", "")).startswith("3."), "not an OpenAPI 3 document"
    ops = set()
    for path, item in doc["paths"].items():
        for method in METHODS:
            if method in item:
                ops.add((method.upper(), path))
    return doc, ops


def by_shape(path):
    """A path with every {parameter} replaced by one placeholder, so {id} and {testId} compare equal."""
    return re.sub(r"\{[^}/]+\}", "{}", path)


class ApiDocument(unittest.TestCase):
    def test_every_route_is_documented(self):
        routes = daemon_routes()
        self.assertGreaterEqual(len(routes), 15, routes)   # the table was read, not an empty list
        _, ops = documented()
        shapes = {(m, by_shape(p)) for m, p in ops}
        missing = sorted(f"{m} {p}" for m, p in routes if (m, by_shape(p)) not in shapes)
        self.assertEqual(missing, [], "routes of the daemon missing from docs/openapi.json")

    def test_every_documented_route_answers(self):
        d = Daemon()
        self.addCleanup(d.stop)
        d.start()
        ids = self.make_resources(d)
        _, ops = documented()
        # Writes first, the flex session's DELETE last (it needs the session the POST started).
        order = sorted(ops, key=lambda o: (o[0] == "DELETE", o[0] == "GET", o[1]))
        answers = []
        for method, path in order:
            url = self.fill(path, ids)
            body = None
            if path.endswith("/events"):
                status = self.stream_status(d, url)
            else:
                status, body = d.request(method, url, body=BODIES.get((method, by_shape(path))))
            answers.append((method, path, status))
            with self.subTest(method=method, path=path):
                self.assertNotEqual(status, 405, f"{method} {url}")
                # A 404 of the route itself, not of what it looked for (a line view
                # on a station without a line database answers 404 by design).
                error = body.get("error", "") if isinstance(body, dict) else ""
                self.assertFalse(status == 404 and (not error or error.startswith("no such API route")),
                                 f"{method} {url}: {status} {error}")
        self.assertEqual(len(answers), len(ops))

    def test_served_document_is_the_source(self):
        d = Daemon()
        self.addCleanup(d.stop)
        d.launch()
        st, body, resp = d.request("GET", "/api/v1/openapi.json", raw=True)
        self.assertEqual(st, 200)
        self.assertTrue(resp.getheader("Content-Type").startswith("application/json"))
        with open(DOCUMENT, "rb") as f:
            self.assertEqual(body, f.read())

    @staticmethod
    def fill(path, ids):
        """/api/v1/tests/{id}/capture.wav → /api/v1/tests/<failing test>/capture.wav, by the collection named."""
        def one(m):
            collection = path[:m.start()].rstrip("/").rsplit("/", 1)[-1]
            return str(ids.get(collection, 1))
        return re.sub(r"\{[^}/]+\}", one, path)

    def make_resources(self, d):
        st, cal = d.request("POST", "/api/v1/calibrate", {})
        self.assertEqual(st, 201, cal)
        d.use_scenario("swap")
        st, failed = d.post_test(serial="DOC-FAIL")
        self.assertEqual((st, failed["verdict"]), (200, "fail"), failed)
        d.use_scenario("straight")
        st, flex = d.request("POST", "/api/v1/flex", {"seconds": 30})
        self.assertEqual(st, 202, flex)
        return {"tests": failed["id"], "calibrations": cal["calibration"]["id"]}

    @staticmethod
    def stream_status(d, url):
        s = socket.create_connection(("127.0.0.1", d.port), timeout=10)
        s.sendall(f"GET {url} HTTP/1.1\r\nHost: 127.0.0.1:{d.port}\r\n\r\n".encode())
        head = s.recv(4096)
        s.close()
        return int(head.split()[1])


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import twtest  # noqa: E402
    twtest.main(require=[TONEWIRED])
