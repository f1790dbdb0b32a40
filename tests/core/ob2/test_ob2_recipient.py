"""IdentityHash: reproduces the 1EdTech sample's hash and matches identities with their salt."""

from __future__ import annotations

import pytest

from vcengine.core.ob2.assertion import IdentityObject
from vcengine.core.ob2.recipient import identity_hash, matches

ONE_EDTECH = "sha256$ecf5409f3f4b91ab60cc5ef4c02aef7032354375e70cf4d8e43f6a1d29891942"


def test_reproduces_the_1edtech_recipient_hash() -> None:
    # basic-assertion.json and simple-badge.png: sha256("nobody@example.org" + "deadsea")
    assert identity_hash("nobody@example.org", "deadsea", "sha256") == ONE_EDTECH


def test_hashed_salted_identity() -> None:
    recipient = IdentityObject("email", ONE_EDTECH, True, "deadsea")
    assert matches(recipient, "nobody@example.org")
    assert matches(recipient, " Nobody@Example.org ")  # issuers hash the lower-cased address
    assert not matches(recipient, "somebody@example.org")
    assert not matches(IdentityObject("email", ONE_EDTECH, True, ""), "nobody@example.org")


def test_md5_and_upper_case_hex() -> None:
    md5 = identity_hash("+16175551212", "", "md5")
    assert md5 == "md5$" + __import__("hashlib").md5(b"+16175551212").hexdigest()
    assert matches(IdentityObject("telephone", md5.upper().replace("MD5$", "md5$"), True), "+16175551212")


def test_plain_identity_is_compared_as_is() -> None:
    recipient = IdentityObject("url", "https://ada.example/", False)
    assert matches(recipient, "https://ada.example/")
    assert not matches(recipient, "https://ADA.example/")


def test_unknown_algorithm_is_refused() -> None:
    with pytest.raises(ValueError, match="sha256 or md5"):
        identity_hash("x", "", "sha1")
