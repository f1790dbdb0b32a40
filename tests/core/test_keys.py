from __future__ import annotations

import contextlib
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vcengine.core.keys import KeyPair, PublicKey, public_key_from_did_key
from vcengine.errors import KeyFormatError, SignatureError

KEYS = ("w3c_vc_di_eddsa_testkey", "1edtech_ob_impl_guide_testkey")


@pytest.mark.parametrize("name", KEYS)
def test_every_representation_of_the_test_keys(test_keys: dict, name: str) -> None:
    k = test_keys[name]
    seed = bytes.fromhex(k["seed_hex"])
    pair = KeyPair.from_seed(seed)
    assert pair.public.raw.hex() == k["public_key_hex"]
    assert pair.public.multibase == k["publicKeyMultibase"]
    assert pair.export_secret_multibase() == k["secretKeyMultibase_34byte_form(0x8026+seed)"]
    legacy = k["secretKeyMultibase_66byte_form(0x8026+seed+pub, legacy digitalbazaar)"]
    assert pair.export_secret_multibase(legacy=True) == legacy
    assert pair.public.did_key == k["did_key"]
    assert pair.public.did_key_verification_method == k["did_key_verificationMethod"]
    assert pair.public.jwk() == k["publicKeyJwk"]
    for imported in (
        KeyPair.from_secret_multibase(legacy),
        KeyPair.from_jwk(pair.export_private_jwk()),
        KeyPair.from_key_document(pair.export_multikey()),
        KeyPair.from_key_document(
            {"privateKeyMultibase": legacy, "publicKeyMultibase": k["publicKeyMultibase"]}
        ),
    ):
        assert imported.public == pair.public
    assert public_key_from_did_key(k["did_key_verificationMethod"]) == pair.public
    assert PublicKey.from_jwk(k["publicKeyJwk"]) == pair.public


def test_secret_never_in_repr_or_pickle(test_keys: dict) -> None:
    k = test_keys["w3c_vc_di_eddsa_testkey"]
    pair = KeyPair.from_seed(bytes.fromhex(k["seed_hex"]))
    secret = pair.export_secret_multibase()
    for text in (repr(pair), str(pair), f"{pair}"):
        assert secret not in text and k["seed_hex"] not in text
    with pytest.raises(TypeError):
        pickle.dumps(pair)


def test_sign_and_verify_raise_on_mismatch() -> None:
    pair = KeyPair.from_seed(bytes(range(32)))
    sig = pair.sign(b"message")
    pair.public.verify(sig, b"message")
    with pytest.raises(SignatureError):
        pair.public.verify(sig, b"messagf")
    with pytest.raises(SignatureError):
        pair.public.verify(sig[:63], b"message")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("x6Mk", "starting with 'z'"),
        ("z0OIl", "alphabet"),
        ("z" + "1" * 600, "too long"),
        ("z6LSbysY2xFMRpGMhb7tFTLMpeuPRaqaWM1yECx2AtzE3KCc", "not an Ed25519 key"),  # X25519
    ],
)
def test_bad_public_multibase(value: str, message: str) -> None:
    with pytest.raises(KeyFormatError, match=message):
        PublicKey.from_multibase(value)


def test_bad_secrets_and_jwks() -> None:
    with pytest.raises(KeyFormatError, match="34 \\(seed\\) or 66"):
        from vcengine.core.multibase import ED25519_PRIV, encode_base58btc

        KeyPair.from_secret_multibase(encode_base58btc(ED25519_PRIV + bytes(40)))
    with pytest.raises(KeyFormatError, match="kty=OKP crv=Ed25519"):
        KeyPair.from_jwk({"kty": "EC", "crv": "P-256", "d": "AA"})
    with pytest.raises(KeyFormatError, match="no private part"):
        KeyPair.from_jwk({"kty": "OKP", "crv": "Ed25519", "x": "AA"})
    with pytest.raises(KeyFormatError, match="32"):
        KeyPair.from_jwk({"kty": "OKP", "crv": "Ed25519", "d": "AAAA"})
    with pytest.raises(KeyFormatError, match="does not match"):
        other = KeyPair.from_seed(bytes(32)).public.multibase
        KeyPair.from_key_document(
            {
                "secretKeyMultibase": KeyPair.from_seed(bytes(range(32))).export_secret_multibase(),
                "publicKeyMultibase": other,
            }
        )
    with pytest.raises(KeyFormatError, match="fragment"):
        public_key_from_did_key("did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#other")


@given(st.binary(min_size=32, max_size=32))
def test_round_trip_any_seed(seed: bytes) -> None:
    pair = KeyPair.from_seed(seed)
    assert KeyPair.from_secret_multibase(pair.export_secret_multibase()).public == pair.public
    assert public_key_from_did_key(pair.public.did_key) == pair.public


@given(st.text(max_size=80))
def test_junk_multibase_only_raises_key_format_error(junk: str) -> None:
    with contextlib.suppress(KeyFormatError):
        PublicKey.from_multibase(junk)
