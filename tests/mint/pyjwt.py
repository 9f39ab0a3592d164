"""Mints a customer token the way a tenant's Python backend does, with PyJWT.

Reads {alg, kid, key, iss, sub, aud} as JSON on stdin; `key` is the HS256
secret, or a PKCS#8 PEM private key, or "generate" for a new key (a key the
tenant never registered). Writes the token to stdout. tests/tests/minted.rs
runs it with PyJWT's folder in the tools cache on PYTHONPATH.
"""
import json
import sys
import time

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

a = json.load(sys.stdin)
key = a["key"]
if a["alg"] != "HS256" and key == "generate":
    key = ed25519.Ed25519PrivateKey.generate() if a["alg"] == "EdDSA" else ec.generate_private_key(ec.SECP256R1())
now = int(time.time())
claims = {"iss": a["iss"], "sub": a["sub"], "aud": a["aud"], "iat": now, "exp": now + 600}
sys.stdout.write(jwt.encode(claims, key, algorithm=a["alg"], headers={"kid": a["kid"]}))
