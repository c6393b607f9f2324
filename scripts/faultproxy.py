#!/usr/bin/env python3
"""A fault-injecting TCP proxy for tests (python standard library only, asyncio).

It listens on 127.0.0.1:LISTEN and forwards every connection to TARGET, and a tiny HTTP control
port sets what happens to the next connections: pass, cut after N bytes, stall, reset. Used
between the workbench and moto's S3 to cut and stall downloads mid-way.

    python3 scripts/faultproxy.py --target 127.0.0.1:9000 [--listen 0] [--control 0]
                                  [--mode pass|cut|stall|reset] [--after N] [--conns K]
                                  [--stall-seconds S] [--rate BYTES_PER_S]

When listening it prints one line:
    FAULTPROXY_READY http://127.0.0.1:LISTEN control=http://127.0.0.1:CONTROL
(--listen 0 and --control 0, the defaults, pick free ports.) SIGTERM or SIGINT stops it.

Faults (the "mode"), decided when a connection is accepted:
    pass    forward both ways untouched
    cut     forward exactly N (after) bytes from the server to the client, then close both sides
            (FIN): the client sees a short read / unexpected EOF
    stall   forward N bytes from the server, then stop forwarding either way without closing, until
            /release is called, stall_seconds pass (if given), or the client gives up
    reset   forward N bytes from the server, then abort the client side with a TCP RST
            (SO_LINGER 0) and close the server side: the client sees "connection reset by peer"
    corrupt forward everything, but flip the bits of the server-to-client byte at offset N (counted
            from the first byte of the connection, HTTP headers included): a download whose
            bytes no longer match the object's checksum
    slowdown  do not forward: read the client's request and answer it as S3 does when it throttles
            (HTTP 503 with an XML error, code SlowDown), then close: the SDK retries with backoff
"conns" limits the fault to the next K accepted connections; after them, connections pass again
(without it the fault applies to every new connection until the mode is changed). So a download
that is cut once and then resumed with a ranged GET: mode=cut&after=100000&conns=1.
"rate" (bytes per second, server to client, 0 = unlimited) slows every connection, faulted or not.

Control port (HTTP/1.1; parameters in the query string, or as a form or JSON body of a POST):
    GET  /stats        {"mode","after","conns_left","stall_seconds","rate","connections",
                        "open","bytes_up","bytes_down","cuts","stalls","resets","corruptions",
                        "upstream_errors"}
                       (connections: accepted so far; bytes_up: client to server; bytes_down:
                       server to client; cuts/stalls/resets: faults that fired)
    POST /mode?mode=cut&after=1000&conns=1      set the fault for new connections (missing
                       parameters take their defaults: after=0, conns=unlimited,
                       stall_seconds=none; rate is left as it is unless given)
    POST /release      let every stalled connection go on
    POST /drop         reset (RST) every open connection now
    POST /reset-stats  set the counters to zero
    GET  /             this text
Every answer is JSON with the resulting /stats.

    curl -s -XPOST 'http://127.0.0.1:CONTROL/mode?mode=stall&after=65536&conns=1'
"""
import argparse
import asyncio
import json
import signal
import socket
import struct
import sys
import urllib.parse

MODES = ("pass", "cut", "stall", "reset", "corrupt", "slowdown")
CHUNK = 64 * 1024


class State:
    def __init__(self):
        self.mode = "pass"
        self.after = 0
        self.conns_left = None  # None: every new connection
        self.stall_seconds = None
        self.rate = 0
        self.release = asyncio.Event()
        self.open = set()
        self.reset_stats()

    def reset_stats(self):
        self.connections = 0
        self.bytes_up = 0
        self.bytes_down = 0
        self.cuts = 0
        self.stalls = 0
        self.resets = 0
        self.corruptions = 0
        self.slowdowns = 0
        self.upstream_errors = 0

    def set_mode(self, params):
        mode = params.get("mode", "pass")
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
        after = int(params.get("after", 0))
        conns = params.get("conns")
        conns = None if conns in (None, "", "all") else int(conns)
        stall = params.get("stall_seconds")
        stall = None if stall in (None, "") else float(stall)
        if after < 0 or (conns is not None and conns < 0) or (stall is not None and stall < 0):
            raise ValueError("after, conns and stall_seconds must not be negative")
        if "rate" in params:
            rate = int(params["rate"])
            if rate < 0:
                raise ValueError("rate must not be negative")
            self.rate = rate
        self.mode, self.after, self.conns_left, self.stall_seconds = mode, after, conns, stall

    def take_fault(self):
        """The fault for a newly accepted connection."""
        if self.mode == "pass" or self.conns_left == 0:
            return ("pass", 0, None)
        if self.conns_left is not None:
            self.conns_left -= 1
        return (self.mode, self.after, self.stall_seconds)

    def stats(self):
        return {
            "mode": self.mode, "after": self.after, "conns_left": self.conns_left,
            "stall_seconds": self.stall_seconds, "rate": self.rate,
            "connections": self.connections, "open": len(self.open),
            "bytes_up": self.bytes_up, "bytes_down": self.bytes_down,
            "cuts": self.cuts, "stalls": self.stalls, "resets": self.resets, "corruptions": self.corruptions,
            "slowdowns": self.slowdowns,
            "upstream_errors": self.upstream_errors,
        }


def rst(writer):
    """Closes a stream's socket with a TCP RST instead of a FIN."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
    writer.transport.abort()


class Connection:
    def __init__(self, state, client_reader, client_writer, target):
        self.state = state
        self.cr, self.cw = client_reader, client_writer
        self.target = target
        self.mode, self.after, self.stall_seconds = state.take_fault()
        self.down = 0  # server-to-client bytes forwarded on this connection
        self.stalled = False
        self.unstalled = asyncio.Event()
        self.unstalled.set()
        self.client_gone = asyncio.Event()
        self.sr = self.sw = None
        self.task = asyncio.current_task()

    async def stall(self):
        """Holds this connection (both ways) until /release, stall_seconds, or the client leaves.
        Returns False when the client left."""
        self.stalled = True
        self.unstalled.clear()
        self.state.stalls += 1
        waiters = [asyncio.ensure_future(self.state.release.wait()), asyncio.ensure_future(self.client_gone.wait())]
        try:
            await asyncio.wait(waiters, timeout=self.stall_seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for w in waiters:
                w.cancel()
        self.stalled = False
        self.mode = "pass"  # a stall fires once per connection
        self.unstalled.set()
        return not self.client_gone.is_set()

    async def up(self):
        """Client to server (held while the connection is stalled)."""
        try:
            while True:
                data = await self.cr.read(CHUNK)
                if not data and self.stalled:
                    self.client_gone.set()
                    return
                await self.unstalled.wait()
                if not data:
                    if self.sw.can_write_eof():
                        self.sw.write_eof()
                    return
                self.sw.write(data)
                self.state.bytes_up += len(data)
                await self.sw.drain()
        except (ConnectionError, OSError):
            self.client_gone.set()
            return

    async def down_pump(self):
        """Server to client, where the faults fire. Returns what to do with the connection."""
        loop = asyncio.get_running_loop()
        while True:
            if self.mode not in ("pass", "corrupt") and self.down >= self.after:
                if self.mode == "stall":
                    if not await self.stall():
                        return "gone"
                    continue
                return self.mode  # cut or reset
            want = CHUNK
            if self.mode in ("cut", "stall", "reset"):
                want = min(want, self.after - self.down)
            if self.state.rate:
                want = min(want, max(1, self.state.rate // 20))
            started = loop.time()
            data = await self.sr.read(want)
            if not data:
                return "eof"
            if self.mode == "corrupt" and self.down <= self.after < self.down + len(data):
                data = bytearray(data)
                data[self.after - self.down] ^= 0xFF
                self.state.corruptions += 1
                self.mode = "pass"
            self.cw.write(data)
            self.down += len(data)
            self.state.bytes_down += len(data)
            await self.cw.drain()
            if self.state.rate:
                await asyncio.sleep(max(0.0, len(data) / self.state.rate - (loop.time() - started)))

    def drop(self):
        """Resets the client side now and ends the connection."""
        rst(self.cw)
        if self.sw is not None:
            self.sw.close()
        self.task.cancel()

    async def slow_down(self):
        """Answers the request on this connection with S3's throttling error, without the server."""
        try:
            head = await asyncio.wait_for(self.cr.readuntil(b"\r\n\r\n"), 30)
            length = 0
            for line in head.decode("latin-1").split("\r\n")[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip() or 0)
            if length:
                await self.cr.readexactly(length)
            body = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code>'
                    b"<Message>Please reduce your request rate.</Message><RequestId>faultproxy</RequestId></Error>")
            self.cw.write(b"HTTP/1.1 503 Slow Down\r\nContent-Type: application/xml\r\n"
                          + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body)
            await self.cw.drain()
            self.state.slowdowns += 1
        except (asyncio.IncompleteReadError, asyncio.TimeoutError, ConnectionError, OSError, ValueError):
            pass
        finally:
            self.cw.close()

    async def run(self):
        if self.mode == "slowdown":
            await self.slow_down()
            return
        host, port = self.target
        try:
            self.sr, self.sw = await asyncio.open_connection(host, port)
        except OSError:
            self.state.upstream_errors += 1
            self.cw.close()
            return
        up_task = asyncio.ensure_future(self.up())
        how = "eof"
        try:
            how = await self.down_pump()
        except (ConnectionError, OSError):
            how = "error"
        finally:
            if how == "cut":
                self.state.cuts += 1
            elif how == "reset":
                self.state.resets += 1
                rst(self.cw)
            up_task.cancel()
            for w in (self.cw, self.sw):
                try:
                    w.close()
                except Exception:  # noqa: BLE001 - closing what may be closed already
                    pass


async def serve_proxy(state, target, host, port):
    async def handle(reader, writer):
        state.connections += 1
        conn = Connection(state, reader, writer, target)
        state.open.add(conn)
        try:
            await conn.run()
        except asyncio.CancelledError:
            pass  # dropped through the control port, or the proxy is stopping
        finally:
            state.open.discard(conn)

    return await asyncio.start_server(handle, host, port)


async def serve_control(state, host, port):
    async def handle(reader, writer):
        status, body = 200, None
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
            lines = head.decode("latin-1").split("\r\n")
            method, target, _ = lines[0].split(" ", 2)
            headers = {k.strip().lower(): v.strip() for k, v in (ln.split(":", 1) for ln in lines[1:] if ":" in ln)}
            raw = await reader.readexactly(int(headers.get("content-length", 0) or 0))
            url = urllib.parse.urlsplit(target)
            params = dict(urllib.parse.parse_qsl(url.query))
            if raw:
                if headers.get("content-type", "").startswith("application/json"):
                    params.update({k: str(v) if v is not None else "" for k, v in json.loads(raw).items()})
                else:
                    params.update(urllib.parse.parse_qsl(raw.decode()))
            path = url.path
            if path == "/" and method == "GET":
                body = __doc__
            elif path == "/stats" and method == "GET":
                pass
            elif path == "/mode" and method == "POST":
                state.set_mode(params)
            elif path == "/release" and method == "POST":
                state.release.set()
                await asyncio.sleep(0)
                state.release = asyncio.Event()
            elif path == "/drop" and method == "POST":
                for conn in list(state.open):
                    conn.drop()
            elif path == "/reset-stats" and method == "POST":
                state.reset_stats()
            else:
                status, body = 404, json.dumps({"error": f"no {method} {path}"})
        except ValueError as e:
            status, body = 400, json.dumps({"error": str(e)})
        except Exception as e:  # noqa: BLE001 - a bad control request must not stop the proxy
            status, body = 400, json.dumps({"error": f"{type(e).__name__}: {e}"})
        if body is None:
            body = json.dumps(state.stats())
        ctype = "text/plain" if body is __doc__ else "application/json"
        data = body.encode()
        writer.write(f"HTTP/1.1 {status} {'OK' if status == 200 else 'Error'}\r\nContent-Type: {ctype}\r\n"
                     f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n".encode() + data)
        try:
            await writer.drain()
        finally:
            writer.close()

    return await asyncio.start_server(handle, host, port)


def parse_hostport(value):
    host, _, port = value.rpartition(":")
    return (host or "127.0.0.1", int(port))


async def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--target", required=True, help="HOST:PORT to forward to")
    ap.add_argument("--listen", type=int, default=0, help="port for the proxy (default 0: free one)")
    ap.add_argument("--control", type=int, default=0, help="port for the control API (default 0: free one)")
    ap.add_argument("--mode", default="pass", choices=MODES)
    ap.add_argument("--after", type=int, default=0)
    ap.add_argument("--conns", default=None)
    ap.add_argument("--stall-seconds", default=None)
    ap.add_argument("--rate", type=int, default=0)
    args = ap.parse_args()

    state = State()
    state.set_mode({"mode": args.mode, "after": args.after, "conns": args.conns,
                    "stall_seconds": args.stall_seconds, "rate": args.rate})
    proxy = await serve_proxy(state, parse_hostport(args.target), "127.0.0.1", args.listen)
    control = await serve_control(state, "127.0.0.1", args.control)
    lport = proxy.sockets[0].getsockname()[1]
    cport = control.sockets[0].getsockname()[1]
    print(f"FAULTPROXY_READY http://127.0.0.1:{lport} control=http://127.0.0.1:{cport}", flush=True)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    proxy.close()
    control.close()
    for conn in list(state.open):
        conn.drop()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
