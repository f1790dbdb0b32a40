"""OpenID for Verifiable Credential Issuance 1.0 (final, 2025-09-16), the issuer's side, pure.

https://openid.net/specs/openid-4-verifiable-credential-issuance-1_0.html

- ``metadata``: Credential Issuer Metadata (§12.2) and OAuth Authorization Server Metadata
  (RFC 8414) of one credential issuer, with the OB 3.0 credential configurations;
- ``offer``: the Credential Offer (§4.1) object and its ``openid-credential-offer://`` links;
- ``proof_jwt``: the ``jwt`` key proof of a Credential Request (Appendix F.1), checked;
- ``credential_request``: a Credential Request (§8.2) read, in the final form and the
  unambiguous forms of drafts 13 and 15.

Every refusal is a ``ProtocolError`` whose ``code`` is the specification's error code.
"""
