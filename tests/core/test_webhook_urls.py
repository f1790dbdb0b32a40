"""Which webhook URLs and addresses are accepted, with and without dev mode."""

from __future__ import annotations

import pytest

from vcengine.core.webhook_urls import check_address, check_endpoint_url
from vcengine.errors import InputError

REFUSED_ADDRESSES = [
    "127.0.0.1", "127.8.9.1", "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254", "100.64.0.1",
    "0.0.0.0", "224.0.0.1", "255.255.255.255", "240.0.0.1", "::1", "::", "fe80::1", "fc00::1",
    "::ffff:10.0.0.1", "::ffff:127.0.0.1", "2002:a00:1::", "ff02::1", "fe80::1%eth0",
]  # fmt: skip


@pytest.mark.parametrize("address", REFUSED_ADDRESSES)
def test_private_loopback_link_local_and_reserved_addresses_are_refused(address: str) -> None:
    with pytest.raises(InputError, match="public addresses"):
        check_address(address)


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c", "8.8.8.8"])
def test_public_addresses_are_accepted(address: str) -> None:
    check_address(address)


def test_dev_mode_accepts_loopback_but_still_not_private_networks() -> None:
    check_address("127.0.0.1", allow_loopback=True)
    check_address("::1", allow_loopback=True)
    with pytest.raises(InputError):
        check_address("10.0.0.1", allow_loopback=True)
    with pytest.raises(InputError, match="not an IP address"):
        check_address("example.com")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://hooks.example.com/", "must be https"),
        ("ftp://hooks.example.com/", "must be https"),
        ("https:///path", "no host"),
        ("https://u@hooks.example.com/", "user name or password"),
        ("https://hooks.example.com/#x", "fragment"),
        ("https://hooks.example.com:0/", "port 0"),
        ("https://hooks.example.com:99999/", "not a URL"),
        ("https://[::1/", "not a URL"),
        ("https://localhost/", "only with vcengine serve --dev"),
        ("https://api.localhost/", "only with vcengine serve --dev"),
        ("https://192.168.0.10/", "public addresses"),
        ("https://" + "a" * 2050 + ".example/", "longer than 2048"),
    ],
)
def test_bad_urls_say_what_is_wrong(url: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as caught:
        check_endpoint_url(url)
    assert caught.value.path == "url"


def test_good_urls_come_back_as_they_will_be_used() -> None:
    assert check_endpoint_url(" https://hooks.example.com/a?b=1 ") == "https://hooks.example.com/a?b=1"
    assert check_endpoint_url("http://127.0.0.1:8080/h", allow_loopback=True) == "http://127.0.0.1:8080/h"
    assert check_endpoint_url("http://localhost:8080/h", allow_loopback=True) == "http://localhost:8080/h"
