#!/usr/bin/env python3
"""A real PostgreSQL server (Debian's postgresql-15) on 127.0.0.1 with TLS, for the tests: a fresh
cluster in PG_STATE_DIR, a throwaway CA and a server certificate for `localhost` / 127.0.0.1.
Python standard library and the `openssl` CLI only.

    PG_STATE_DIR=/tmp/pg1 python3 tests/pg/pg_server.py
    # prints, when it accepts connections, one line:
    # PG_READY postgresql://postgres:PASSWORD@127.0.0.1:PORT/postgres ca=/tmp/pg1/ca.pem other_ca=/tmp/pg1/other-ca.pem socket=/tmp/pg1

Environment:
    PG_STATE_DIR=DIR          required: where everything goes (created; a cluster left there by an
                              earlier run is stopped if still running, wiped and made anew). Files:
                                data/           the cluster (PGDATA)
                                ca.pem          the CA to trust (like the RDS CA bundle); ca.key its key
                                other-ca.pem    an unrelated CA (a client trusting only it must refuse)
                                server.crt, server.key   the server's certificate (CN and SAN
                                                localhost, SAN IP 127.0.0.1), key mode 0600
                                postgres.log    the server's log
                                .s.PGSQL.PORT   the unix socket (the directory itself is socket=)
    PG_PORT=0                 port on 127.0.0.1 (default 0: a free ephemeral one)
    PG_SUPERUSER_PASSWORD     the password of the superuser `postgres` (default postgres-test)
    PG_KEY_TYPE=ec            the certificates' keys: ec (P-256, default) or rsa (2048)
    PG_LOG=file               file (default: DIR/postgres.log) or stderr (the server's log to stderr)
    PG_BIN=DIR                the server's binaries (default /usr/lib/postgresql/15/bin, else
                              `pg_config --bindir`)
    PG_START_TIMEOUT=60       seconds to wait for the server to accept connections

Authentication (pg_hba.conf): `hostssl` and `host` for 127.0.0.1/32 with scram-sha-256 (the server
accepts TLS and plain TCP alike, so it is the client's sslmode that a test checks), `local` (the unix
socket) trust. UTF8, locale C, max_connections 50, fsync on.

As root (PostgreSQL refuses to run as root) the state directory is given to the `postgres` system
user and initdb and the server run as that user; the certificates stay readable by root. The server
gets a parent-death signal, so it goes when this script goes, even by SIGKILL. SIGTERM or SIGINT:
fast shutdown, then exit 0. SIGUSR1: restart, as an RDS reboot or failover does (fast shutdown,
which ends every session with SQLSTATE 57P01 and rolls back open transactions, then the same
cluster starts again on the same port; "pg_server: restarted" on stderr once it accepts
connections again).
"""
import ctypes
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse

READY = "PG_READY"
PR_SET_PDEATHSIG = 1
# SIGQUIT (immediate shutdown) rather than SIGKILL: the server still goes at once when this script
# dies, and it removes its System V shared memory segment on the way out (after a SIGKILL the
# segment would stay behind, one per test run, until the machine's limit).
DEATH_SIGNAL = signal.SIGQUIT
OWNED = ("data", "ca.pem", "ca.key", "other-ca.pem", "server.crt", "server.key", "postgres.log")


def die(msg, code=2):
    print(f"pg_server: {msg}", file=sys.stderr, flush=True)
    sys.exit(code)


def bindir():
    if os.environ.get("PG_BIN"):
        return os.environ["PG_BIN"]
    if os.path.exists("/usr/lib/postgresql/15/bin/postgres"):
        return "/usr/lib/postgresql/15/bin"
    try:
        return subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        die("no PostgreSQL server binaries (apt-get install postgresql, or set PG_BIN)")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Runner:
    """Runs the PostgreSQL programs as the `postgres` user when this script is root."""

    def __init__(self, state):
        self.state = state
        self.root = os.geteuid() == 0
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        self.env.update(LC_ALL="C", LANG="C")
        self.kw = {}
        if self.root:
            try:
                pw = pwd.getpwnam("postgres")
            except KeyError:
                die("running as root, and there is no `postgres` user to run the server as (apt-get install postgresql makes it)")
            self.uid, self.gid = pw.pw_uid, pw.pw_gid
            self.kw = dict(user=pw.pw_uid, group=pw.pw_gid, extra_groups=os.getgrouplist("postgres", pw.pw_gid))
            self.env.update(HOME=pw.pw_dir, USER="postgres", LOGNAME="postgres")

    def chown(self, path, mode=None):
        if self.root:
            os.chown(path, self.uid, self.gid)
        if mode is not None:
            os.chmod(path, mode)

    def run(self, cmd, **kw):
        r = subprocess.run(cmd, cwd=self.state, env=self.env, stdin=subprocess.DEVNULL,
                           capture_output=True, text=True, preexec_fn=self._dies_with_me(signal.SIGKILL),
                           **self.kw, **kw)
        if r.returncode != 0:
            die(f"{' '.join(cmd)} failed ({r.returncode}):\n{r.stdout}{r.stderr}")
        return r

    @staticmethod
    def _dies_with_me(sig):
        parent = os.getpid()

        def preexec():
            # Runs after the switch to the postgres user (Popen's user=/group=): a change of
            # credentials clears the parent-death signal, so it is set here, after it.
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) != 0:
                os._exit(111)
            if os.getppid() != parent:  # this script died before the prctl
                os._exit(112)
        return preexec

    def spawn(self, cmd, log):
        return subprocess.Popen(cmd, cwd=self.state, env=self.env, stdin=subprocess.DEVNULL,
                                stdout=log, stderr=log, preexec_fn=self._dies_with_me(DEATH_SIGNAL), **self.kw)


def stop_leftover(data):
    """A server still running on DIR/data from an earlier run: stop it, and free its shared memory."""
    pidfile = os.path.join(data, "postmaster.pid")
    try:
        with open(pidfile) as f:
            lines = f.read().splitlines()
    except OSError:
        return
    try:
        pid = int(lines[0])
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            cmdline = f.read().split(b"\0")
        if any(os.path.basename(a.decode(errors="replace")) in ("postgres", "postmaster") for a in cmdline[:1]):
            os.kill(pid, signal.SIGQUIT)
            for _ in range(100):
                if not os.path.exists(f"/proc/{pid}"):
                    break
                time.sleep(0.05)
            else:
                os.kill(pid, signal.SIGKILL)
    except (ValueError, IndexError, OSError):
        pass
    # Line 7: "KEY SHMID" of the server's System V segment; removed when nothing is attached.
    try:
        key, shmid = (int(x) for x in lines[6].split())
        with open("/proc/sysvipc/shm") as f:
            for row in f.read().splitlines()[1:]:
                cols = row.split()
                if int(cols[0]) == key and int(cols[1]) == shmid and int(cols[6]) == 0:
                    subprocess.run(["ipcrm", "-m", str(shmid)], capture_output=True)
    except (ValueError, IndexError, OSError):
        pass


def openssl(*args, cwd):
    r = subprocess.run(["openssl", *args], cwd=cwd, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if r.returncode != 0:
        die(f"openssl {' '.join(args)} failed:\n{r.stdout}{r.stderr}")


OPENSSL_CNF = """[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[ca_ext]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[server_ext]
basicConstraints = critical,CA:FALSE
keyUsage = critical,{server_ku}
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
"""


def make_certs(state, runner):
    rsa = os.environ.get("PG_KEY_TYPE", "ec") == "rsa"
    newkey = ["-newkey", "rsa:2048"] if rsa else ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]
    with tempfile.TemporaryDirectory(prefix="pg-tls-") as tmp:
        cnf = os.path.join(tmp, "openssl.cnf")
        with open(cnf, "w") as f:
            f.write(OPENSSL_CNF.format(server_ku="digitalSignature,keyEncipherment" if rsa else "digitalSignature"))
        for name, cn in (("ca", "Recon workbench test CA"), ("other-ca", "Unrelated test CA")):
            openssl("req", "-x509", "-new", *newkey, "-nodes", "-sha256", "-days", "2", "-config", cnf,
                    "-extensions", "ca_ext", "-subj", f"/O=Recon workbench tests/CN={cn} {secrets.token_hex(4)}",
                    "-keyout", os.path.join(tmp, f"{name}.key"), "-out", os.path.join(state, f"{name}.pem"), cwd=tmp)
        shutil.move(os.path.join(tmp, "ca.key"), os.path.join(state, "ca.key"))  # for tests that sign more
        os.chmod(os.path.join(state, "ca.key"), 0o600)
        openssl("req", "-new", *newkey, "-nodes", "-sha256", "-config", cnf, "-subj", "/CN=localhost",
                "-keyout", os.path.join(state, "server.key"), "-out", os.path.join(tmp, "server.csr"), cwd=tmp)
        openssl("x509", "-req", "-in", os.path.join(tmp, "server.csr"), "-CA", os.path.join(state, "ca.pem"),
                "-CAkey", os.path.join(state, "ca.key"), "-set_serial", "0x" + secrets.token_hex(16),
                "-days", "2", "-sha256", "-extfile", cnf, "-extensions", "server_ext",
                "-out", os.path.join(state, "server.crt"), cwd=tmp)
    for name in ("ca.pem", "other-ca.pem", "server.crt"):
        os.chmod(os.path.join(state, name), 0o644)
    runner.chown(os.path.join(state, "server.key"), 0o600)  # the server refuses a key others can read


def write_conf(data, state, port):
    conf = f"""# tests/pg/pg_server.py
listen_addresses = '127.0.0.1'
port = {port}
unix_socket_directories = '{state}'
max_connections = 50
ssl = on
ssl_cert_file = '{state}/server.crt'
ssl_key_file = '{state}/server.key'
password_encryption = scram-sha-256
fsync = on
logging_collector = off
log_destination = 'stderr'
"""
    with open(os.path.join(data, "recon_test.conf"), "w") as f:
        f.write(conf)


proc = None  # the server, once started
stopping = []  # the signals received
restarting = []  # SIGUSR1s not yet served


def on_signal(signum, _frame):
    stopping.append(signum)
    if proc is not None and proc.poll() is None:
        proc.send_signal(signal.SIGINT)  # fast shutdown


def on_restart(_signum, _frame):
    restarting.append(1)
    if proc is not None and proc.poll() is None:
        proc.send_signal(signal.SIGINT)  # fast shutdown; main() starts it again


def stop_point():
    """Before each step of the set-up: a SIGTERM or SIGINT so far ends the script here."""
    if stopping:
        print("pg_server: stopped before the server was ready", file=sys.stderr, flush=True)
        sys.exit(0)


def main():
    global proc
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGUSR1, on_restart)
    state = os.environ.get("PG_STATE_DIR", "").strip()
    if not state:
        die("PG_STATE_DIR is required (the directory for the cluster, certificates and socket)")
    state = os.path.abspath(state)
    if any(c.isspace() or c in "'\\" for c in state):
        die(f"PG_STATE_DIR must not contain spaces, quotes or backslashes: {state!r}")
    want_port = int(os.environ.get("PG_PORT", "0") or 0)
    if len(state) + len("/.s.PGSQL.65535") > 107:
        die(f"PG_STATE_DIR is too long for a unix socket path (at most {107 - len('/.s.PGSQL.65535')} characters): {state}")
    password = os.environ.get("PG_SUPERUSER_PASSWORD", "postgres-test")
    timeout = float(os.environ.get("PG_START_TIMEOUT", "60"))
    to_stderr = os.environ.get("PG_LOG", "file") == "stderr"
    bins = bindir()
    started = time.monotonic()

    os.makedirs(state, exist_ok=True)
    runner = Runner(state)
    data = os.path.join(state, "data")
    stop_leftover(data)
    for name in OWNED:
        path = os.path.join(state, name)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        elif os.path.lexists(path):
            os.unlink(path)
    for name in os.listdir(state):
        if name.startswith(".s.PGSQL."):
            os.unlink(os.path.join(state, name))
    runner.chown(state, 0o755)
    if runner.root:
        probe = subprocess.run(["test", "-w", state, "-a", "-x", state], cwd="/", **runner.kw)
        if probe.returncode != 0:
            die(f"the postgres user cannot reach {state}: a directory above it is closed to other users")

    stop_point()
    make_certs(state, runner)

    stop_point()
    # The cluster: the password through a file only the server's user can read.
    pwfile = os.path.join(state, ".pwfile")
    with open(os.open(pwfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
        f.write(password + "\n")
    runner.chown(pwfile, 0o600)
    try:
        runner.run([os.path.join(bins, "initdb"), "-D", data, "-U", "postgres", f"--pwfile={pwfile}",
                    "--auth-host=scram-sha-256", "--auth-local=trust", "--encoding=UTF8", "--locale=C",
                    "--no-sync"])
    finally:
        os.unlink(pwfile)
    stop_point()
    with open(os.path.join(data, "pg_hba.conf"), "w") as f:
        f.write("# tests/pg/pg_server.py: TLS or not is the client's choice (its sslmode)\n"
                "# TYPE   DATABASE USER ADDRESS       METHOD\n"
                "local    all      all                trust\n"
                "hostssl  all      all  127.0.0.1/32  scram-sha-256\n"
                "host     all      all  127.0.0.1/32  scram-sha-256\n")
    with open(os.path.join(data, "postgresql.conf"), "a") as f:
        f.write("\ninclude 'recon_test.conf'\n")

    log_path = os.path.join(state, "postgres.log")
    log = sys.stderr if to_stderr else open(log_path, "ab", buffering=0)

    def log_tail():
        if to_stderr:
            return ""
        try:
            with open(log_path, errors="replace") as f:
                return "".join(f.readlines()[-30:])
        except OSError:
            return ""

    # An ephemeral port is only free until someone else takes it: on "could not bind", another.
    for attempt in range(5):
        stop_point()
        port = want_port or free_port()
        write_conf(data, state, port)
        for name in ("recon_test.conf", "pg_hba.conf", "postgresql.conf"):
            runner.chown(os.path.join(data, name), 0o600)
        proc = runner.spawn([os.path.join(bins, "postgres"), "-D", data], log)
        deadline = time.monotonic() + timeout
        ready = False
        while time.monotonic() < deadline and proc.poll() is None and not stopping:
            r = subprocess.run([os.path.join(bins, "pg_isready"), "-q", "-h", state, "-p", str(port),
                                "-U", "postgres", "-d", "postgres", "-t", "2"],
                               env=runner.env, stdin=subprocess.DEVNULL, capture_output=True)
            if r.returncode == 0:
                ready = True
                break
            time.sleep(0.05)
        if ready or stopping:
            break
        if proc.poll() is None:
            proc.kill()
            proc.wait()
            die(f"the server did not accept connections within {timeout:g}s; its log ({log_path}):\n{log_tail()}")
        if not want_port and "could not bind" in log_tail() and attempt < 4:
            print(f"pg_server: port {port} was taken, trying another", file=sys.stderr, flush=True)
            continue
        die(f"the server exited ({proc.returncode}) before accepting connections; its log ({log_path}):\n{log_tail()}")

    if stopping and proc.poll() is None:
        proc.send_signal(signal.SIGINT)
    if not stopping:
        url = f"postgresql://postgres:{urllib.parse.quote(password, safe='')}@127.0.0.1:{port}/postgres"
        print(f"pg_server: ready in {time.monotonic() - started:.2f}s (data {data}, log "
              f"{'stderr' if to_stderr else log_path})", file=sys.stderr, flush=True)
        print(f"{READY} {url} ca={state}/ca.pem other_ca={state}/other-ca.pem socket={state}", flush=True)

    def wait_ready(port, deadline):
        while time.monotonic() < deadline and proc.poll() is None and not stopping:
            r = subprocess.run([os.path.join(bins, "pg_isready"), "-q", "-h", state, "-p", str(port),
                                "-U", "postgres", "-d", "postgres", "-t", "2"],
                               env=runner.env, stdin=subprocess.DEVNULL, capture_output=True)
            if r.returncode == 0:
                return True
            time.sleep(0.05)
        return False

    while True:
        proc.wait()  # until it exits: after the SIGINT of on_signal or on_restart, or on its own
        if stopping or not restarting:
            break
        restarting.clear()
        began = time.monotonic()
        proc = runner.spawn([os.path.join(bins, "postgres"), "-D", data], log)
        if not wait_ready(port, time.monotonic() + timeout):
            if stopping:
                continue
            die(f"the server did not come back after a restart; its log ({log_path}):\n{log_tail()}", 1)
        print(f"pg_server: restarted in {time.monotonic() - began:.2f}s", file=sys.stderr, flush=True)
    if stopping:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGQUIT)  # immediate shutdown
            proc.wait()
        sys.exit(0)
    die(f"the server exited ({proc.returncode}); its log ({log_path}):\n{log_tail()}", 1)


if __name__ == "__main__":
    main()
