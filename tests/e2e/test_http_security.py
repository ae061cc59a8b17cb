#!/usr/bin/env python3
"""Security probes against tonewired's HTTP layer, all in one run, printed as a table
(probe, expected, got); the exit status is 1 when any probe got something other than expected.

    test_http_security.py               probe a daemon of this build (TONEWIRE_BUILD_DIR), with a token
    test_http_security.py --build DIR   the same with another build (an older commit, to see what it lacked)
    test_http_security.py --quick       without the slow-connection floods and the 10 s timeout

The probes:
- slow connections (slowloris): 768 from three loopback addresses, then 300 from one, held open
  and refreshed; meanwhile a legitimate client with the token, from the same address as the
  flood, asks for its status and runs a test; the daemon's thread count;
- out of file descriptors: a daemon started with RLIMIT_NOFILE 96 under a flood of 192 slow
  connections still answers its status and runs a test, and does not spin;
- framing: two Host headers, two Content-Length headers, Content-Length with chunked (and a
  request pipelined behind it): each a 400 and a closed connection, one answer only; a body
  sent after Expect: 100-continue;
- the Host names answered (loopback names, [::1], [http] hosts) and refused (another port or
  name, one that does not parse);
- JSON bodies where libmicrohttpd answered in HTML (414, 431, 400, 505) and for the other
  refusals of malformed requests (501, 413, 408), a chunked body over max_body among them;
- the headers a browser honours, and a dashboard with no inline script or style;
- the token: none, and wrong ones of the same length; the dashboard's session: a wrong token,
  the cookie's flags, the cookie on the API and the event stream, a cross-site login, logout.
"""
import argparse
import os
import re
import socket
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.abspath(os.path.join(HERE, "..", ".."))
TOKEN = "probe-token-0123456789abcdef"
# Wrong tokens of the same length: a comparison of lengths alone would let them in.
WRONG_LAST = TOKEN[:-1] + ("e" if TOKEN[-1] != "e" else "f")
WRONG_FIRST = ("q" if TOKEN[0] != "q" else "r") + TOKEN[1:]


def exchange(port, data, wait=3.0):
    """Send raw bytes; read until the daemon closes or `wait` passes: (bytes, closed)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=wait)
    try:
        s.sendall(data)
    except OSError:
        pass   # answered and closed before reading it all
    got, closed, end = b"", False, time.monotonic() + wait
    while time.monotonic() < end:
        s.settimeout(max(0.05, end - time.monotonic()))
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            break
        except OSError:
            closed = True
            break
        if not chunk:
            closed = True
            break
        got += chunk
    s.close()
    return got, closed


def parse(raw):
    """(status, headers with lower-case names, body) of the first answer in raw; status 0 when none."""
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    if not lines[0].startswith("HTTP/1."):
        return 0, {}, b""
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    n = int(headers.get("content-length", len(body)))
    return int(lines[0].split()[1]), headers, body[:n]


def is_json_error(headers, body):
    import json
    if not headers.get("content-type", "").startswith("application/json"):
        return False
    try:
        return isinstance(json.loads(body).get("error"), str)
    except ValueError:
        return False


class Probes:
    def __init__(self, d, quick):
        self.d = d
        self.port = d.port
        self.quick = quick
        self.rows = []
        self.host = f"Host: 127.0.0.1:{self.port}\r\n".encode()
        self.auth = f"Authorization: Bearer {TOKEN}\r\n".encode()

    def row(self, group, probe, expected, got):
        self.rows.append((group, probe, expected, got, expected == got))

    def answer(self, data, wait=3.0):
        raw, closed = exchange(self.port, data, wait)
        status, headers, body = parse(raw)
        return status, headers, body, closed, raw.count(b"HTTP/1.1 ") + raw.count(b"HTTP/1.0 ")

    def framing(self):
        h, a = self.host, self.auth
        cases = [
            ("two different Host headers",
             b"GET /api/v1/status HTTP/1.1\r\n" + h + b"Host: evil.example\r\n" + a + b"\r\n"),
            ("two different Content-Length headers",
             b"POST /api/v1/tests HTTP/1.1\r\n" + h + a + b"Content-Type: application/json\r\n"
             b"Content-Length: 2\r\nContent-Length: 30\r\n\r\n{}"),
            ("Content-Length with Transfer-Encoding: chunked, a request pipelined behind",
             b"POST /api/v1/tests HTTP/1.1\r\n" + h + a + b"Content-Type: application/json\r\n"
             b"Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"
             b"GET /api/v1/status HTTP/1.1\r\n" + h + a + b"\r\n"),
        ]
        for probe, data in cases:
            status, headers, body, closed, answers = self.answer(data)
            got = (f"{status} {'JSON' if is_json_error(headers, body) else 'not JSON'}, "
                   f"{'closed' if closed else 'left open'}, {answers} answer{'s' if answers != 1 else ''}")
            self.row("framing", probe, "400 JSON, closed, 1 answer", got)

    def expect_continue(self):
        """A client that asks before sending its body (Expect: 100-continue, as curl does for a
        large one) is told to go on, and answered once the body has come."""
        s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        try:
            s.sendall(b"POST /api/v1/tests HTTP/1.1\r\n" + self.host + self.auth +
                      b"Content-Type: application/json\r\nContent-Length: 9\r\nExpect: 100-continue\r\n\r\n")
            try:
                first = s.recv(4096)
            except socket.timeout:
                first = b""
            s.sendall(b"not json!")
            # Read until the whole answer is in (the connection may stay open after it).
            rest, end = b"", time.monotonic() + 5
            while time.monotonic() < end:
                try:
                    chunk = s.recv(65536)
                except socket.timeout:
                    break
                if not chunk:
                    break
                rest += chunk
                status, headers, body = parse(rest.split(b"HTTP/1.1 100 Continue\r\n\r\n")[-1])
                if status and len(body) >= int(headers.get("content-length", 0)):
                    break
        finally:
            s.close()
        status, headers, body = parse(rest.split(b"HTTP/1.1 100 Continue\r\n\r\n")[-1])
        line = first.split(b"\r\n")[0].decode("latin-1") or "nothing"
        got = (f"{line}, then {status} "
               f"{'JSON' if is_json_error(headers, body) else 'not JSON'}")
        self.row("framing", "Expect: 100-continue, then a body that is not JSON", "HTTP/1.1 100 Continue, then 400 JSON",
                 got)

    def hosts(self):
        """The names the station answers to; any other Host is refused (DNS rebinding), and so is
        one that does not parse as name:port."""
        p = self.port
        other = p + 1 if p < 65535 else p - 1
        cases = [(f"[::1]:{p}", "200"), (f"LOCALHOST:{p}", "200"), (f"bench.example:{p}", "200"),
                 (f"127.0.0.1:{other}", "403"), ("127.0.0.1", "403"), (f"[::1:{p}", "403"),
                 (f"[::1]{p}", "403"), (f"127.0.0.1:{p}x", "403"), (f"evil.example:{p}", "403")]
        for host, want in cases:
            status, headers, body, _, _ = self.answer(
                b"GET /api/v1/status HTTP/1.1\r\nHost: " + host.encode() + b"\r\n" + self.auth + b"\r\n")
            got = str(status) if status == 200 else f"{status} {'JSON' if is_json_error(headers, body) else 'not JSON'}"
            self.row("hosts", f"Host: {host}", want if want == "200" else f"{want} JSON", got)

    def chunked_too_large(self):
        """A chunked body has no Content-Length to refuse up front: it is refused once it passes
        max_body (64 KiB here), not stored whole."""
        data = b"x" * 8192
        chunks = b"".join(b"%x\r\n" % len(data) + data + b"\r\n" for _ in range(10)) + b"0\r\n\r\n"
        status, headers, body, _, _ = self.answer(
            b"POST /api/v1/tests HTTP/1.1\r\n" + self.host + self.auth +
            b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks)
        self.row("JSON errors", "chunked body of 80 KiB", "413 JSON",
                 f"{status} {'JSON' if is_json_error(headers, body) else 'not JSON'}")

    def json_errors(self):
        h, a = self.host, self.auth
        cases = [
            ("URL of 40 KiB", b"GET /api/v1/tests?serial=" + b"s" * 40000 + b" HTTP/1.1\r\n" + h + a + b"\r\n", 414),
            ("header field of 40 KiB", b"GET /api/v1/status HTTP/1.1\r\n" + h + a + b"X-Big: " + b"b" * 40000
             + b"\r\n\r\n", 431),
            ("bytes that are not HTTP", b"\x00\x01\x02 nonsense\r\n\r\n", 400),
            ("request line without a version", b"GET /api/v1/status\r\n\r\n", 400),
            ("header line without a colon", b"GET /api/v1/status HTTP/1.1\r\n" + h + a + b"garbage\r\n\r\n", 400),
            ("HTTP/2.0 request line", b"GET /api/v1/status HTTP/2.0\r\n" + h + a + b"\r\n", 505),
            ("Host that is not UTF-8 (quoted in the error)", b"GET /api/v1/status HTTP/1.1\r\nHost: \xc6\xc7.example\r\n"
             + a + b"\r\n", 403),
            ("Transfer-Encoding: gzip", b"POST /api/v1/tests HTTP/1.1\r\n" + h + a
             + b"Transfer-Encoding: gzip\r\n\r\n", 501),
            ("Content-Length of 1 GB", b"POST /api/v1/tests HTTP/1.1\r\n" + h + a
             + b"Content-Type: application/json\r\nContent-Length: 1000000000\r\n\r\n{", 413),
        ]
        if not self.quick:
            cases.append(("request that never ends (10 s)", b"GET /api/v1/status HTTP/1.1\r\n" + h, 408))
        for probe, data, want in cases:
            status, headers, body, _, _ = self.answer(data, wait=15 if want == 408 else 3)
            self.row("JSON errors", probe, f"{want} JSON",
                     f"{status} {'JSON' if is_json_error(headers, body) else 'not JSON'}")
        # The head limit is 16 KiB (daemon/routes.h): a head just under it is answered, so the
        # connection's memory in libmicrohttpd holds a whole allowed head and its answer.
        pad = 16 * 1024 - 200 - len(h) - len(a) - 40
        status, headers, body, _, _ = self.answer(b"GET /api/v1/status HTTP/1.1\r\n" + h + a + b"X-Big: "
                                                  + b"b" * pad + b"\r\n\r\n")
        self.row("limits", "head of 16 KiB less 200 bytes", "200 status",
                 f"{status} {'status' if b'connected' in body else 'no status'}")

    def browser_headers(self):
        for path in ("/", "/api/v1/status"):
            status, headers, _, _, _ = self.answer(f"GET {path} HTTP/1.1\r\n".encode() + self.host + self.auth
                                                    + b"\r\n")
            csp = headers.get("content-security-policy", "")
            strict = all(d in csp for d in ("default-src 'none'", "script-src 'self'", "style-src 'self'",
                                            "frame-ancestors 'none'"))
            self.row("headers", f"Content-Security-Policy on {path}", "strict",
                     "strict" if strict else (csp[:40] or "missing"))
            for name, want in (("x-content-type-options", "nosniff"), ("x-frame-options", "DENY"),
                               ("referrer-policy", "no-referrer")):
                self.row("headers", f"{name} on {path}", want, headers.get(name, "missing"))
        with open(os.path.join(SOURCE, "web", "index.html")) as f:
            html = f.read()
        inline = (len(re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html)) + len(re.findall(r"<style", html))
                  + len(re.findall(r"\sstyle=", html)) + len(re.findall(r"\son[a-z]+=", html)))
        self.row("headers", "inline scripts, styles, handlers in web/index.html", "0", str(inline))

    def token(self):
        for probe, headers, want in (
                ("no token", {}, 401),
                ("wrong token, same length, last character", {"Authorization": "Bearer " + WRONG_LAST}, 401),
                ("wrong token, same length, first character", {"Authorization": "Bearer " + WRONG_FIRST}, 401),
                ("the token", {"Authorization": "Bearer " + TOKEN}, 200)):
            saved, self.d.token = self.d.token, None
            st, _ = self.d.request("GET", "/api/v1/status", headers=headers)
            self.d.token = saved
            self.row("token", probe, str(want), str(st))

    def session(self):
        d, saved = self.d, self.d.token
        d.token = None
        try:
            st, _, resp = d.request("POST", "/api/v1/session", body=b'{"token": "%s"}' % WRONG_LAST.encode(),
                                    headers={"Content-Type": "application/json"}, raw=True)
            self.row("session", "log in with a wrong token of the same length", "401, no cookie",
                     f"{st}, {'a cookie' if resp.getheader('Set-Cookie') else 'no cookie'}")
            st, _, resp = d.request("POST", "/api/v1/session", body=b'{"token": "%s"}' % TOKEN.encode(),
                                    headers={"Content-Type": "application/json", "Origin": "http://evil.example"},
                                    raw=True)
            self.row("session", "log in from another site's page", "403", str(st))
            st, _, resp = d.request("POST", "/api/v1/session", body=b'{"token": "%s"}' % TOKEN.encode(),
                                    headers={"Content-Type": "application/json"}, raw=True)
            cookie = resp.getheader("Set-Cookie") or ""
            flags = [f for f in ("HttpOnly", "SameSite=Strict", "Path=/") if f in cookie]
            self.row("session", "log in with the token", "200, HttpOnly, SameSite=Strict, Path=/",
                     ", ".join([str(st)] + flags))
            jar = {"Cookie": cookie.split(";")[0]}
            st, _ = d.request("GET", "/api/v1/status", headers=jar)
            self.row("session", "the cookie on GET /api/v1/status", "200", str(st))
            st, _, _, _, _ = self.answer(b"GET /api/v1/events HTTP/1.1\r\n" + self.host
                                         + f"Cookie: {jar['Cookie']}\r\n\r\n".encode(), wait=1)
            self.row("session", "the cookie on the event stream", "200", str(st))
            st, _ = d.request("DELETE", "/api/v1/session", headers=jar)
            st2, _ = d.request("GET", "/api/v1/status", headers=jar)
            self.row("session", "the cookie after logging out", "401", str(st2))
        finally:
            d.token = saved

    def threads(self):
        try:
            with open(f"/proc/{self.d.proc.pid}/status") as f:
                return int(re.search(r"Threads:\s+(\d+)", f.read()).group(1))
        except (OSError, AttributeError):
            return -1

    def floods(self):
        from twflood_lib import SlowFlood, timed_request
        for addresses, per, with_test in ((("127.0.0.1", "127.0.0.2", "127.0.0.3"), 256, True),
                                          (("127.0.0.1",), 300, False)):
            what = f"{len(addresses) * per} slow from {len(addresses)} address{'es' if len(addresses) > 1 else ''}"
            flood = SlowFlood(self.port, addresses, per).start()
            try:
                time.sleep(1.5)   # a refresh round: the flood holds all it can
                held = flood.held()
                st, _, t = timed_request(self.port, "GET", "/api/v1/status", token=TOKEN)
                self.row("slowloris", f"{what}: the status", "200",
                         f"{st} in {t:.3f} s ({held} held)" if st == 200 else f"{st} ({held} held)")
                if not with_test:
                    continue
                st, r, t = timed_request(self.port, "POST", "/api/v1/tests?wait=1", {"serial": "FLOOD-1"},
                                         token=TOKEN, timeout=60)
                verdict = r.get("verdict") if isinstance(r, dict) else None
                self.row("slowloris", f"{what}: a test", "200 pass",
                         f"{st} {verdict} in {t:.3f} s" if st == 200 else f"{st}")
                n = self.threads()
                self.row("slowloris", f"{what}: the daemon's threads", "at most 64",
                         "at most 64" if 0 < n <= 64 else str(n))
            finally:
                flood.stop()

    def descriptors(self):
        """A daemon out of file descriptors (RLIMIT_NOFILE 96, 192 slow connections) makes room by
        closing the oldest connection still sending, and keeps answering; its listening socket
        does not stay readable for ever (the daemon would spin)."""
        import test_daemon
        from twflood_lib import SlowFlood, timed_request
        d = test_daemon.Daemon()
        d.nofile = 96
        try:
            d.start()
            flood = SlowFlood(d.port, ("127.0.0.1", "127.0.0.2", "127.0.0.3"), 64).start()
            try:
                time.sleep(1.5)
                cpu0 = self.cpu_seconds(d)
                time.sleep(1.0)
                busy = self.cpu_seconds(d) - cpu0
                self.row("descriptors", "out of descriptors: the daemon's CPU over 1 s", "not spinning",
                         "not spinning" if busy < 0.5 else f"{busy:.2f} s of CPU")
                # Answered while the flood still holds: before the 10 s request timeout would free
                # descriptors by itself (5 s is the client's patience here, not a speed target).
                st, _, t = timed_request(d.port, "GET", "/api/v1/status", timeout=5)
                self.row("descriptors", "out of descriptors: the status", "200",
                         f"{st} in {t:.3f} s ({flood.held()} held)" if st == 200 else str(st))
            finally:
                flood.stop()
            st, r = d.post_test(serial="AFTER-EMFILE")
            self.row("descriptors", "after the flood: a test", "200 pass", f"{st} {r.get('verdict')}")
        finally:
            d.stop()

    @staticmethod
    def cpu_seconds(d):
        with open(f"/proc/{d.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def counts_settle(self):
        """After every probe, the gate's counts come back: nothing still sending, one request in
        progress (the one asking). A count that leaks would end with every client refused."""
        got = "no /metrics figures"
        for _ in range(50):
            st, text = self.d.get("/metrics")
            m = dict(re.findall(r'tonewire_http_connections\{state="(\w+)"\} (\d+)', text.decode()))
            if m:
                got = f"{m.get('pending')} pending, {m.get('active')} active"
                if got == "0 pending, 1 active":
                    break
            time.sleep(0.2)
        self.row("counts", "connections counted after all probes", "0 pending, 1 active", got)

    def run(self):
        self.framing()
        self.expect_continue()
        self.hosts()
        self.chunked_too_large()
        self.json_errors()
        self.browser_headers()
        self.token()
        self.session()
        if not self.quick:
            self.floods()
            self.descriptors()
        self.counts_settle()
        return self.rows


def table(rows):
    """The rows as a table: ok or NO, group, probe, expected, got."""
    w = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = [f"{'':2} {'group':{w[0]}}  {'probe':{w[1]}}  {'expected':{w[2]}}  got", "-" * (sum(w) + 10)]
    for g, p, e, got, ok in rows:
        lines.append(f"{'ok' if ok else 'NO':2} {g:{w[0]}}  {p:{w[1]}}  {e:{w[2]}}  {got}")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", help="the build folder whose tonewired to probe (default $TONEWIRE_BUILD_DIR)")
    ap.add_argument("--quick", action="store_true", help="leave out the floods and the 10 s timeout")
    a = ap.parse_args()
    if a.build:
        os.environ["TONEWIRE_BUILD_DIR"] = os.path.abspath(a.build)
    sys.path.insert(0, HERE)
    import test_daemon
    if not os.path.exists(test_daemon.TONEWIRED):
        print(f"FAIL: {test_daemon.TONEWIRED} is not built (the test is registered only when it is)")
        return 1
    d = test_daemon.Daemon(http_extra=f"token = {TOKEN}\nhosts = bench.example")
    d.token = TOKEN
    try:
        d.start()
        rows = Probes(d, a.quick).run()
    finally:
        d.stop()
    # A probe passes when its answer is what was expected, perhaps followed by a timing or a count.
    rows = [(g, p, e, got, got == e or got.startswith(e + " ")) for g, p, e, got, _ in rows]
    print(table(rows))
    bad = [r for r in rows if not r[4]]
    print(f"\n{len(rows) - len(bad)} of {len(rows)} probes as expected")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
