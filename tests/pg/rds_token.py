"""Prints the RDS IAM authentication token botocore makes for fixed inputs and a fixed time:
an independent check of recon-pg's signer (crates/recon-pg/tests/iam.rs).

    python3 rds_token.py HOST PORT USER REGION KEY_ID SECRET UNIX_SECONDS
"""
import datetime
import sys

import botocore.auth
import botocore.session

host, port, user, region, key_id, secret, at = sys.argv[1:8]
fixed = datetime.datetime.fromtimestamp(int(at), tz=datetime.timezone.utc)




def fixed_now(remove_tzinfo=True):
    return fixed.replace(tzinfo=None) if remove_tzinfo else fixed


# botocore reads the clock through compat.get_current_datetime, imported into botocore.auth.
botocore.auth.get_current_datetime = fixed_now

session = botocore.session.get_session()
session.set_credentials(key_id, secret)
client = session.create_client("rds", region_name=region)
print(client.generate_db_auth_token(host, int(port), user, Region=region))
