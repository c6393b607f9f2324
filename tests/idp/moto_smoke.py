#!/usr/bin/env python3
"""Smoke test: an ID token from the test OpenID provider buys AWS credentials from moto's STS
(AssumeRoleWithWebIdentity), and those credentials sign real S3 calls that moto verifies (moto runs
with IAM signature and policy checks on). Also the refusals the workbench will meet: a tampered or
foreign token, an unknown role, an expired token, a wrong secret, a read-only role writing. And
that moto_server.py's fast S3 listings answer exactly what moto's own code answers.

    target/test-venv/bin/python tests/idp/moto_smoke.py     (scripts/moto.sh smoke does this)

It starts its own provider (node tests/idp/server.mjs, 4 s ID tokens) and its own moto
(tests/idp/moto_server.py with MOTO_IAM_AUTH=1) on ephemeral ports, and stops both at the end.
The last line is "moto_smoke: N passed, M failed"; the exit status is 1 when any check failed.
"""
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

import boto3
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
ID_TOKEN_TTL = 4
ACCOUNT = "123456789012"
passed, failed = 0, 0


def check(name, fn):
    global passed, failed
    try:
        fn()
        passed += 1
        print(f"ok - {name}")
    except Exception as e:  # noqa: BLE001 - every failure is reported and counted
        failed += 1
        print(f"FAIL - {name}: {type(e).__name__}: {e}")


def start(cmd, ready, env):
    proc = subprocess.Popen(cmd, env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    deadline = time.time() + 30
    while time.time() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        if line.startswith(ready + " "):
            return proc, line.split()[1]
    proc.kill()
    raise SystemExit(f"moto_smoke: {cmd[1]} did not print {ready}")


def post_form(url, params):
    req = urllib.request.Request(url, data=urllib.parse.urlencode(params).encode(), method="POST")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.load(r)
    except urllib.error.HTTPError as e:
        return json.load(e)


def id_token(issuer, user, client_id="recon-workbench"):
    """Signs `user` in through the device flow, the browser bot confirming the code."""
    meta = json.load(urllib.request.urlopen(issuer + "/.well-known/openid-configuration", timeout=10))
    d = post_form(meta["device_authorization_endpoint"], {"client_id": client_id, "scope": "openid profile groups"})
    bot = subprocess.run(["node", os.path.join(HERE, "browser.mjs"), "--device", d["verification_uri_complete"], "--user", user],
                         capture_output=True, text=True, timeout=40)
    if bot.returncode != 0:
        raise RuntimeError(f"browser bot: {bot.stdout}{bot.stderr}")
    t = post_form(meta["token_endpoint"], {"grant_type": "urn:ietf:params:oauth:grant-type:device_code",
                                           "device_code": d["device_code"], "client_id": client_id})
    return t["id_token"]


def listings_match_moto():
    """moto_server.py's fast S3 listings give what moto's own code gives, byte for byte (run
    in-process, moto's own code first, then the fast one, on the same objects)."""
    import moto_server
    import moto.s3.responses as s3_responses
    from moto import mock_aws

    bodies = []
    original = s3_responses.S3Response.serialized

    def spy(self, action_result):
        out = original(self, action_result)
        if self.data.get("Action") in moto_server.FAST_LISTINGS:
            bodies.append(out[2] if isinstance(out[2], str) else out[2].decode())
        return out

    def listings():
        s3 = boto3.client("s3", region_name="us-east-1")  # a new one: the hooks below stay on a client
        out = []
        for kw in ({}, {"MaxKeys": 2}, {"Delimiter": "/"}, {"Delimiter": "/", "Prefix": "a/"}, {"Prefix": "none/"}):
            out.append(s3.list_objects_v2(Bucket="listing-check", **kw))
            out.append(s3.list_objects(Bucket="listing-check", **kw))
            for page in s3.get_paginator("list_object_versions").paginate(Bucket="listing-check", PaginationConfig={"PageSize": 3}, **kw):
                out.append(page)
        for op in ("ListObjectsV2", "ListObjects", "ListObjectVersions"):  # keys unencoded, so XML-escaped
            s3.meta.events.register_last(f"before-parameter-build.s3.{op}", lambda params, **_: params.pop("EncodingType", None))
        out.append(s3.list_objects_v2(Bucket="listing-check"))
        out.append(s3.list_object_versions(Bucket="listing-check"))
        for out_page in out:
            out_page.pop("ResponseMetadata", None)
        return out

    s3_responses.S3Response.serialized = spy
    try:
        with mock_aws():
            s3 = boto3.client("s3", region_name="us-east-1")
            s3.create_bucket(Bucket="listing-check")
            s3.put_bucket_versioning(Bucket="listing-check", VersioningConfiguration={"Status": "Enabled"})
            for key in ["a/x&y <z>.csv", "a/sub/q", "c", "a/sub/q", "d'\"e", "f"]:
                s3.put_object(Bucket="listing-check", Key=key, Body=key.encode() * 3, ChecksumAlgorithm="SHA256")
            s3.delete_object(Bucket="listing-check", Key="c")
            theirs, theirs_xml = listings(), bodies[:]
            bodies.clear()
            s3_responses.S3Response.serialized = original
            moto_server.install_fast_listings()
            fast = s3_responses.S3Response.serialized
            s3_responses.S3Response.serialized = lambda self, ar: (lambda out: (bodies.append(out[2]), out)[1])(fast(self, ar))
            ours = listings()
            assert len(theirs_xml) == len(bodies) > 20, (len(theirs_xml), len(bodies))
            for a, b in zip(theirs_xml, bodies):
                assert a == b, f"XML differs:\n{a}\n{b}"
            assert theirs == ours
            assert s3.get_object(Bucket="listing-check", Key="a/sub/q")["Body"].read() == b"a/sub/q" * 3
    finally:
        s3_responses.S3Response.serialized = original


def main():
    check("fast S3 listings (ListObjectsV2, ListObjects, ListObjectVersions) write moto's XML byte for byte",
          listings_match_moto)
    state = tempfile.mkdtemp(prefix="moto-smoke-")
    idp, issuer = start(["node", os.path.join(HERE, "server.mjs")], "IDP_READY",
                        {"IDP_PORT": "0", "IDP_ID_TOKEN_TTL": str(ID_TOKEN_TTL)})
    moto, endpoint = start([sys.executable, os.path.join(HERE, "moto_server.py")], "MOTO_READY",
                           {"MOTO_PORT": "0", "MOTO_OIDC_ISSUER": issuer, "MOTO_IAM_AUTH": "1", "MOTO_STATE_DIR": state})
    try:
        run(issuer, endpoint, state)
    finally:
        idp.terminate()
        moto.terminate()
        idp.wait(10)
        moto.wait(10)
    print(f"moto_smoke: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


def run(issuer, endpoint, state):
    region = "us-east-1"
    sts = boto3.client("sts", endpoint_url=endpoint, region_name=region, config=Config(signature_version=UNSIGNED))
    role = lambda name: f"arn:aws:iam::{ACCOUNT}:role/{name}"  # noqa: E731
    s3_with = lambda c, **kw: boto3.client("s3", endpoint_url=endpoint, region_name=region,  # noqa: E731
                                           aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"],
                                           aws_session_token=c.get("SessionToken"), **kw)

    def assume(token, role_name, session, **kw):
        return sts.assume_role_with_web_identity(RoleArn=role(role_name), RoleSessionName=session, WebIdentityToken=token, **kw)

    def refused(code, fn):
        try:
            fn()
        except ClientError as e:
            got = e.response["Error"]["Code"]
            assert got == code, f"expected {code}, got {got}: {e.response['Error'].get('Message')}"
            return e
        raise AssertionError(f"expected {code}, the call succeeded")

    sam = id_token(issuer, "sam")
    clara = id_token(issuer, "clara")
    creds = {}

    def sam_assumes_supervisor():
        r = assume(sam, "recon-supervisor", "sam", DurationSeconds=900)
        assert r["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/recon-supervisor/sam", r["AssumedRoleUser"]
        creds["sam"] = r["Credentials"]
        assert creds["sam"]["AccessKeyId"].startswith("ASIA")
    check("STS AssumeRoleWithWebIdentity with sam's ID token gives recon-supervisor credentials", sam_assumes_supervisor)

    def s3_round_trip():
        s3 = s3_with(creds["sam"])
        s3.create_bucket(Bucket="acme-bank-statements")
        s3.put_object(Bucket="acme-bank-statements", Key="bank1/acc1/2026/11/stmt.xml", Body=b"<Document/>")
        listed = s3.list_objects_v2(Bucket="acme-bank-statements", Prefix="bank1/")
        assert [o["Key"] for o in listed["Contents"]] == ["bank1/acc1/2026/11/stmt.xml"], listed
        assert s3.get_object(Bucket="acme-bank-statements", Key="bank1/acc1/2026/11/stmt.xml")["Body"].read() == b"<Document/>"
    check("those credentials sign S3 CreateBucket, PutObject, ListObjectsV2, GetObject", s3_round_trip)

    def clerk_read_only():
        r = assume(clara, "recon-clerk", "clara")
        s3 = s3_with(r["Credentials"])
        assert s3.list_objects_v2(Bucket="acme-bank-statements")["KeyCount"] == 1
        refused("AccessDenied", lambda: s3.put_object(Bucket="acme-bank-statements", Key="x", Body=b"x"))
    check("recon-clerk credentials list but may not write (AccessDenied)", clerk_read_only)

    def es256_token():
        assume(id_token(issuer, "sam", "recon-workbench-es256"), "recon-clerk", "sam")
    check("an ES256-signed ID token is accepted too", es256_token)

    def bad_signature():
        head, body, sig = sam.split(".")
        tampered = f"{head}.{body}.{sig[:-4]}{'AAAA' if sig[-4:] != 'AAAA' else 'BBBB'}"
        refused("InvalidIdentityToken", lambda: assume(tampered, "recon-supervisor", "sam"))
    check("a tampered signature: InvalidIdentityToken", bad_signature)

    def tampered_claims():
        import base64
        head, body, sig = sam.split(".")
        claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        claims["sub"] = "mallory"
        forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
        refused("InvalidIdentityToken", lambda: assume(f"{head}.{forged}.{sig}", "recon-supervisor", "mallory"))
    check("a changed claim under the old signature: InvalidIdentityToken", tampered_claims)

    check("not a JWT: InvalidIdentityToken", lambda: refused("InvalidIdentityToken", lambda: assume("not-a-jwt", "recon-supervisor", "sam")))

    def foreign_audience():
        e = refused("InvalidIdentityToken", lambda: assume(id_token(issuer, "sam", "other-app"), "recon-supervisor", "sam"))
        assert "audience" in e.response["Error"]["Message"], e.response["Error"]
    check("a token for other-app: InvalidIdentityToken (audience)", foreign_audience)

    check("a role that does not exist: AccessDenied",
          lambda: refused("AccessDenied", lambda: assume(sam, "no-such-role", "sam")))
    check("DurationSeconds over the role's MaxSessionDuration: ValidationError",
          lambda: refused("ValidationError", lambda: assume(sam, "recon-supervisor", "sam", DurationSeconds=7200)))
    check("a RoleSessionName with a space: ValidationError",
          lambda: refused("ValidationError", lambda: assume(sam, "recon-supervisor", "Sam Supervisor")))

    def wrong_secret():
        c = dict(creds["sam"], SecretAccessKey="x" * 40)
        refused("SignatureDoesNotMatch", lambda: s3_with(c).list_objects_v2(Bucket="acme-bank-statements"))
    check("the right key id with a wrong secret: SignatureDoesNotMatch", wrong_secret)

    def unknown_key():
        c = {"AccessKeyId": "AKIAUNKNOWN000000000", "SecretAccessKey": "x" * 40}
        refused("InvalidAccessKeyId", lambda: s3_with(c).list_objects_v2(Bucket="acme-bank-statements"))
    check("an unknown key: InvalidAccessKeyId", unknown_key)

    def admin_key():
        with open(os.path.join(state, "admin.json")) as f:
            admin = json.load(f)
        s3_with(admin).create_bucket(Bucket="admin-made")
    check("the admin key from admin.json signs set-up calls", admin_key)

    def expired():
        time.sleep(ID_TOKEN_TTL + 1)
        refused("ExpiredTokenException", lambda: assume(sam, "recon-supervisor", "sam"))
    check("an expired ID token: ExpiredTokenException", expired)


if __name__ == "__main__":
    main()
