from __future__ import annotations

import os
import pickle
import secrets
import stat
from pathlib import Path

import pytest

from vcengine.core.keys import KeyPair
from vcengine.errors import SecretError
from vcengine.services.keystore import ENV_VAR, MasterKey, load_or_create_master_key, seal, unseal

PAIR = KeyPair.from_seed(bytes(range(32)))
MASTER = MasterKey(b"\x07" * 32)


def sealed(aad: str = "key-1", master: MasterKey = MASTER) -> bytes:
    return seal(PAIR, master, aad=aad, random_bytes=secrets.token_bytes)


def test_round_trip() -> None:
    blob = sealed()
    assert blob[0] == 1 and len(blob) == 1 + 12 + len(PAIR.export_secret_multibase()) + 16
    opened = unseal(blob, MASTER, aad="key-1")
    assert opened.export_secret_multibase() == PAIR.export_secret_multibase()
    assert PAIR.export_secret_multibase().encode() not in blob
    assert sealed() != blob  # a fresh nonce each time


def test_wrong_master_key() -> None:
    with pytest.raises(SecretError, match="wrong master key"):
        unseal(sealed(), MasterKey(b"\x08" * 32), aad="key-1")


def test_a_ciphertext_does_not_open_for_another_record() -> None:
    with pytest.raises(SecretError, match="another record"):
        unseal(sealed("key-1"), MASTER, aad="key-2")


@pytest.mark.parametrize("where", [0, 1, 13, -1])
def test_tampering_is_detected(where: int) -> None:
    blob = bytearray(sealed())
    blob[where] ^= 0x01
    with pytest.raises(SecretError):
        unseal(bytes(blob), MASTER, aad="key-1")
    with pytest.raises(SecretError):
        unseal(bytes(blob[:20]), MASTER, aad="key-1")


def test_an_unavailable_master_key_seals_and_opens_nothing() -> None:
    missing = MasterKey.unavailable("no master key here: set VCENGINE_MASTER_KEY")
    with pytest.raises(SecretError, match="no master key here"):
        sealed(master=missing)
    with pytest.raises(SecretError, match="no master key here"):
        unseal(sealed(), missing, aad="key-1")
    with pytest.raises(SecretError):
        missing.to_text()
    assert repr(missing) == "MasterKey(<hidden>)"


def test_the_master_key_never_shows() -> None:
    key = MasterKey(b"\xab" * 32)
    for text in (repr(key), str(key), f"{key}", repr([key])):
        assert "MasterKey(<hidden>)" in text and key.to_text() not in text and "abab" not in text
    with pytest.raises(TypeError):
        pickle.dumps(key)


def test_malformed_master_keys() -> None:
    for text in ("", "not base64!", "AAAA", MasterKey(b"\x01" * 32).to_text() + "AAAA"):
        with pytest.raises(SecretError, match="32 bytes"):
            MasterKey.from_text(text)
    with pytest.raises(SecretError):
        MasterKey(b"short")


def test_created_on_first_start_with_mode_0600(tmp_path: Path) -> None:
    key_file = tmp_path / "data" / "master.key"
    old_umask = os.umask(0)  # the modes do not depend on the umask
    try:
        key, message = load_or_create_master_key({}, key_file, secrets.token_bytes)
    finally:
        os.umask(old_umask)
    assert "created" in message and str(key_file) in message
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_file.parent.stat().st_mode) == 0o700
    again, message = load_or_create_master_key({}, key_file, secrets.token_bytes)
    assert "read from" in message and "warning" not in message
    assert again.to_text() == key.to_text()
    assert unseal(sealed(master=key), again, aad="key-1").public.multibase == PAIR.public.multibase


def test_the_environment_wins(tmp_path: Path) -> None:
    key_file = tmp_path / "master.key"
    load_or_create_master_key({}, key_file, secrets.token_bytes)
    env_key = MasterKey(b"\x42" * 32)
    key, message = load_or_create_master_key({ENV_VAR: env_key.to_text()}, key_file, secrets.token_bytes)
    assert key.to_text() == env_key.to_text() and ENV_VAR in message
    assert env_key.to_text() not in message
    with pytest.raises(SecretError):
        load_or_create_master_key({ENV_VAR: "nope"}, key_file, secrets.token_bytes)


def test_an_unprotected_or_unreadable_key_file(tmp_path: Path) -> None:
    key_file = tmp_path / "master.key"
    key_file.write_text(MasterKey(b"\x01" * 32).to_text())
    os.chmod(key_file, 0o644)
    os.chmod(tmp_path, 0o755)
    _, message = load_or_create_master_key({}, key_file, secrets.token_bytes)
    assert "warning: it was mode 0644" in message and "changed to 0600" in message
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600 and stat.S_IMODE(tmp_path.stat().st_mode) == 0o700
    _, message = load_or_create_master_key({}, key_file, secrets.token_bytes)
    assert "warning" not in message
    key_file.write_text("garbage")
    with pytest.raises(SecretError):
        load_or_create_master_key({}, key_file, secrets.token_bytes)
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(SecretError, match="master key file"):
        load_or_create_master_key({}, blocker / "master.key", secrets.token_bytes)
