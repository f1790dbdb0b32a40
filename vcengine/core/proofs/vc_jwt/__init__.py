"""VC-JWT as Open Badges 3.0 §8.2 "JSON Web Token Proof Format" defines it.

https://www.imsglobal.org/spec/ob/v3p0/#jwt-proof

- **Sign** (§8.2.3): the JWS payload is the credential JSON itself plus the JWT claims ``iss`` =
  ``issuer.id``, ``sub`` = ``credentialSubject.id``, ``nbf`` = ``validFrom``, ``jti`` = ``id`` and
  ``exp`` = ``validUntil`` (§8.2.2). The JOSE header holds ``alg``, ``typ: "JWT"`` and either
  ``kid`` or ``jwk`` (§8.2.1). A VC 1.1 credential (``@context[0]`` is the 2018 v1 context) is
  signed in the legacy VC-JWT form instead: the credential travels in a ``vc`` claim (VC Data
  Model 1.1 §6.3.1) with ``nbf`` = ``issuanceDate`` and ``exp`` = ``expirationDate``.
- **Decode**: strict parsing of the compact serialization (RFC 7515 §7.1). Header parameters are
  limited to ``alg``, ``kid``, ``jwk`` and ``typ`` (§8.2.1: "additional JOSE headers are not
  allowed"). One exception, decided on evidence: ``cty: "vc"`` is tolerated because W3C
  VC-JOSE-COSE §3.1.1 (the W3C Recommendation securing VCDM 2.0 with JOSE) says ``cty`` SHOULD be
  ``vc`` when present, and issuers following it send ``typ: "vc+jwt", cty: "vc"``; any other
  ``cty`` value is refused.
- **Verify** (§8.2.4): returns every check with an outcome (``pass`` / ``fail`` /
  ``indeterminate``) and a reason — signature, key binding, then the claims against the
  credential, and the validity window against the injected ``now``. The algorithm is pinned
  to the key type (no algorithm confusion); a key carried in the ``jwk`` header proves nothing
  about who issued the token until the resolver ties it to the issuer. A check on a token whose
  signature did not verify is never ``pass``.

Signing goes through ``KeyPair.sign`` (the key never leaves it; Ed25519 is deterministic, so a
token is reproducible byte for byte); verification uses jwcrypto with the algorithm pinned.
"""

from vcengine.core.proofs.vc_jwt.signing import sign
from vcengine.core.proofs.vc_jwt.token import JwtCredential, Outcome, decode
from vcengine.core.proofs.vc_jwt.verification import JwtCheck, JwtVerification, verify

__all__ = ["JwtCheck", "JwtCredential", "JwtVerification", "Outcome", "decode", "sign", "verify"]
