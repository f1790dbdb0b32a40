"""Every instance re-signs the service's status lists before ``validUntil`` (issue 12, point 5):
two live instances on one store, a list about to expire, a revocation racing the refreshers —
the list comes back fresh, signed, and with the revocation in it."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import LiveServer
from vcengine.core.dates import parse_date_time
from vcengine.core.status import StatusList
from vcengine.services.ports import StatusListRecord
from vcengine.storage import open_store


async def _stored(data_dir: Path, url: str) -> StatusListRecord:
    store = open_store(data_dir, None)
    await store.start()
    try:
        record = await store.find_status_list_by_url(url)
        assert record is not None
        return record
    finally:
        await store.close()


async def _age(data_dir: Path, url: str, left: timedelta) -> int:
    """Make the stored signed list expire ``left`` from now (as if signed a day ago); its version."""
    store = open_store(data_dir, None)
    await store.start()
    try:
        record = await store.find_status_list_by_url(url)
        assert record is not None and record.credential is not None
        until = (datetime.now(UTC) + left).strftime("%Y-%m-%dT%H:%M:%SZ")
        aged = replace(record, credential={**record.credential, "validUntil": until})
        await store.save_status_list(aged, expected_version=record.version)
        return record.version + 1
    finally:
        await store.close()


def _bit(credential: dict[str, Any], index: int) -> int:
    subject = credential["credentialSubject"]
    return StatusList.decode(subject["encodedList"], purpose=subject["statusPurpose"]).get(index)


def _wait_fresh(data: Path, url: str, after_version: int) -> StatusListRecord:
    """The stored list once it is re-signed (a day of validity) after ``after_version``."""
    deadline = time.monotonic() + 30
    while True:
        record = asyncio.run(_stored(data, url))
        signed = record.credential
        soon = datetime.now(UTC) + timedelta(hours=23)
        if (
            signed is not None
            and parse_date_time(signed["validUntil"]) > soon
            and record.version > after_version
        ):
            return record
        assert time.monotonic() < deadline, record
        time.sleep(0.1)


def test_instances_re_sign_an_expiring_list_and_never_lose_a_revocation(tmp_path: Path) -> None:
    data = tmp_path / "shared"
    first = LiveServer(data, status_refresh_seconds=3600)  # refreshes at start, then not again here
    first.start()
    try:
        issued = first.issued_credential()
        credential = first.client.get(issued["url"], headers={"Accept": "application/ld+json"}).json()
        entry = credential["credentialStatus"]
        url, index = entry["statusListCredential"], int(entry["statusListIndex"])
        assert first.client.get(url).status_code == 200  # signed once, valid for a day
        second = LiveServer(data, status_refresh_seconds=0.2)
        third = LiveServer(data, status_refresh_seconds=0.2)
        second.start()
        third.start()
        try:
            # nobody fetches, nobody changes the list: the refreshers alone re-sign it
            aged = asyncio.run(_age(data, url, timedelta(minutes=10)))
            refreshed = _wait_fresh(data, url, aged)
            assert refreshed.version == aged + 1  # one instance re-signed; the other saw it fresh
            assert refreshed.credential is not None and _bit(dict(refreshed.credential), index) == 0

            # again, with a revocation through the first instance racing the two refreshers
            aged = asyncio.run(_age(data, url, timedelta(minutes=10)))
            first.revoke(issued["id"])
            record = _wait_fresh(data, url, aged)
        finally:
            second.stop()
            third.stop()
    finally:
        first.stop()
    assert record.credential is not None
    assert _bit(dict(record.credential), index) == 1  # the revocation is in the re-signed list
    assert StatusList.decode(record.encoded_list, purpose="revocation").get(index) == 1
    assert record.credential["id"] == url and record.credential["proof"]["proofValue"]


@pytest.mark.parametrize("value", ["0", "-1", "soon"])
def test_the_refresh_interval_must_be_a_positive_number(value: str) -> None:
    from vcengine.api.settings import Settings
    from vcengine.errors import InputError

    with pytest.raises(InputError, match="VCENGINE_STATUS_REFRESH_SECONDS"):
        Settings.from_env({"VCENGINE_STATUS_REFRESH_SECONDS": value})
