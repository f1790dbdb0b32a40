from __future__ import annotations

from datetime import UTC, datetime

from vcengine.core.keys import KeyPair
from vcengine.core.resolve import OfflineResolver, ResolvedKey
from vcengine.core.status import StatusList, status_list_entry
from vcengine.core.status.check import status_checker
from vcengine.core.status.publish import publish

NOW = datetime(2026, 11, 27, tzinfo=UTC)
KEY = KeyPair.from_seed(bytes(range(32)))
OTHER = KeyPair.from_seed(bytes(range(5, 37)))
URL = "https://issuer.example/status/1"


def _list(bits: dict[int, int], key: KeyPair = KEY) -> dict:
    return publish(
        StatusList.create().with_changes(bits),
        url=URL,
        issuer=KEY.public.did_key,
        key=key,
        verification_method=key.public.did_key_verification_method,
        now=NOW,
    )


def _credential(index: int) -> dict:
    return {"issuer": KEY.public.did_key, "credentialStatus": status_list_entry(URL, index, "revocation")}


class CountingResolver(OfflineResolver):
    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def __call__(self, verification_method: str) -> ResolvedKey:
        self.calls += 1
        return super().__call__(verification_method)


def test_outcomes_and_the_verified_list_cache() -> None:
    lists = {URL: _list({3: 1})}
    keys, cache = CountingResolver(), {}
    check = status_checker(lists.__getitem__, keys, cache)
    assert check(_credential(3), NOW).code == "revoked"
    assert check(_credential(4), NOW).outcome == "pass"
    assert keys.calls == 1, "the same signed list is verified once"
    lists[URL] = _list({3: 1, 4: 1})  # re-signed: a new proof value, verified again
    assert check(_credential(4), NOW).code == "revoked"
    assert keys.calls == 2


class ClearedMeanwhile(dict[str, str | None]):
    """A cache another thread empties between a membership test and the read that follows it."""

    def __contains__(self, key: object) -> bool:
        return True


def test_a_cache_cleared_by_another_thread_is_read_once_and_refilled() -> None:
    lists, cache = {URL: _list({3: 1})}, ClearedMeanwhile()
    check = status_checker(lists.__getitem__, OfflineResolver(), cache)
    assert check(_credential(3), NOW).code == "revoked"  # not a KeyError
    assert len(cache) == 1


def test_a_list_signed_by_another_key_is_never_trusted_even_with_a_cache() -> None:
    forged = _list({}, key=OTHER)  # claims KEY's did:key as issuer, signed by OTHER
    cache: dict[str, str | None] = {}
    check = status_checker(lambda url: forged, OfflineResolver(), cache)
    for _ in range(2):
        result = check(_credential(3), NOW)
        assert result.outcome == "indeterminate" and result.code == "status-list-untrusted"


def test_no_list_resolver_means_unchecked() -> None:
    result = status_checker(None, OfflineResolver())(_credential(1), NOW)
    assert (result.outcome, result.code) == ("indeterminate", "status-unchecked")
