#!/usr/bin/env python3
"""Smoke test of tests/pg/pg_server.py: starts it on a temporary directory, connects with psql over
TLS the way the workbench must (sslmode=verify-full against ca.pem) and checks that what should be
refused is refused. Needs psql (postgresql-client, which the postgresql package brings) and openssl.

    python3 tests/pg/pg_smoke.py        # or scripts/pg.sh smoke

The last line is "pg_smoke: N passed, M failed"; the exit status is 1 when any check failed.
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.path.join(HERE, "pg_server.py")
PASSWORD = "smoke pw/é"  # a space, a slash and a non-ASCII letter: the URL must encode them
passed, failed = 0, 0


def check(name, fn):
    global passed, failed
    try:
        fn()
        passed += 1
        print(f"ok - {name}", flush=True)
    except Exception as e:  # noqa: BLE001 - every failure is reported and counted
        failed += 1
        print(f"FAIL - {name}: {type(e).__name__}: {e}", flush=True)


class Pg:
    def __init__(self, state):
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env.update(PG_STATE_DIR=state, PG_PORT="0", PG_SUPERUSER_PASSWORD=PASSWORD)
        self.started = time.monotonic()
        self.proc = subprocess.Popen([sys.executable, SERVER], env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)
        line = ""
        for line in self.proc.stdout:
            if line.startswith("PG_READY "):
                break
        else:
            self.proc.wait()
            raise RuntimeError(f"pg_server.py ended before PG_READY:\n{self.proc.stderr.read()}")
        self.seconds = time.monotonic() - self.started
        self.line = line.rstrip("\n")
        fields = self.line.split(" ")
        self.url = fields[1]
        self.extra = dict(f.split("=", 1) for f in fields[2:])
        self.port = int(re.search(r"@127\.0\.0\.1:(\d+)/", self.url).group(1))
        self.ca, self.other_ca, self.socket = self.extra["ca"], self.extra["other_ca"], self.extra["socket"]

    def postgres_pids(self):
        """The server's live processes (the postmaster and its children, whose titles are
        rewritten): a postgres binary whose working directory is this cluster's."""
        data = os.path.realpath(os.path.join(self.socket, "data"))
        pids = []
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                exe = os.readlink(f"/proc/{pid}/exe")
                cwd = os.readlink(f"/proc/{pid}/cwd")
                with open(f"/proc/{pid}/stat") as f:
                    state = f.read().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if state != "Z" and os.path.basename(exe.split(" (deleted)")[0]) in ("postgres", "postmaster") and cwd == data:
                pids.append(int(pid))
        return pids

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        self.proc.stderr.close()


def psql(conninfo, sql="SELECT 1", *extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    # No ~/.pgpass, ~/.postgresql/root.crt or psqlrc of the user's may help or hinder.
    env.update(HOME=tempfile.gettempdir() + "/pg-smoke-nohome", PGCONNECT_TIMEOUT="10", LC_ALL="C")
    return subprocess.run(["psql", "-X", "-v", "ON_ERROR_STOP=1", "-At", *extra, "-c", sql, conninfo],
                          env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=30)


def ensure(ok, msg):
    if not ok:
        raise AssertionError(msg)


def must(r, want=None):
    if r.returncode != 0:
        raise AssertionError(f"psql failed ({r.returncode}): {r.stderr.strip()}")
    if want is not None and r.stdout.strip() != want:
        raise AssertionError(f"got {r.stdout.strip()!r}, want {want!r}")


def refused(r, pattern):
    if r.returncode == 0:
        raise AssertionError(f"connected, but should have been refused: {r.stdout.strip()!r}")
    if not re.search(pattern, r.stderr):
        raise AssertionError(f"refused, but not with /{pattern}/: {r.stderr.strip()}")


SSL_OF_ME = "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"


def main():
    if not shutil.which("psql") or not shutil.which("openssl"):
        print("pg_smoke: psql and openssl are needed (scripts/setup.sh installs postgresql and openssl)")
        print("pg_smoke: 0 passed, 1 failed")
        sys.exit(1)
    top = tempfile.mkdtemp(prefix="pg-smoke-")
    os.chmod(top, 0o755)  # as root the server runs as `postgres`, which must reach the state directory
    state = os.path.join(top, "a")
    pg = None
    try:
        pg = Pg(state)
        print(f"# {pg.line} (ready in {pg.seconds:.2f}s)", flush=True)
        pw = PASSWORD.replace("\\", "\\\\").replace("'", "\\'")

        def kv(host="localhost", sslmode="verify-full", root=None, password=pw):
            s = f"host={host} port={pg.port} user=postgres dbname=postgres password='{password}' sslmode={sslmode}"
            return s + (f" sslrootcert={root}" if root else "")

        def ready_line():
            ensure(re.fullmatch(r"PG_READY postgresql://postgres:[^@ ]+@127\.0\.0\.1:\d+/postgres"
                                r" ca=/\S+ other_ca=/\S+ socket=/\S+", pg.line), pg.line)
            for path in (pg.ca, pg.other_ca, pg.socket):
                ensure(os.path.exists(path), f"{path} does not exist")
        check("the ready line: URL, then ca=, other_ca=, socket= (absolute, existing)", ready_line)
        check("verify-full with ca.pem and host=localhost: connects over TLS",
              lambda: must(psql(kv(root=pg.ca), SSL_OF_ME), "t"))
        check("verify-full with ca.pem to 127.0.0.1 (the certificate's IP SAN): connects over TLS",
              lambda: must(psql(kv(host="127.0.0.1", root=pg.ca), SSL_OF_ME), "t"))
        check("the ready line's URL itself, with ?sslmode=verify-full&sslrootcert=ca.pem",
              lambda: must(psql(f"{pg.url}?sslmode=verify-full&sslrootcert={pg.ca}", "SELECT current_user"), "postgres"))
        check("verify-full with the other CA: refused (certificate verify failed)",
              lambda: refused(psql(kv(root=pg.other_ca)), r"certificate verify failed"))
        check("verify-ca with the other CA: refused too",
              lambda: refused(psql(kv(sslmode="verify-ca", root=pg.other_ca)), r"certificate verify failed"))
        check("a wrong password over TLS: refused (password authentication failed)",
              lambda: refused(psql(kv(root=pg.ca, password="wrong")), r"password authentication failed"))
        check("sslmode=disable: the server allows plain TCP (so it is the client's sslmode under test)",
              lambda: must(psql(kv(host="127.0.0.1", sslmode="disable"), SSL_OF_ME), "f"))
        check("the unix socket (socket=): trust, no password",
              lambda: must(psql(f"host={pg.socket} port={pg.port} user=postgres dbname=postgres",
                                "SELECT current_setting('max_connections') || ' ' || current_setting('fsync') || ' '"
                                " || current_setting('server_encoding') || ' ' || current_setting('lc_collate')"
                                " || ' ' || (SELECT rolpassword LIKE 'SCRAM-SHA-256$%' FROM pg_authid WHERE rolname = 'postgres')"),
                           "50 on UTF8 C true"))

        def tables():
            must(psql(kv(root=pg.ca), "CREATE TABLE t (id int PRIMARY KEY, s text); INSERT INTO t VALUES (1, 'ä€');"))
            must(psql(kv(root=pg.ca), "SELECT s FROM t WHERE id = 1"), "ä€")
        check("DDL and UTF-8 text round-trip", tables)

        def cert():
            out = subprocess.run(["openssl", "x509", "-in", os.path.join(pg.socket, "server.crt"), "-noout", "-ext",
                                  "subjectAltName", "-checkend", str(86400)], capture_output=True, text=True)
            if out.returncode != 0 or "DNS:localhost" not in out.stdout or "IP Address:127.0.0.1" not in out.stdout:
                raise AssertionError(out.stdout + out.stderr)
            v = subprocess.run(["openssl", "verify", "-CAfile", pg.ca, os.path.join(pg.socket, "server.crt")],
                               capture_output=True, text=True)
            if v.returncode != 0:
                raise AssertionError(v.stdout + v.stderr)
        check("server.crt: SAN localhost and 127.0.0.1, valid for another day, signed by ca.pem", cert)

        def sigterm():
            pids = pg.postgres_pids()
            if not pids:
                raise AssertionError("no server process found before SIGTERM")
            pg.proc.terminate()
            rc = pg.proc.wait(timeout=30)
            if rc != 0:
                raise AssertionError(f"exit status {rc}")
            left = pg.postgres_pids()
            if left:
                raise AssertionError(f"server processes left: {left}")
            with open(os.path.join(state, "postgres.log")) as f:
                if "database system is shut down" not in f.read():
                    raise AssertionError("no 'database system is shut down' in postgres.log")
        check("SIGTERM: clean shutdown, exit 0, no server process left", sigterm)
        pg.stop()

        # The same directory again: the old cluster is wiped, a new one made (new certificates).
        old_ca = open(os.path.join(state, "ca.pem")).read()
        pg = Pg(state)
        print(f"# {pg.line} (ready in {pg.seconds:.2f}s)", flush=True)

        def again():
            if open(pg.ca).read() == old_ca:
                raise AssertionError("ca.pem is the old one")
            must(psql(kv(root=pg.ca), "SELECT count(*) FROM pg_tables WHERE tablename = 't'"), "0")
        check("a second run on the same directory: a fresh cluster and CA", again)

        def sigkill():
            pids = pg.postgres_pids()
            if not pids:
                raise AssertionError("no server process found before SIGKILL")
            pg.proc.send_signal(signal.SIGKILL)
            pg.proc.wait()
            deadline = time.monotonic() + 10
            while pg.postgres_pids() and time.monotonic() < deadline:
                time.sleep(0.1)
            left = pg.postgres_pids()
            if left:
                raise AssertionError(f"server processes left 10 s after the script's SIGKILL: {left}")
        check("SIGKILL of the script: the server goes too (parent-death signal)", sigkill)
        pg.stop()
        pg = None
    except Exception as e:  # noqa: BLE001 - counted as one failure
        global failed
        failed += 1
        print(f"FAIL - the server starts and answers: {type(e).__name__}: {e}", flush=True)
    finally:
        if pg is not None:
            pg.stop()
        shutil.rmtree(top, ignore_errors=True)
    print(f"pg_smoke: {passed} passed, {failed} failed")
    sys.exit(1 if failed or not passed else 0)


if __name__ == "__main__":
    main()
