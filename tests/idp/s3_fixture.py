#!/usr/bin/env python3
"""Sets up S3 test data on moto (or any S3 endpoint) for the inbox tests and benches: a versioned
bucket, many objects at once, and the one thing the S3 API itself never allows, an object whose
stored SHA-256 checksum does not match its bytes.

    PY=$(scripts/moto.sh python)
    $PY tests/idp/s3_fixture.py --endpoint URL bucket acme-bank-statements [--versioned]
    $PY tests/idp/s3_fixture.py --endpoint URL bulk acme-bank-statements bank1/acc1/2026/11/ --count 10000 [--size 200] [--threads 16]
    $PY tests/idp/s3_fixture.py --endpoint URL put acme-bank-statements KEY FILE          (with its SHA-256 checksum)
    $PY tests/idp/s3_fixture.py --endpoint URL corrupt acme-bank-statements KEY FILE      (a wrong SHA-256 checksum)
    $PY tests/idp/s3_fixture.py --endpoint URL plain acme-bank-statements KEY FILE        (no checksum: the ETag vouches)
    $PY tests/idp/s3_fixture.py --endpoint URL user NAME POLICY_JSON                      (an IAM user with that inline
                                                                                           policy; prints its key)

Each command prints one JSON line: what it made (key, VersionId, ETag, ChecksumSHA256).
Credentials: --key-id/--secret, else AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, else "test"/"test"
(any key signs on moto without MOTO_IAM_AUTH; with it, use target/moto/admin.json's).

How `corrupt` works: moto stores the x-amz-checksum-sha256 header of a PutObject that also names
x-amz-sdk-checksum-algorithm without checking it (AWS would refuse the upload), so HeadObject and
GetObject with ChecksumMode=ENABLED report a SHA-256 the bytes do not have.
"""
import argparse
import base64
import concurrent.futures
import hashlib
import json
import os
import sys

import boto3
from botocore.config import Config


def client(args):
    s3 = boto3.client(
        "s3", endpoint_url=args.endpoint, region_name=args.region,
        aws_access_key_id=args.key_id or os.environ.get("AWS_ACCESS_KEY_ID", "test"),
        aws_secret_access_key=args.secret or os.environ.get("AWS_SECRET_ACCESS_KEY", "test"),
        config=Config(s3={"addressing_style": "path"}, max_pool_connections=max(10, getattr(args, "threads", 10))),
    )

    def name_algorithm(request, **_):
        # The SDK does not send the algorithm header with a caller-given checksum, and without it
        # moto stores no checksum at all.
        if "x-amz-checksum-sha256" in request.headers:
            request.headers["x-amz-sdk-checksum-algorithm"] = "SHA256"
    s3.meta.events.register("before-sign.s3.PutObject", name_algorithm)
    return s3


def sha256_b64(data):
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def put(s3, bucket, key, data, checksum):
    r = s3.put_object(Bucket=bucket, Key=key, Body=data, ChecksumSHA256=checksum)
    return {"Key": key, "VersionId": r.get("VersionId"), "ETag": r["ETag"], "ChecksumSHA256": checksum, "Size": len(data)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--region", default="us-east-1")
    ap.add_argument("--key-id")
    ap.add_argument("--secret")
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("bucket")
    b.add_argument("bucket")
    b.add_argument("--versioned", action="store_true")
    k = sub.add_parser("bulk")
    k.add_argument("bucket")
    k.add_argument("prefix")
    k.add_argument("--count", type=int, required=True)
    k.add_argument("--size", type=int, default=200)
    k.add_argument("--threads", type=int, default=16)
    u = sub.add_parser("user")
    u.add_argument("name")
    u.add_argument("policy")
    for name in ("put", "corrupt", "plain"):
        p = sub.add_parser(name)
        p.add_argument("bucket")
        p.add_argument("key")
        p.add_argument("file")
    args = ap.parse_args()
    s3 = client(args)

    if args.cmd == "bucket":
        s3.create_bucket(Bucket=args.bucket)
        if args.versioned:
            s3.put_bucket_versioning(Bucket=args.bucket, VersioningConfiguration={"Status": "Enabled"})
        print(json.dumps({"Bucket": args.bucket, "Versioned": args.versioned}))
    elif args.cmd == "bulk":
        def one(i):
            key = f"{args.prefix}obj-{i:06d}.csv"
            data = (f"{i}," * (args.size // 2 + 1)).encode()[: args.size]
            return put(s3, args.bucket, key, data, sha256_b64(data))
        with concurrent.futures.ThreadPoolExecutor(args.threads) as pool:
            made = list(pool.map(one, range(args.count)))
        print(json.dumps({"Bucket": args.bucket, "Prefix": args.prefix, "Count": len(made), "Size": args.size}))
    elif args.cmd == "user":
        iam = boto3.client(
            "iam", endpoint_url=args.endpoint, region_name=args.region,
            aws_access_key_id=args.key_id or os.environ.get("AWS_ACCESS_KEY_ID", "test"),
            aws_secret_access_key=args.secret or os.environ.get("AWS_SECRET_ACCESS_KEY", "test"))
        iam.create_user(UserName=args.name)
        iam.put_user_policy(UserName=args.name, PolicyName=f"{args.name}-policy", PolicyDocument=args.policy)
        key = iam.create_access_key(UserName=args.name)["AccessKey"]
        print(json.dumps({"User": args.name, "AccessKeyId": key["AccessKeyId"], "SecretAccessKey": key["SecretAccessKey"]}))
    elif args.cmd == "plain":
        with open(args.file, "rb") as f:
            data = f.read()
        # Without the SDK's default CRC32 either: moto then keeps no checksum at all.
        bare = boto3.client(
            "s3", endpoint_url=args.endpoint, region_name=args.region,
            aws_access_key_id=args.key_id or os.environ.get("AWS_ACCESS_KEY_ID", "test"),
            aws_secret_access_key=args.secret or os.environ.get("AWS_SECRET_ACCESS_KEY", "test"),
            config=Config(s3={"addressing_style": "path"}, request_checksum_calculation="when_required"))
        r = bare.put_object(Bucket=args.bucket, Key=args.key, Body=data)
        print(json.dumps({"Bucket": args.bucket, "Key": args.key, "VersionId": r.get("VersionId"), "ETag": r["ETag"], "Size": len(data)}))
    else:
        with open(args.file, "rb") as f:
            data = f.read()
        checksum = sha256_b64(data)
        if args.cmd == "corrupt":
            checksum = sha256_b64(data + b"\0")  # the checksum of other bytes
        print(json.dumps({"Bucket": args.bucket, **put(s3, args.bucket, args.key, data, checksum),
                          "ActualSHA256": sha256_b64(data)}))


if __name__ == "__main__":
    sys.exit(main())
