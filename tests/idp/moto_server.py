#!/usr/bin/env python3
"""moto's AWS server (S3, STS, IAM, ...) on 127.0.0.1 for the sign-in and inbox tests, with STS
AssumeRoleWithWebIdentity made as strict as AWS's, and S3 listings fast enough to benchmark against.

Stock moto hands out credentials for any WebIdentityToken, even "x", and for roles that do not
exist. Here the call is checked as STS does it: the token must be a JWT signed by a key of its
issuer's JWKS (fetched from the issuer's discovery document), the issuer must be registered as an
IAM OIDC identity provider (CreateOpenIDConnectProvider), `aud` must be one of that provider's
client ids, `exp` must not have passed, the role must exist and its trust policy must allow
sts:AssumeRoleWithWebIdentity for that provider (conditions StringEquals/StringLike on
"<provider>:aud" and "<provider>:sub" are evaluated), RoleSessionName must match AWS's pattern and
DurationSeconds must lie in 900..the role's MaxSessionDuration. The call is unsigned, as in AWS.

    python3 tests/idp/moto_server.py      # prints "MOTO_READY http://127.0.0.1:PORT" when listening

Environment (all optional):
    MOTO_PORT=0               port on 127.0.0.1 (default 0: an ephemeral one)
    MOTO_OIDC_ISSUER=URL      at start, register URL (the test OpenID provider) as an IAM OIDC
                              identity provider with client ids MOTO_OIDC_CLIENT_IDS (default
                              "recon-workbench,recon-workbench-es256") and create two roles it may
                              assume (aud = one of those client ids):
                                arn:aws:iam::123456789012:role/recon-clerk       s3:Get*, s3:List*
                                arn:aws:iam::123456789012:role/recon-supervisor  s3:*
    MOTO_IAM_AUTH=1           enforce request signatures and IAM policies (moto's
                              INITIAL_NO_AUTH_ACTION_COUNT=0) after that set-up: then only real keys
                              sign, and MOTO_STATE_DIR/admin.json holds an admin user's key
                              (AccessKeyId, SecretAccessKey) for the tests' own set-up calls.
                              Default off: any key signs, as with stock moto.
    MOTO_STATE_DIR=DIR        where admin.json goes (default target/moto)
    MOTO_WEB_IDENTITY_STRICT=0   back to stock moto's AssumeRoleWithWebIdentity (no checks)
    MOTO_VERBOSE=1            log every request (werkzeug's access log) to stderr
    MOTO_FAST_LISTINGS=0      back to moto's own (slow) serializer for ListObjects, ListObjectsV2
                              and ListObjectVersions (the default writes the same XML ~10x faster)
"""
import base64
import copy
import fnmatch
import io
import json
import logging
import os
import re
import signal
import sys
import threading
import time
import urllib.request
from xml.sax.saxutils import escape

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from moto import settings
from moto.core.authorization import ActionAuthenticatorMixin
from moto.core.exceptions import ServiceException
from moto.iam.models import iam_backends
import moto.s3.models as s3_models
from moto.core.responses import get_service_model
from moto.s3.models import FakeKey
from moto.s3.responses import S3Response
from moto.server import ThreadedMotoServer
from moto.sts.responses import TokenResponse

ACCOUNT = "123456789012"
WEB_IDENTITY_ACTIONS = {"AssumeRoleWithWebIdentity", "AssumeRoleWithSAML"}


class StsError(ServiceException):
    """An STS error answer (moto sends HTTP 400 for each; AWS sends 403 for AccessDenied)."""

    def __init__(self, code, message):
        super().__init__(code, message)
        self.code = code
        self.message = message


def _b64url(part):
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _jwks_for(issuer, cache={}):
    """The issuer's JWKS, fetched through its discovery document (cached for 60 s)."""
    hit = cache.get(issuer)
    if hit and hit[0] > time.time():
        return hit[1]
    try:
        with urllib.request.urlopen(issuer.rstrip("/") + "/.well-known/openid-configuration", timeout=5) as r:
            jwks_uri = json.load(r)["jwks_uri"]
        with urllib.request.urlopen(jwks_uri, timeout=5) as r:
            keys = KeySet.import_key_set(json.load(r))
    except Exception as e:  # noqa: BLE001 - any failure is STS's IDPCommunicationError
        raise StsError("IDPCommunicationError", f"Couldn't retrieve verification key from your identity provider: {e}")
    cache[issuer] = (time.time() + 60, keys)
    return keys


def _condition_ok(statement, values):
    for operator, pairs in (statement.get("Condition") or {}).items():
        for key, expected in pairs.items():
            expected = expected if isinstance(expected, list) else [expected]
            actual = values.get(key)
            if actual is None:
                return False
            if operator == "StringEquals":
                if actual not in expected:
                    return False
            elif operator == "StringLike":
                if not any(fnmatch.fnmatchcase(actual, p) for p in expected):
                    return False
            else:
                return False  # an operator this stand-in does not evaluate: refuse rather than allow
    return True


def _trust_allows(role, provider_arn, values):
    policy = role.assume_role_policy_document
    policy = json.loads(policy) if isinstance(policy, str) else policy
    statements = policy.get("Statement", [])
    statements = statements if isinstance(statements, list) else [statements]
    allowed = False
    for st in statements:
        actions = st.get("Action", [])
        actions = actions if isinstance(actions, list) else [actions]
        if not any(fnmatch.fnmatchcase("sts:AssumeRoleWithWebIdentity", a) for a in actions):
            continue
        federated = (st.get("Principal") or {}).get("Federated", [])
        federated = federated if isinstance(federated, list) else [federated]
        if provider_arn not in federated or not _condition_ok(st, values):
            continue
        if st.get("Effect") == "Deny":
            return False
        allowed = allowed or st.get("Effect") == "Allow"
    return allowed


def check_web_identity(response):
    """Raises StsError unless the AssumeRoleWithWebIdentity request would pass AWS STS."""
    token = response._get_param("WebIdentityToken") or ""
    role_arn = response._get_param("RoleArn") or ""
    session = response._get_param("RoleSessionName") or ""
    duration = response._get_int_param("DurationSeconds", 3600)
    if not re.fullmatch(r"[\w+=,.@-]{2,64}", session):
        raise StsError("ValidationError", f"1 validation error detected: Value '{session}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*")
    try:
        header_b64, payload_b64, _ = token.split(".")
        header = json.loads(_b64url(header_b64))
        claims = json.loads(_b64url(payload_b64))
        issuer = claims["iss"]
    except Exception:  # noqa: BLE001
        raise StsError("InvalidIdentityToken", "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)")
    if header.get("alg") not in ("RS256", "ES256"):
        raise StsError("InvalidIdentityToken", f"Unsupported signing algorithm: {header.get('alg')}")
    backend = iam_backends[ACCOUNT]["aws"]
    host_path = re.sub(r"^https?://", "", issuer).rstrip("/")
    provider_arn = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{host_path}"
    provider = backend.open_id_providers.get(provider_arn)
    if provider is None:
        raise StsError("InvalidIdentityToken", f"No OpenIDConnect provider found in your account for {issuer}")
    keys = _jwks_for(issuer)
    try:
        verified = jwt.decode(token, keys, algorithms=["RS256", "ES256"])
    except JoseError as e:
        raise StsError("InvalidIdentityToken", f"Couldn't verify the token's signature with the provider's keys: {e.error}")
    claims = verified.claims
    if claims.get("iss") != issuer:
        raise StsError("InvalidIdentityToken", "Issuer mismatch")
    aud = claims.get("aud")
    auds = aud if isinstance(aud, list) else [aud]
    if not any(a in provider.client_id_list for a in auds):
        raise StsError("InvalidIdentityToken", "Incorrect token audience")
    now = int(time.time())
    if not isinstance(claims.get("exp"), int) or claims["exp"] <= now:
        raise StsError("ExpiredTokenException", f"Token expired: current date/time {now} must be before the expiration date/time {claims.get('exp')}")
    if "sub" not in claims:
        raise StsError("InvalidIdentityToken", "The token has no sub claim")
    try:
        role = backend.get_role_by_arn(role_arn)
    except Exception:  # noqa: BLE001
        raise StsError("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity")
    values = {f"{host_path}:aud": auds[0], f"{host_path}:sub": claims["sub"]}
    if not _trust_allows(role, provider_arn, values):
        raise StsError("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity")
    max_duration = int(role.max_session_duration or 3600)
    if duration < 900 or duration > max_duration:
        raise StsError("ValidationError", f"The requested DurationSeconds exceeds the MaxSessionDuration set for this role." if duration > max_duration
                       else "1 validation error detected: Value at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900")


def install_strict_web_identity():
    original = TokenResponse.assume_role_with_web_identity
    original_auth = TokenResponse._authenticate_and_authorize_normal_action

    def assume_role_with_web_identity(self):
        check_web_identity(self)
        return original(self)

    def authenticate(self, resource="*"):
        # AssumeRoleWithWebIdentity (and ...WithSAML) are unsigned calls in AWS.
        if self._get_action() in WEB_IDENTITY_ACTIONS:
            return None
        return original_auth(self, resource)

    TokenResponse.assume_role_with_web_identity = assume_role_with_web_identity
    TokenResponse._authenticate_and_authorize_normal_action = authenticate


# S3 listings: moto's generic response serializer spends ~0.6 s on each page of 1000 keys, so
# listing 10,000 objects took 6-8 s, and the inbox's listing benchmark would measure moto. The same
# XML, written directly from the operation's output shape (moto_smoke.py checks it is byte for byte
# what moto's own serializer writes). And ListObjectVersions deep-copies every version of every
# key in the bucket, contents included, for each page (1.6 s a page at 10,000 small objects, far
# more with big ones): it copies their metadata instead.
FAST_LISTINGS = {"ListObjectsV2": "ListBucketResult", "ListObjects": "ListBucketResult",
                 "ListObjectVersions": "ListVersionsResult"}


def _xml(shape, value, name, out):
    kind = shape.type_name
    if kind == "structure":
        out.append(f"<{name}>")
        for member, mshape in shape.members.items():
            if mshape.serialization.get("location") or value.get(member) is None:
                continue
            _xml(mshape, value[member], mshape.serialization.get("name", member), out)
        out.append(f"</{name}>")
        return
    if kind == "list":
        if shape.serialization.get("flattened"):
            for item in value:
                _xml(shape.member, item, name, out)
        else:
            out.append(f"<{name}>")
            for item in value:
                _xml(shape.member, item, shape.member.serialization.get("name", "member"), out)
            out.append(f"</{name}>")
        return
    if kind == "boolean":
        text = "true" if value else "false"
    else:
        text = escape(str(value))
    out.append(f"<{name}>{text}</{name}>" if text else f"<{name}/>")


def listing_xml(operation, result):
    shape = get_service_model("s3").operation_model(operation).output_shape
    root = FAST_LISTINGS[operation]
    out = ['<?xml version="1.0" encoding="utf-8"?>\n', f'<{root} xmlns="http://s3.amazonaws.com/doc/2006-03-01/">']
    inner = []
    _xml(shape, result, root, inner)
    out.extend(inner[1:])  # the root element carries the namespace
    return "".join(out)


def _listing_copy(key):
    """A copy of a stored object version for one listing: its metadata, not its bytes."""
    if not isinstance(key, FakeKey):
        return copy.copy(key)  # a delete marker: small
    key.etag  # noqa: B018 - computes and keeps the ETag on the stored key before it is shared
    view = FakeKey.__new__(FakeKey)
    view.__dict__.update(key.__dict__)
    # Its own empty buffer: FakeKey.__del__ closes the buffer, which is the stored key's.
    view._value_buffer = io.BytesIO()
    view.multipart = None
    view.disposed = True
    return view


class _CopyForListings:
    """moto.s3.models' `copy` module, except that ListObjectVersions' deepcopy of every version of
    every key (contents included, each page) becomes a copy of their metadata."""

    def __getattr__(self, name):
        return getattr(copy, name)

    @staticmethod
    def deepcopy(value, memo=None):
        if isinstance(value, list) and all(hasattr(k, "last_modified") and hasattr(k, "name") for k in value):
            return [_listing_copy(k) for k in value]
        return copy.deepcopy(value, memo)


def install_fast_listings():
    s3_models.copy = _CopyForListings()
    original = S3Response.serialized

    def serialized(self, action_result):
        operation = self.data.get("Action")
        if operation in FAST_LISTINGS and isinstance(action_result.result, dict):
            headers = {"Content-Type": "application/xml"}
            headers.update(self.response_headers)
            return 200, headers, listing_xml(operation, action_result.result)
        return original(self, action_result)

    S3Response.serialized = serialized


def bootstrap(url, issuer, client_ids, state_dir, iam_auth):
    import boto3

    kw = dict(endpoint_url=url, region_name="us-east-1", aws_access_key_id="bootstrap", aws_secret_access_key="bootstrap")
    iam = boto3.client("iam", **kw)
    host_path = re.sub(r"^https?://", "", issuer).rstrip("/")
    provider_arn = iam.create_open_id_connect_provider(Url=issuer, ClientIDList=client_ids, ThumbprintList=["0" * 40])["OpenIDConnectProviderArn"]
    trust = {
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Federated": provider_arn},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {f"{host_path}:aud": client_ids}},
        }],
    }
    for name, actions in (("recon-clerk", ["s3:Get*", "s3:List*"]), ("recon-supervisor", ["s3:*"])):
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust), MaxSessionDuration=3600)
        iam.put_role_policy(RoleName=name, PolicyName="s3", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}))
    if iam_auth:
        iam.create_user(UserName="recon-test-admin")
        iam.put_user_policy(UserName="recon-test-admin", PolicyName="admin", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
        key = iam.create_access_key(UserName="recon-test-admin")["AccessKey"]
        os.makedirs(state_dir, exist_ok=True)
        path = os.path.join(state_dir, "admin.json")
        with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
            json.dump({"AccessKeyId": key["AccessKeyId"], "SecretAccessKey": key["SecretAccessKey"]}, f)
    return provider_arn


def main():
    port = int(os.environ.get("MOTO_PORT", "0") or 0)
    iam_auth = os.environ.get("MOTO_IAM_AUTH") == "1"
    issuer = os.environ.get("MOTO_OIDC_ISSUER", "").strip()
    client_ids = [c for c in os.environ.get("MOTO_OIDC_CLIENT_IDS", "recon-workbench,recon-workbench-es256").split(",") if c]
    state_dir = os.environ.get("MOTO_STATE_DIR", os.path.join("target", "moto"))
    if os.environ.get("MOTO_WEB_IDENTITY_STRICT", "1") != "0":
        install_strict_web_identity()
    if os.environ.get("MOTO_FAST_LISTINGS", "1") != "0":
        install_fast_listings()

    if os.environ.get("MOTO_VERBOSE") != "1":
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    host, real_port = server.get_host_and_port()
    url = f"http://{host}:{real_port}"
    if issuer:
        arn = bootstrap(url, issuer, client_ids, state_dir, iam_auth)
        print(f"moto: OIDC provider {arn}; roles arn:aws:iam::{ACCOUNT}:role/recon-clerk, arn:aws:iam::{ACCOUNT}:role/recon-supervisor", file=sys.stderr)
    elif iam_auth:
        print("moto: MOTO_IAM_AUTH=1 needs MOTO_OIDC_ISSUER (the set-up makes the admin key)", file=sys.stderr)
        sys.exit(2)
    if iam_auth:
        settings.INITIAL_NO_AUTH_ACTION_COUNT = 0
        ActionAuthenticatorMixin.request_count = 0
    print(f"MOTO_READY {url}", flush=True)

    done = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: done.set())
    done.wait()
    server.stop()


if __name__ == "__main__":
    main()
