// Mints a customer token the way a tenant's Node.js backend does, with jose.
// Reads {alg, kid, key, iss, sub, aud} as JSON on stdin; `key` is the HS256
// secret, or a PKCS#8 PEM private key, or "generate" for a new key pair (a
// key the tenant never registered). Writes the token to stdout.
// tests/tests/minted.rs runs it with jose's folder in the tools cache as the
// working directory, which is where `import "jose"` is found.
import * as jose from "jose";

let input = "";
for await (const chunk of process.stdin) input += chunk;
const a = JSON.parse(input);
let key;
if (a.alg === "HS256") {
  key = new TextEncoder().encode(a.key);
} else if (a.key === "generate") {
  key = (await jose.generateKeyPair(a.alg)).privateKey;
} else {
  key = await jose.importPKCS8(a.key, a.alg);
}
const token = await new jose.SignJWT({})
  .setProtectedHeader({ alg: a.alg, kid: a.kid, typ: "JWT" })
  .setIssuer(a.iss)
  .setSubject(a.sub)
  .setAudience(a.aud)
  .setIssuedAt()
  .setExpirationTime("10m")
  .sign(key);
process.stdout.write(token);
