#!/usr/bin/env python3
"""Self-test of scripts/faultproxy.py against a local HTTP server (with Range support, like S3)
and an echo server: pass, cut after N bytes (and a ranged resume after it), stall and release,
stall for a while, reset, the connection limit, the byte counters, the rate limit, a dead target,
and bad control requests.

    python3 tests/idp/faultproxy_test.py        (plain python 3, standard library only)

The last line is "faultproxy_test: N passed, M failed"; the exit status is 1 when any failed.
"""
import hashlib
import http.client
import http.server
import json
import os
import socket
import socketserver
import subprocess
import sys
import threading
import time
import unittest
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROXY = os.path.join(ROOT, "scripts", "faultproxy.py")
BODY = hashlib.sha256(b"seed").digest() * (1024 * 1024 // 32)  # 1 MiB, not all one byte


class RangeHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):  # noqa: N802 - the http.server API
        start, end = 0, len(BODY) - 1
        rng = self.headers.get("Range")
        if rng:
            a, b = rng.removeprefix("bytes=").split("-")
            start, end = int(a), int(b) if b else len(BODY) - 1
        part = BODY[start:end + 1]
        self.send_response(206 if rng else 200)
        self.send_header("Content-Length", str(len(part)))
        self.send_header("ETag", '"body-etag"')
        if rng:
            self.send_header("Content-Range", f"bytes {start}-{end}/{len(BODY)}")
        self.end_headers()
        self.wfile.write(part)

    def log_message(self, *args):
        pass


class Echo(socketserver.BaseRequestHandler):
    def handle(self):
        while True:
            data = self.request.recv(65536)
            if not data:
                return
            self.request.sendall(data)


class Threaded(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        pass  # the faults make the origin's writes fail; that is the point


def start_server(handler):
    srv = Threaded(("127.0.0.1", 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


class Proxy:
    def __init__(self, target_port, *extra):
        self.proc = subprocess.Popen([sys.executable, PROXY, "--target", f"127.0.0.1:{target_port}", *extra],
                                     stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        assert line.startswith("FAULTPROXY_READY "), line
        _, url, control = line.split()
        self.port = int(url.rsplit(":", 1)[1])
        self.control = control.removeprefix("control=")

    def call(self, path, method="POST", data=None, headers=None):
        req = urllib.request.Request(self.control + path, method=method, data=data, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=5) as r:
                return r.status, json.load(r)
        except urllib.error.HTTPError as e:
            return e.code, json.load(e)

    def mode(self, **params):
        q = "&".join(f"{k}={v}" for k, v in params.items())
        status, body = self.call(f"/mode?{q}")
        assert status == 200, body
        return body

    def stats(self):
        return self.call("/stats", "GET")[1]

    def stats_when(self, pred, timeout=3.0):
        """/stats once pred(stats) holds (connections close asynchronously), or the last one."""
        deadline = time.monotonic() + timeout
        while True:
            st = self.stats()
            if pred(st) or time.monotonic() > deadline:
                return st
            time.sleep(0.05)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(5)
        self.proc.stdout.close()


def get(port, rng=None, timeout=10):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    conn.request("GET", "/object", headers={"Range": rng} if rng else {})
    return conn, conn.getresponse()


def raw_get(port, timeout=5):
    """A GET on a raw socket, so the test sees exactly the bytes and how the stream ends."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.sendall(b"GET /object HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    return s


def read_all(s):
    got = bytearray()
    while True:
        chunk = s.recv(65536)
        if not chunk:
            return bytes(got)
        got += chunk


class FaultProxyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.http = start_server(RangeHandler)
        cls.echo = start_server(Echo)
        cls.proxy = Proxy(cls.http.server_address[1])

    @classmethod
    def tearDownClass(cls):
        cls.proxy.stop()
        for srv in (cls.http, cls.echo):
            srv.shutdown()
            srv.server_close()

    def setUp(self):
        self.proxy.mode(mode="pass", rate=0)
        self.proxy.call("/reset-stats")

    def test_pass_forwards_everything_and_counts(self):
        conn, r = get(self.proxy.port)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.read(), BODY)
        conn.close()
        st = self.proxy.stats_when(lambda st: st["open"] == 0)
        self.assertEqual(st["connections"], 1)
        self.assertGreater(st["bytes_down"], len(BODY))
        self.assertGreater(st["bytes_up"], 20)
        self.assertEqual(st["open"], 0)

    def test_cut_after_n_bytes_closes_with_exactly_n_bytes(self):
        self.proxy.mode(mode="cut", after=1000)
        s = raw_get(self.proxy.port)
        got = read_all(s)  # ends with EOF, not an error
        s.close()
        self.assertEqual(len(got), 1000)
        self.assertTrue(got.startswith(b"HTTP/1.1 200"))
        self.assertEqual(self.proxy.stats()["cuts"], 1)

    def test_cut_once_then_a_ranged_get_resumes(self):
        self.proxy.mode(mode="cut", after=300_000, conns=1)
        conn, r = get(self.proxy.port)
        got = bytearray()
        while True:  # read(amt) ends short at the cut instead of raising IncompleteRead
            chunk = r.read(65536)
            if not chunk:
                break
            got += chunk
        conn.close()
        self.assertGreater(len(got), 0)
        self.assertLess(len(got), len(BODY))
        conn, r = get(self.proxy.port, rng=f"bytes={len(got)}-")
        self.assertEqual(r.status, 206)
        rest = r.read()
        conn.close()
        self.assertEqual(hashlib.sha256(bytes(got) + rest).digest(), hashlib.sha256(BODY).digest())
        st = self.proxy.stats()
        self.assertEqual((st["connections"], st["cuts"], st["conns_left"]), (2, 1, 0))

    def test_stall_holds_the_connection_open_until_released(self):
        self.proxy.mode(mode="stall", after=2000)
        s = raw_get(self.proxy.port, timeout=0.5)
        got = bytearray()
        with self.assertRaises(socket.timeout):
            while True:
                chunk = s.recv(65536)
                self.assertTrue(chunk, "a stalled connection must not be closed")
                got += chunk
        self.assertEqual(len(got), 2000)
        st = self.proxy.stats_when(lambda st: st["open"] == 1)
        self.assertEqual((st["stalls"], st["open"]), (1, 1))
        self.proxy.mode(mode="pass")
        self.proxy.call("/release")
        s.settimeout(5)
        got += read_all(s)
        s.close()
        self.assertTrue(bytes(got).endswith(BODY))

    def test_stall_seconds_goes_on_by_itself(self):
        self.proxy.mode(mode="stall", after=500, stall_seconds=1)
        t0 = time.monotonic()
        s = raw_get(self.proxy.port)
        got = read_all(s)
        s.close()
        self.assertGreaterEqual(time.monotonic() - t0, 0.9)
        self.assertTrue(got.endswith(BODY))

    def test_a_stalled_client_that_leaves_is_freed(self):
        self.proxy.mode(mode="stall", after=100)
        s = raw_get(self.proxy.port)
        s.recv(100)
        self.proxy.stats_when(lambda st: st["open"] == 1)
        s.close()
        self.assertEqual(self.proxy.stats_when(lambda st: st["open"] == 0)["open"], 0)

    def test_reset_sends_rst(self):
        self.proxy.mode(mode="reset", after=500)
        s = raw_get(self.proxy.port)
        got = bytearray()
        with self.assertRaises(ConnectionResetError):
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    self.fail("got a FIN, not a RST")
                got += chunk
        s.close()
        self.assertLessEqual(len(got), 500)
        self.assertEqual(self.proxy.stats()["resets"], 1)

    def test_reset_at_once_fails_an_http_client(self):
        self.proxy.mode(mode="reset", after=0, conns=1)
        with self.assertRaises((ConnectionResetError, http.client.RemoteDisconnected)):
            get(self.proxy.port)
        conn, r = get(self.proxy.port)
        self.assertEqual(r.read(), BODY)
        conn.close()

    def test_corrupt_flips_exactly_one_byte(self):
        s = raw_get(self.proxy.port)
        clean = read_all(s)
        s.close()
        offset = len(clean) - len(BODY) + 4321  # inside the body, past the headers
        self.proxy.mode(mode="corrupt", after=offset, conns=1)
        s = raw_get(self.proxy.port)
        bad = read_all(s)
        s.close()
        self.assertEqual(len(bad), len(clean))
        body = bad[-len(BODY):]  # (the headers may differ: their Date)
        diff = [i for i in range(len(BODY)) if body[i] != BODY[i]]
        self.assertEqual(diff, [4321])
        self.assertEqual(body[4321], BODY[4321] ^ 0xFF)
        self.assertEqual(self.proxy.stats()["corruptions"], 1)

    def test_slowdown_answers_like_a_throttling_s3_without_the_server(self):
        self.proxy.mode(mode="slowdown", conns=2)
        for _ in range(2):
            conn, r = get(self.proxy.port)
            self.assertEqual(r.status, 503)
            body = r.read()
            self.assertIn(b"<Code>SlowDown</Code>", body)
            conn.close()
        conn, r = get(self.proxy.port)
        self.assertEqual((r.status, r.read()), (200, BODY))
        conn.close()
        st = self.proxy.stats()
        self.assertEqual(st["slowdowns"], 2)

    def test_rate_limit(self):
        self.proxy.mode(mode="pass", rate=2_000_000)
        t0 = time.monotonic()
        conn, r = get(self.proxy.port)
        self.assertEqual(r.read(), BODY)
        conn.close()
        self.assertGreaterEqual(time.monotonic() - t0, 0.4)

    def test_drop_resets_open_connections(self):
        self.proxy.mode(mode="stall", after=100)
        s = raw_get(self.proxy.port)
        s.recv(100)
        time.sleep(0.1)
        self.proxy.call("/drop")
        with self.assertRaises(ConnectionResetError):
            while s.recv(65536):
                pass
        s.close()
        self.assertEqual(self.proxy.stats_when(lambda st: st["open"] == 0)["open"], 0)

    def test_echo_counts_both_directions(self):
        p = Proxy(self.echo.server_address[1])
        try:
            s = socket.create_connection(("127.0.0.1", p.port), timeout=5)
            s.sendall(b"x" * 5000)
            got = b""
            while len(got) < 5000:
                got += s.recv(65536)
            s.close()
            st = p.stats_when(lambda st: st["open"] == 0)
            self.assertEqual((st["bytes_up"], st["bytes_down"]), (5000, 5000))
        finally:
            p.stop()

    def test_dead_target_closes_the_client_and_counts(self):
        dead = socket.socket()
        dead.bind(("127.0.0.1", 0))
        port = dead.getsockname()[1]
        dead.close()
        p = Proxy(port, "--mode", "cut", "--after", "5")
        try:
            s = socket.create_connection(("127.0.0.1", p.port), timeout=5)
            self.assertEqual(read_all(s), b"")
            s.close()
            st = p.stats_when(lambda st: st["upstream_errors"] == 1)
            self.assertEqual((st["upstream_errors"], st["mode"]), (1, "cut"))
        finally:
            p.stop()

    def test_control_json_body_and_errors(self):
        status, body = self.proxy.call("/mode", data=json.dumps({"mode": "reset", "after": 7, "conns": 2}).encode(),
                                       headers={"Content-Type": "application/json"})
        self.assertEqual((status, body["mode"], body["after"], body["conns_left"]), (200, "reset", 7, 2))
        status, body = self.proxy.call("/mode?mode=explode")
        self.assertEqual(status, 400)
        self.assertIn("mode must be one of", body["error"])
        self.assertEqual(self.proxy.call("/nope", "GET")[0], 404)


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    failed = len(result.failures) + len(result.errors)
    print(f"faultproxy_test: {result.testsRun - failed} passed, {failed} failed")
    sys.exit(1 if failed or not result.testsRun else 0)
