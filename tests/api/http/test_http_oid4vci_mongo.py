"""The wallet flows on a MongoDB-backed server (nx-27017, or ``VCENGINE_TEST_MONGODB_URI``): the
independent OID4VCI wallet with a transaction code, then the same offer refused to a second
wallet, and a VC API exchange — every state change of offers, tokens and nonces on MongoDB."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.conftest import LiveServer
from tests.api.http.test_http_oid4vci_wallet import digital_bazaar, offer_for, run_wallet, verify, wallet
from tests.api.http.test_http_vc_api_exchanges import run
from tests.storage.stores import database_name, mongo_uri
from vcengine.api.settings import Secret

__all__ = ["digital_bazaar", "mongo_uri", "wallet"]  # fixtures, imported for these tests


@pytest.fixture(scope="module")
def on_mongo(tmp_path_factory: pytest.TempPathFactory, mongo_uri: str) -> Iterator[LiveServer]:
    server = LiveServer(
        tmp_path_factory.mktemp("wallets-mongo"), mongodb_uri=Secret(f"{mongo_uri}/{database_name()}")
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_an_offer_with_a_tx_code_is_taken_once_on_mongodb(on_mongo: LiveServer, wallet: Path) -> None:
    credential = on_mongo.issued_credential()
    offer = offer_for(on_mongo, credential["id"], txCode=True)
    got = run_wallet(
        wallet, offer=offer["openid4vciOfferByValueUri"], txCode=offer["txCode"], keys=["p256-jwk"]
    )
    (ldp, jwt) = got["results"]
    assert verify(on_mongo, credential=ldp["credentials"][0])["verdict"] == "VERIFIED"
    assert verify(on_mongo, jwt=jwt["credentials"][0])["verdict"] == "VERIFIED"
    assert ldp["credentials"][0]["credentialSubject"]["id"].startswith("did:jwk:")
    with pytest.raises(AssertionError, match="invalid_grant"):
        run_wallet(
            wallet, offer=offer["openid4vciOfferByValueUri"], txCode=offer["txCode"], keys=["ed25519-did"]
        )


def test_a_vc_api_exchange_on_mongodb(on_mongo: LiveServer, digital_bazaar: Path) -> None:
    credential = on_mongo.issued_credential()
    offer = offer_for(on_mongo, credential["id"])
    exchange = offer["credentialOfferUri"].replace("/oid4vci/offers/", "/exchanges/")
    got = run(digital_bazaar, exchange=exchange, suite="Ed25519Signature2020")
    assert got["status"] == 200, got["response"]
    (received,) = got["response"]["verifiablePresentation"]["verifiableCredential"]
    assert received["credentialSubject"]["id"] == got["holder"]
