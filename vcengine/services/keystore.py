"""Issuer private keys at rest: sealed with AES-256-GCM under a master key.

The master key (32 bytes) comes from ``VCENGINE_MASTER_KEY`` (base64url), else from a key file,
which the embedded default creates on first start (mode 0600) — ``load_or_create_master_key``
says which, in a message meant for the operator.

A sealed key is ``version (1 byte) || nonce (12 bytes) || AES-256-GCM(secretKeyMultibase)``
(ciphertext followed by the 16-byte tag). The associated data is a domain label, the version and
the key record's id, so a ciphertext copied into another record does not open
(https://csrc.nist.gov/pubs/sp/800/38/d/final, §5.2.1.1: additional authenticated data). The
plaintext is the Multikey ``secretKeyMultibase``, which names its key type.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from vcengine.core.keys import KeyPair
from vcengine.errors import InputError, SecretError
from vcengine.private_files import private_dir, tighten

__all__ = [
    "ENV_VAR",
    "MasterKey",
    "derive_key",
    "load_or_create_master_key",
    "seal",
    "seal_secret",
    "unseal",
    "unseal_secret",
]

ENV_VAR = "VCENGINE_MASTER_KEY"
VERSION = 1
NONCE_BYTES = 12
_DOMAIN = b"vcengine/issuer-key/"
_SECRET_DOMAIN = b"vcengine/secret/"

RandomBytes = Callable[[int], bytes]


class _Aead(Protocol):
    def encrypt(self, nonce: bytes, data: bytes, associated_data: bytes | None) -> bytes: ...
    def decrypt(self, nonce: bytes, data: bytes, associated_data: bytes | None) -> bytes: ...


class _Unconfigured:
    """The AEAD of a master key this process does not have: every use is a ``SecretError``."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def encrypt(self, nonce: bytes, data: bytes, associated_data: bytes | None) -> bytes:
        raise SecretError(self.reason)

    decrypt = encrypt


class MasterKey:
    """A 32-byte AES-256-GCM key. Its ``repr`` and ``str`` never show it."""

    __slots__ = ("_aead", "_raw")

    def __init__(self, raw: bytes) -> None:
        if not isinstance(raw, bytes) or len(raw) != 32:
            raise SecretError("a master key is exactly 32 bytes")
        self._raw = raw
        self._aead: _Aead = AESGCM(raw)

    @classmethod
    def unavailable(cls, reason: str) -> MasterKey:
        """Stands for a master key this process does not have (``vcengine admin`` on API keys
        needs none): sealing or opening an issuer key with it raises ``SecretError(reason)``."""
        key = cls.__new__(cls)
        key._raw, key._aead = b"", _Unconfigured(reason)
        return key

    @classmethod
    def from_text(cls, text: str) -> MasterKey:
        """From base64url (padding optional), as in ``VCENGINE_MASTER_KEY`` or the key file."""
        text = text.strip()
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        except (binascii.Error, ValueError):
            raise SecretError("a master key is 32 bytes in base64url") from None
        if len(raw) != 32:
            raise SecretError(f"a master key is 32 bytes in base64url (this one decodes to {len(raw)})")
        return cls(raw)

    def to_text(self) -> str:
        """base64url without padding: what the key file holds. Handle with care."""
        if not self._raw:
            raise SecretError("this process has no master key")
        return base64.urlsafe_b64encode(self._raw).rstrip(b"=").decode("ascii")

    def __repr__(self) -> str:
        return "MasterKey(<hidden>)"

    __str__ = __repr__

    def __reduce__(self) -> str | tuple[object, ...]:
        raise TypeError("a MasterKey cannot be pickled")


def _associated_data(aad: str | bytes, domain: bytes = _DOMAIN) -> bytes:
    return domain + bytes([VERSION]) + (aad.encode("utf-8") if isinstance(aad, str) else aad)


def seal(key_pair: KeyPair, master: MasterKey, *, aad: str | bytes, random_bytes: RandomBytes) -> bytes:
    """Encrypt ``key_pair``'s secret for the key record ``aad`` (its id)."""
    nonce = random_bytes(NONCE_BYTES)
    if len(nonce) != NONCE_BYTES:
        raise SecretError("random_bytes returned the wrong number of bytes")
    plaintext = key_pair.export_secret_multibase().encode("ascii")
    return bytes([VERSION]) + nonce + master._aead.encrypt(nonce, plaintext, _associated_data(aad))


def unseal(blob: bytes, master: MasterKey, *, aad: str | bytes) -> KeyPair:
    """The key pair sealed in ``blob`` for record ``aad``; ``SecretError`` if it does not open."""
    if len(blob) < 1 + NONCE_BYTES + 16 or blob[0] != VERSION:
        raise SecretError("not a sealed key of a version this vcengine reads")
    nonce, ciphertext = blob[1 : 1 + NONCE_BYTES], blob[1 + NONCE_BYTES :]
    try:
        plaintext = master._aead.decrypt(nonce, ciphertext, _associated_data(aad))
    except InvalidTag:
        raise SecretError(
            "the issuer key does not open: wrong master key, or the sealed key was altered "
            "or belongs to another record"
        ) from None
    try:
        return KeyPair.from_secret_multibase(plaintext.decode("ascii"))
    except (InputError, UnicodeDecodeError):
        raise SecretError("the sealed issuer key is not an Ed25519 secret") from None


def derive_key(master: MasterKey, purpose: str) -> bytes:
    """A 32-byte key for one ``purpose`` (HKDF-SHA256 over the master key, RFC 5869), to MAC
    short secrets kept at rest (a transaction code): without the master key a stored MAC says
    nothing about the secret. ``SecretError`` if this process has no master key."""
    if not master._raw:
        raise SecretError("this process has no master key")
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"vcengine/" + purpose.encode())
    return hkdf.derive(master._raw)


_SECRET_DOMAIN = b"vcengine/secret/"


def seal_secret(
    secret: str, master: MasterKey, *, purpose: str, aad: str, random_bytes: RandomBytes
) -> bytes:
    """Seal another secret (a webhook endpoint's signing secret, say) the way issuer keys are:
    ``version || nonce || AES-256-GCM(secret)``, bound to ``purpose`` and the record id ``aad``."""
    nonce = random_bytes(NONCE_BYTES)
    if len(nonce) != NONCE_BYTES:
        raise SecretError("random_bytes returned the wrong number of bytes")
    data = _secret_data(purpose, aad)
    return bytes([VERSION]) + nonce + master._aead.encrypt(nonce, secret.encode("utf-8"), data)


def unseal_secret(blob: bytes, master: MasterKey, *, purpose: str, aad: str) -> str:
    """The secret ``seal_secret`` sealed for ``purpose`` and ``aad``; ``SecretError`` if it does not open."""
    if len(blob) < 1 + NONCE_BYTES + 16 or blob[0] != VERSION:
        raise SecretError("not a sealed secret of a version this vcengine reads")
    nonce, ciphertext = blob[1 : 1 + NONCE_BYTES], blob[1 + NONCE_BYTES :]
    try:
        return master._aead.decrypt(nonce, ciphertext, _secret_data(purpose, aad)).decode("utf-8")
    except (InvalidTag, UnicodeDecodeError):
        raise SecretError(
            f"the sealed {purpose} secret does not open: wrong master key, or it was altered "
            "or belongs to another record"
        ) from None


def _secret_data(purpose: str, aad: str) -> bytes:
    return _SECRET_DOMAIN + bytes([VERSION]) + purpose.encode("utf-8") + b"/" + aad.encode("utf-8")


def load_or_create_master_key(
    env: Mapping[str, str], key_file: Path, random_bytes: RandomBytes
) -> tuple[MasterKey, str]:
    """The master key, and a message for the operator saying where it came from.

    ``env[VCENGINE_MASTER_KEY]`` wins; else ``key_file`` is read; else a new key is written there
    with mode 0600 (its directory created with mode 0700). An existing key file or directory that
    others may read is tightened to 0600 / 0700, and the message says so.
    """
    if value := env.get(ENV_VAR, "").strip():
        return MasterKey.from_text(value), f"master key: from the environment variable {ENV_VAR}"
    try:
        return _read(key_file)
    except FileNotFoundError:
        pass
    key = MasterKey(random_bytes(32))
    try:
        private_dir(key_file.parent)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first: use theirs
        return _read(key_file)
    except OSError as exc:
        raise SecretError(f"cannot create the master key file {key_file}: {exc.strerror}") from None
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(key.to_text() + "\n")
    return key, (
        f"master key: created {key_file} (mode 0600). Back it up and keep it secret: issuer keys "
        f"cannot be decrypted without it. Or set {ENV_VAR} instead."
    )


def _read(key_file: Path) -> tuple[MasterKey, str]:
    try:
        text = key_file.read_text(encoding="ascii")
        old_mode = tighten(key_file, quiet=True)
        if key_file.parent.is_dir():
            tighten(key_file.parent)
    except FileNotFoundError:
        raise
    except (OSError, UnicodeDecodeError) as exc:
        raise SecretError(f"cannot read the master key file {key_file}: {exc}") from None
    message = f"master key: read from {key_file}"
    if old_mode is not None:
        message += (
            f" (warning: it was mode {old_mode:04o}, readable by other users: changed to "
            f"{old_mode & 0o700:04o}; if others could log in here, replace the master key)"
        )
    return MasterKey.from_text(text), message
