"""The local host stands in for Cloudflare: CF-Connecting-IP is the TCP peer, whatever the client sent."""

from __future__ import annotations

from email.message import Message

from local.host.http import CLIENT_ADDRESS_HEADER, _headers


def headers(**values: str) -> Message:
    message = Message()
    for name, value in values.items():
        message[name.replace("_", "-")] = value
    return message


def test_client_address_is_the_peer_when_the_client_sent_none() -> None:
    assert _headers(headers(Accept="*/*"), "127.0.0.2")[CLIENT_ADDRESS_HEADER] == "127.0.0.2"


def test_client_sent_address_is_overwritten_whatever_its_case_when_forwarded() -> None:
    sent = headers(**{"cf_connecting_ip": "198.51.100.1", "CF_CONNECTING_IP": "198.51.100.2"})
    forwarded = _headers(sent, "127.0.0.1")
    assert [v for k, v in forwarded.items() if k.lower() == "cf-connecting-ip"] == ["127.0.0.1"]
