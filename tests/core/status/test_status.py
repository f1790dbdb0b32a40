from __future__ import annotations

import base64
import gzip
import hashlib
import json
import zlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vcengine.core.status import (
    MAX_BITSTRING_BYTES,
    MIN_ENTRIES,
    StatusList,
    StatusMessage,
    status_list_credential,
    status_list_entry,
)
from vcengine.core.status.read import StatusEntry, parse_entry, read_status
from vcengine.errors import InputError, StatusListError, UnsupportedError

VECTORS = Path(__file__).parents[3] / "conformance" / "vectors"
BITSTRING = VECTORS / "bitstring-status-list"
ONE_EDTECH = VECTORS / "1edtech-validator" / "ob30"
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
LIST_URL = "https://example.com/credentials/status/3"


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def set_indexes(status_list: StatusList) -> list[int]:
    bits = int.from_bytes(status_list.bitstring, "big")
    total = len(status_list.bitstring) * 8
    return [total - 1 - i for i in range(total) if bits >> i & 1][::-1]


def encoded(raw: bytes, *, prefix: str = "u") -> str:
    return prefix + base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def list_credential(status_list: StatusList, **overrides: Any) -> dict[str, Any]:
    credential = status_list_credential(
        status_list, id=LIST_URL, issuer="did:example:12345", valid_from=datetime(2021, 4, 5, tzinfo=UTC)
    )
    credential.update(overrides)
    return credential


def entry_for(index: int, purpose: str = "revocation", **extra: Any) -> StatusEntry:
    return parse_entry({**status_list_entry(LIST_URL, index, purpose), **extra})


# --- vectors ----------------------------------------------------------------------------------


@pytest.mark.parametrize("member", ["encodedList_BitstringStatusList", "encodedList_StatusList2021"])
def test_selfgen_vector_both_encodings(member: str) -> None:
    vector = load(BITSTRING / "selfgen-131072bits.json")
    status_list = StatusList.decode(vector[member])
    assert status_list.length == vector["length_bits"] == MIN_ENTRIES
    assert hashlib.sha256(status_list.bitstring).hexdigest() == vector["raw_bitstring_sha256"]
    assert set_indexes(status_list) == vector["set_indexes"]
    assert all(status_list.get(i) == 1 for i in vector["set_indexes"])
    assert all(status_list.get(i) == 0 for i in vector["unset_index_samples"])


def test_selfgen_vector_explicit_legacy_flag() -> None:
    vector = load(BITSTRING / "selfgen-131072bits.json")
    legacy = StatusList.decode(vector["encodedList_StatusList2021"], legacy=True)
    modern = StatusList.decode(vector["encodedList_BitstringStatusList"], legacy=False)
    assert legacy.bitstring == modern.bitstring
    with pytest.raises(StatusListError, match="without"):
        StatusList.decode(vector["encodedList_BitstringStatusList"], legacy=True)
    with pytest.raises(StatusListError, match="with the multibase"):
        StatusList.decode(vector["encodedList_StatusList2021"], legacy=False)


def test_legacy_accepts_standard_base64_alphabet() -> None:
    raw = gzip.compress(bytes([0xFF]) * 16384, mtime=0)
    standard = base64.b64encode(raw).decode()
    assert StatusList.decode(standard, legacy=True).get(131071) == 1


def test_1edtech_testlist_vector_index_23() -> None:
    vector = load(BITSTRING / "1edtech-validator-testlist-index23.json")
    status_list = StatusList.decode(vector["encodedList"])
    assert status_list.length == vector["expected_decoded"]["length_bits"]
    assert set_indexes(status_list) == vector["expected_decoded"]["set_indexes"] == [23]


@pytest.mark.parametrize("name", ["w3c-spec-example-all-zero.json", "statuslist2021-spec-example.json"])
def test_spec_examples_decode_to_all_zero(name: str) -> None:
    vector = load(BITSTRING / name)
    subject = vector["statusListCredential"]["credentialSubject"]
    status_list = StatusList.decode(subject["encodedList"])
    assert status_list.length == vector["expected_decoded"]["length_bits"]
    assert set_indexes(status_list) == vector["expected_decoded"]["set_indexes"] == []


def test_1edtech_bitstring_fixture_is_revoked() -> None:
    credential = load(ONE_EDTECH / "bit-string-list" / "credential-status-revoked.json")
    status_list = load(ONE_EDTECH / "bit-string-list" / "testlist.json")
    entry = parse_entry(credential["credentialStatus"])
    assert (entry.type, entry.index, entry.purpose) == ("BitstringStatusListEntry", 23, "revocation")
    assert any("JSON integer" in note for note in entry.notes)
    result = read_status(entry, status_list, now=NOW)
    assert (result.outcome, result.value, result.valid) == ("revoked", 1, False)
    assert result.checked == (
        "list type",
        "purpose",
        "validity period",
        "encodedList",
        "list length",
        "index range",
    )
    assert result.unchecked == ("list credential proof", "list credential issuer")
    assert any("id differs" in note for note in result.notes)


def test_w3c_example_entry_94567_is_active() -> None:
    credential = load(BITSTRING / "w3c-spec-example-all-zero.json")["statusListCredential"]
    result = read_status(entry_for(94567), credential)
    assert (result.outcome, result.valid) == ("active", True)
    assert "validity period" in result.unchecked


def test_status_list_2021_entry() -> None:
    credential = load(BITSTRING / "statuslist2021-spec-example.json")["statusListCredential"]
    entry = parse_entry(
        {
            "id": f"{LIST_URL}#94567",
            "type": "StatusList2021Entry",
            "statusPurpose": "revocation",
            "statusListIndex": "94567",
            "statusListCredential": LIST_URL,
        }
    )
    assert entry.type == "StatusList2021Entry" and entry.notes == ()
    assert read_status(entry, credential, now=NOW).outcome == "active"
    # a StatusList2021 entry does not accept a BitstringStatusListCredential, and vice versa
    bitstring_credential = load(BITSTRING / "w3c-spec-example-all-zero.json")["statusListCredential"]
    assert read_status(entry, bitstring_credential).outcome == "indeterminate"
    assert read_status(entry_for(1), credential).outcome == "indeterminate"


def test_1edtech_revocation_list_is_recognised_not_checked() -> None:
    credential = load(ONE_EDTECH / "credential-status-revoked.json")
    entry = parse_entry(credential["credentialStatus"])
    assert entry.type == "1EdTechRevocationList"
    assert entry.list_credential == credential["credentialStatus"]["id"] and entry.index is None
    result = read_status(entry, {})
    assert result.outcome == "indeterminate" and result.code is None
    assert "1EdTechRevocationList" in (result.reason or "") and result.valid is None


# --- the value object -------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    size=st.sampled_from([1, 2, 4, 8]),
    data=st.data(),
)
def test_round_trip(size: int, data: st.DataObject) -> None:
    messages = [StatusMessage(v, f"m{v}") for v in range(1 << size)] if size > 1 else []
    changes = data.draw(
        st.dictionaries(st.integers(0, MIN_ENTRIES - 1), st.integers(0, (1 << size) - 1), max_size=60)
    )
    base = StatusList.create(purpose="suspension", status_size=size, status_messages=messages)
    changed = base.with_changes(changes)
    text = changed.encode()
    assert text.startswith("uH4sI") and "=" not in text
    assert text == changed.encode()  # deterministic gzip (mtime 0)
    back = StatusList.decode(text, status_size=size, purpose="suspension")
    assert back.bitstring == changed.bitstring and back.length == MIN_ENTRIES
    for index, value in changes.items():
        assert back.get(index) == value
    assert sum(1 for i in range(0, MIN_ENTRIES, 997) if back.get(i)) == sum(
        1 for i in range(0, MIN_ENTRIES, 997) if changes.get(i)
    )
    assert base.bitstring == bytes(len(base.bitstring))  # the original is untouched


def test_bit_order_msb_first_and_multibit_big_endian() -> None:
    assert StatusList.create().set(0).bitstring[:1] == b"\x80"
    assert StatusList.create().set(7).bitstring[:1] == b"\x01"
    two = StatusList.create(status_size=2, purpose="suspension", status_messages=_messages(2))
    assert two.set(1, 0b10).bitstring[:1] == b"\x20"
    three = StatusList.create(status_size=3, purpose="suspension", status_messages=_messages(3))
    changed = three.set(2, 0b101)  # bits 6..8 span bytes 0 and 1
    assert changed.bitstring[:2] == b"\x02\x80" and changed.get(2) == 5 and changed.get(1) == 0


def _messages(size: int) -> list[StatusMessage]:
    return [StatusMessage(v, f"status {v}") for v in range(1 << size)]


def test_create_refuses_small_lists_but_decode_accepts_them() -> None:
    with pytest.raises(StatusListError, match="herd privacy"):
        StatusList.create(MIN_ENTRIES - 1)
    small = StatusList.decode(encoded(gzip.compress(b"\x00\x10", mtime=0)))
    assert (small.length, small.get(11), small.meets_minimum) == (16, 1, False)
    credential = {
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "credentialSubject": {
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encoded(gzip.compress(b"\x00\x10")),
        },
    }
    result = read_status(entry_for(11), credential)
    assert result.outcome == "revoked" and any("fewer than" in n for n in result.notes)


def test_create_validates_status_size_and_messages() -> None:
    with pytest.raises(StatusListError, match="statusMessage must be present"):
        StatusList.create(status_size=2)
    with pytest.raises(StatusListError, match="one message for each"):
        StatusList.create(status_size=2, status_messages=_messages(2)[:3])
    with pytest.raises(StatusListError, match="statusSize"):
        StatusList.create(status_size=9)
    with pytest.raises(StatusListError, match="statusPurpose"):
        StatusList.create(purpose="fun")
    with pytest.raises(StatusListError, match="limited"):
        StatusList.create(MAX_BITSTRING_BYTES * 8 + 1)


def test_revocation_is_not_reversible_but_suspension_is() -> None:
    revoked = StatusList.create().set(5)
    with pytest.raises(StatusListError, match="not reversible"):
        revoked.set(5, 0)
    assert revoked.set(5, 1).get(5) == 1  # setting again is fine
    suspended = StatusList.create(purpose="suspension").set(5)
    assert suspended.set(5, 0).get(5) == 0


@pytest.mark.parametrize("bad", [-1, MIN_ENTRIES, True, "3"])
def test_index_out_of_range_raises_on_the_value_object(bad: Any) -> None:
    with pytest.raises(StatusListError, match="out of range"):
        StatusList.create().get(bad)
    with pytest.raises(StatusListError, match="out of range"):
        StatusList.create().set(bad)


@pytest.mark.parametrize("value", [2, -1, True])
def test_value_must_fit_status_size(value: Any) -> None:
    with pytest.raises(StatusListError, match="status value"):
        StatusList.create(purpose="suspension").set(0, value)


# --- hostile encodedList ----------------------------------------------------------------------


def test_gzip_bomb_is_refused_quickly() -> None:
    bomb = encoded(gzip.compress(bytes(64 * 1024 * 1024), compresslevel=9, mtime=0))
    assert len(bomb) < 100_000
    # bounded by construction: inflation stops at the limit (speed is benchmarks/bench_status.py's job)
    with pytest.raises(StatusListError, match="inflates beyond"):
        StatusList.decode(bomb)
    with pytest.raises(StatusListError, match="inflates beyond"):
        StatusList.decode(encoded(gzip.compress(bytes(20_000))), max_bytes=16_384)


def test_oversize_encoded_list_is_refused_before_decoding() -> None:
    with pytest.raises(StatusListError, match="too large"):
        StatusList.decode("u" + "A" * 10_000_000)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("u!!!!", "not valid base64url"),
        ("uH4s I", "not valid base64url"),
        ("uH4sI+AAA", "'\\+' or '/'"),
        ("uH4sIé", "not base64url"),
        ("uH4sI=AAA", "not valid base64url"),
        ("uA", "not valid base64url"),
        ("uAAAAAAAA", "not valid GZIP"),
        (encoded(zlib.compress(bytes(16384))), "not valid GZIP"),
        (encoded(gzip.compress(bytes(16384))[:-6]), "truncated"),
        (encoded(gzip.compress(bytes(16384)) + b"junk"), "after the GZIP"),
        (encoded(gzip.compress(b"")), "empty"),
        ("", "with the multibase"),
    ],
)
def test_garbage_encoded_list(text: str, match: str) -> None:
    with pytest.raises(StatusListError, match=match):
        StatusList.decode(text, legacy=False)


def test_non_string_encoded_list() -> None:
    with pytest.raises(StatusListError, match="must be a string"):
        StatusList.decode(None)  # type: ignore[arg-type]


def test_status_list_error_is_an_input_error() -> None:
    assert issubclass(StatusListError, InputError)


# --- documents --------------------------------------------------------------------------------


def test_status_list_credential_document() -> None:
    status_list = StatusList.create().set(42)
    credential = status_list_credential(
        status_list,
        id=LIST_URL,
        issuer={"id": "did:example:12345", "type": ["Profile"]},
        valid_from=datetime(2026, 1, 1, tzinfo=UTC),
        valid_until=datetime(2027, 1, 1, tzinfo=UTC),
        purpose="revocation",
        ttl=300_000,
    )
    assert credential == {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": LIST_URL,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": {"id": "did:example:12345", "type": ["Profile"]},
        "validFrom": "2026-01-01T00:00:00Z",
        "validUntil": "2027-01-01T00:00:00Z",
        "credentialSubject": {
            "id": f"{LIST_URL}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": status_list.encode(),
            "ttl": 300_000,
        },
    }
    with pytest.raises(StatusListError, match="differs"):
        status_list_credential(status_list, id=LIST_URL, issuer="did:x", valid_from=NOW, purpose="suspension")


def test_status_list_entry_document() -> None:
    assert status_list_entry(LIST_URL, 94567, "revocation") == {
        "id": f"{LIST_URL}#94567",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "94567",
        "statusListCredential": LIST_URL,
    }
    multi = status_list_entry(LIST_URL, 3, "message", status_size=2, status_messages=_messages(2))
    assert multi["statusSize"] == 2
    assert multi["statusMessage"][:2] == [
        {"status": "0x0", "message": "status 0"},
        {"status": "0x1", "message": "status 1"},
    ]
    with pytest.raises(StatusListError):
        status_list_entry(LIST_URL, -1, "revocation")
    with pytest.raises(StatusListError):
        status_list_entry(LIST_URL, 1, "fun")
    with pytest.raises(StatusListError, match="statusMessage must be present"):
        status_list_entry(LIST_URL, 1, "message", status_size=2)


def test_documents_are_json_ld_safe() -> None:
    canonicalize = pytest.importorskip("vcengine.core.canonicalize")
    status_list = StatusList.create(purpose="message", status_size=2, status_messages=_messages(2))
    credential = list_credential(status_list)
    credential["credentialStatus"] = status_list_entry(
        "https://example.com/status/7", 9, "message", status_size=2, status_messages=_messages(2)
    )
    nquads = canonicalize.rdfc_nquads_reference(credential)
    assert "https://www.w3.org/ns/credentials/status#statusSize" in nquads
    assert "https://www.w3.org/ns/credentials/status#encodedList" in nquads


def test_message_purpose_with_status_messages() -> None:
    messages = [
        StatusMessage(0, "pending_review"),
        StatusMessage(1, "accepted"),
        StatusMessage(2, "rejected"),
        StatusMessage(3, "undefined"),
    ]
    status_list = StatusList.create(purpose="message", status_size=2, status_messages=messages)
    credential = list_credential(status_list.with_changes({9: 2, 10: 1}))
    document = status_list_entry(LIST_URL, 9, "message", status_size=2, status_messages=messages)
    result = read_status(parse_entry(document), credential)
    assert (result.outcome, result.value, result.message) == ("message", 2, "rejected")
    untouched = read_status(parse_entry({**document, "statusListIndex": "11"}), credential)
    assert (untouched.outcome, untouched.message, untouched.valid) == ("message", "pending_review", True)


def test_single_bit_message_defaults_to_set_and_unset() -> None:
    credential = list_credential(StatusList.create(purpose="message").set(4))
    assert read_status(entry_for(4, "message"), credential).message == "set"
    assert read_status(entry_for(5, "message"), credential).message == "unset"


def test_suspension_and_refresh_outcomes() -> None:
    suspended = list_credential(StatusList.create(purpose="suspension").set(8))
    assert read_status(entry_for(8, "suspension"), suspended).outcome == "suspended"
    refresh = list_credential(StatusList.create(purpose="refresh").set(8))
    assert read_status(entry_for(8, "refresh"), refresh).outcome == "refresh"


# --- read_status: indeterminate outcomes ------------------------------------------------------


def test_out_of_range_index_is_indeterminate() -> None:
    result = read_status(entry_for(MIN_ENTRIES), list_credential(StatusList.create()))
    assert (result.outcome, result.code, result.valid) == ("indeterminate", "RANGE_ERROR", None)
    assert "index range" not in result.checked and "list length" in result.checked


def test_multibit_range_counts_entries_not_bits() -> None:
    status_list = StatusList.create(status_size=2, purpose="message", status_messages=_messages(2))
    document = status_list_entry(
        LIST_URL, MIN_ENTRIES - 1, "message", status_size=2, status_messages=_messages(2)
    )
    assert read_status(parse_entry(document), list_credential(status_list)).outcome == "message"
    over = parse_entry({**document, "statusListIndex": str(MIN_ENTRIES)})
    assert read_status(over, list_credential(status_list)).code == "RANGE_ERROR"


def test_purpose_mismatch_is_indeterminate() -> None:
    result = read_status(entry_for(1, "suspension"), list_credential(StatusList.create()))
    assert (result.outcome, result.code) == ("indeterminate", "STATUS_VERIFICATION_ERROR")
    assert "purpose" in (result.reason or "") and result.checked == ("list type",)


def test_list_with_several_purposes() -> None:
    credential = list_credential(StatusList.create(purpose="suspension").set(3))
    credential["credentialSubject"]["statusPurpose"] = ["revocation", "suspension"]
    assert read_status(entry_for(3, "suspension"), credential).outcome == "suspended"


@pytest.mark.parametrize(
    "overrides",
    [
        {"type": ["VerifiableCredential"]},
        {"type": "BitstringStatusListCredential", "credentialSubject": {"type": "StatusList2021"}},
        {"credentialSubject": "nope"},
    ],
)
def test_wrong_list_type_is_indeterminate(overrides: dict[str, Any]) -> None:
    result = read_status(entry_for(1), list_credential(StatusList.create(), **overrides))
    assert (result.outcome, result.code) == ("indeterminate", "STATUS_VERIFICATION_ERROR")


def test_validity_period_against_injected_now() -> None:
    status_list = StatusList.create()
    expired = list_credential(status_list, validUntil="2026-01-01T00:00:00Z")
    result = read_status(entry_for(1), expired, now=NOW)
    assert result.outcome == "indeterminate" and "expired" in (result.reason or "")
    assert read_status(entry_for(1), expired).outcome == "active"  # no clock, not checked
    future = list_credential(status_list, validFrom="2030-01-01T00:00:00Z")
    assert "not yet valid" in (read_status(entry_for(1), future, now=NOW).reason or "")
    legacy = list_credential(status_list, expirationDate="2020-01-01T00:00:00")  # naive: UTC
    assert read_status(entry_for(1), legacy, now=NOW).outcome == "indeterminate"
    garbage = list_credential(status_list, validUntil="tomorrow")
    assert "not a dateTime" in (read_status(entry_for(1), garbage, now=NOW).reason or "")
    with pytest.raises(StatusListError, match="timezone-aware"):
        read_status(entry_for(1), expired, now=datetime(2026, 1, 1))


@pytest.mark.parametrize("bad", ["uAAAA", 42, None, "u" + "A" * 10_000_000])
def test_malformed_list_is_indeterminate(bad: Any) -> None:
    credential = list_credential(StatusList.create())
    credential["credentialSubject"]["encodedList"] = bad
    result = read_status(entry_for(1), credential)
    assert (result.outcome, result.code) == ("indeterminate", "MALFORMED_VALUE_ERROR")


def test_unprefixed_list_behind_a_bitstring_entry_is_read_with_a_note() -> None:
    credential = list_credential(StatusList.create().set(2))
    credential["credentialSubject"]["encodedList"] = credential["credentialSubject"]["encodedList"][1:]
    result = read_status(entry_for(2), credential)
    assert result.outcome == "revoked" and any("'u' prefix" in n for n in result.notes)


def test_unknown_purpose_is_indeterminate() -> None:
    result = read_status(entry_for(1, statusPurpose="audit"), list_credential(StatusList.create()))
    assert result.outcome == "indeterminate" and result.code is None


# --- parse_entry ------------------------------------------------------------------------------


@pytest.mark.parametrize("index", ["-1", "1.0", " 1", "0x10", "", True, -3, 1.5, None, "1" * 31])
def test_parse_entry_rejects_bad_indexes(index: Any) -> None:
    with pytest.raises(StatusListError, match="statusListIndex"):
        parse_entry({**status_list_entry(LIST_URL, 0, "revocation"), "statusListIndex": index})


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"statusListCredential": None}, "URL"),
        ({"statusPurpose": ""}, "statusPurpose"),
        ({"statusSize": 0}, "statusSize"),
        ({"statusSize": "2"}, "statusSize"),
        ({"statusMessage": {"status": "0x0"}}, "array"),
        ({"statusMessage": [{"status": "1", "message": "x"}]}, "hex"),
        ({"statusMessage": [{"status": "0x1"}]}, "message"),
    ],
)
def test_parse_entry_rejects_malformed_members(change: dict[str, Any], match: str) -> None:
    with pytest.raises(StatusListError, match=match) as info:
        parse_entry({**status_list_entry(LIST_URL, 0, "revocation"), **change})
    assert info.value.path is not None and info.value.path.startswith("$.credentialStatus")


def test_parse_entry_types() -> None:
    with pytest.raises(UnsupportedError):
        parse_entry({"type": "CredentialStatusList2017", "id": LIST_URL})
    with pytest.raises(StatusListError):
        parse_entry(["not", "a", "mapping"])  # type: ignore[arg-type]
    typed_list = parse_entry(
        {**status_list_entry(LIST_URL, 7, "revocation"), "type": ["BitstringStatusListEntry"]}
    )
    assert typed_list.index == 7 and typed_list.notes == ()
    same_id = parse_entry({**status_list_entry(LIST_URL, 7, "revocation"), "id": LIST_URL})
    assert any("must not be the status list URL" in n for n in same_id.notes)
    no_messages = parse_entry({**status_list_entry(LIST_URL, 7, "suspension"), "statusSize": 2})
    assert any("without statusMessage" in n for n in no_messages.notes)


def test_decode_plus_read_is_repeatable() -> None:
    """Its speed is measured in benchmarks/bench_status.py, never asserted here."""
    text = load(BITSTRING / "selfgen-131072bits.json")["encodedList_BitstringStatusList"]
    values = {StatusList.decode(text).get(94567) for _ in range(20)}
    assert len(values) == 1
