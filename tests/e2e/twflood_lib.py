"""twflood_lib: slow-connection floods (slowloris) against a daemon, and a legitimate client timing
its requests meanwhile. Shared by tests/e2e/test_http_security.py and bench/http_flood.py.

A SlowFlood holds `per_address` connections from each source address (127.0.0.x: every loopback
address is this machine), each with a request head that never ends: one more header line every
`trickle_s`. Whatever the daemon closes is opened again at once, so the flood keeps as many
connections as the daemon lets it.
"""
import http.client
import json
import socket
import threading
import time


class SlowFlood:
    def __init__(self, port, addresses, per_address, trickle_s=1.0, host=None):
        self.port = port
        self.addresses = list(addresses)
        self.per_address = per_address
        self.trickle_s = trickle_s
        self.host = host or f"127.0.0.1:{port}"
        self.socks = {a: [] for a in self.addresses}
        self.opened = 0          # connections opened, reopenings included
        self.refused = 0         # connect() refused or reset
        self.stop_flag = threading.Event()
        self.lock = threading.Lock()
        self.thread = None

    def _open(self, address):
        try:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(True)
            s.settimeout(2)
            s.bind((address, 0))
            s.connect(("127.0.0.1", self.port))
            s.sendall(f"GET /api/v1/status HTTP/1.1\r\nHost: {self.host}\r\nX-Slow-0: 0\r\n".encode())
            s.setblocking(False)
            self.opened += 1
            return s
        except OSError:
            self.refused += 1
            try:
                s.close()
            except (OSError, UnboundLocalError):
                pass
            return None

    @staticmethod
    def _alive(s):
        """False once the daemon has closed it (EOF or an answer waiting)."""
        try:
            s.recv(1, socket.MSG_PEEK)
            return False        # EOF, or an answer: the daemon is done with it
        except BlockingIOError:
            return True
        except OSError:
            return False

    def fill(self):
        """Open what is missing, from every address; returns how many are held now."""
        with self.lock:
            held = 0
            for a in self.addresses:
                keep = []
                for s in self.socks[a]:
                    if self._alive(s):
                        keep.append(s)
                    else:
                        s.close()
                while len(keep) < self.per_address and not self.stop_flag.is_set():
                    s = self._open(a)
                    if not s:
                        break
                    keep.append(s)
                self.socks[a] = keep
                held += len(keep)
            return held

    def _trickle(self):
        n = 0
        while not self.stop_flag.wait(self.trickle_s):
            n += 1
            with self.lock:
                for a in self.addresses:
                    for s in self.socks[a]:
                        try:
                            s.send(f"X-Slow-{n}: {n}\r\n".encode())
                        except OSError:
                            pass
            self.fill()

    def start(self):
        self.fill()
        self.thread = threading.Thread(target=self._trickle, daemon=True)
        self.thread.start()
        return self

    def held(self):
        """Connections the flood holds open now (the daemon may have closed some since the last look)."""
        with self.lock:
            return sum(1 for a in self.addresses for s in self.socks[a] if self._alive(s))

    def stop(self):
        self.stop_flag.set()
        if self.thread:
            self.thread.join(10)
        with self.lock:
            for a in self.addresses:
                for s in self.socks[a]:
                    s.close()
                self.socks[a] = []


def timed_request(port, method, path, body=None, token=None, timeout=30, source="127.0.0.1"):
    """(status, decoded JSON or bytes, seconds) of one request from source; status is an error text
    when the daemon could not be reached or did not answer in time."""
    t0 = time.monotonic()
    headers = {"Host": f"127.0.0.1:{port}"}
    if token:
        headers["Authorization"] = "Bearer " + token
    if body is not None:
        body = json.dumps(body)
        headers["Content-Type"] = "application/json"
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout, source_address=(source, 0))
        c.request(method, path, body=body, headers=headers)
        r = c.getresponse()
        data = r.read()
        c.close()
    except (OSError, http.client.HTTPException) as e:
        return f"{type(e).__name__}", None, time.monotonic() - t0
    ctype = r.getheader("Content-Type") or ""
    if ctype.startswith("application/json") and data:
        data = json.loads(data)
    return r.status, data, time.monotonic() - t0
