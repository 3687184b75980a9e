"""Versions that survive a deploy: the parser reads every message body an earlier version of the app sent.

tests/fixtures/messages/v1/ holds the exact bodies of schema version 1, one per message type. They stay
readable for good (docs/pipeline.md, "Versions"); a new message type needs its fixture here.
"""

from __future__ import annotations

import json
from pathlib import Path

import azure.functions as func
import pytest

from functions.pipeline import parse
from shared.errors import InvalidInput
from shared.messages import AnalyseScan, CollectTask, Message, PurgeCustomer, ScanRequested

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "messages"
TYPES: dict[str, type[Message]] = {m.__name__: m for m in (ScanRequested, CollectTask, AnalyseScan, PurgeCustomer)}


def test_every_message_type_has_a_version_1_fixture() -> None:
    assert {p.stem for p in (FIXTURES / "v1").glob("*.json")} == set(TYPES) == {
        m.__name__ for m in Message.__subclasses__()}


@pytest.mark.parametrize("name", sorted(TYPES))
def test_version_1_body_is_read_when_a_message_of_the_previous_deploy_arrives(name: str) -> None:
    body = (FIXTURES / "v1" / f"{name}.json").read_bytes()
    message = parse(func.ServiceBusMessage(body=body), TYPES[name])
    assert message.schema_version == 1
    assert message.model_dump(mode="json") == json.loads(body)


@pytest.mark.parametrize("name", sorted(TYPES))
def test_version_1_body_is_what_the_app_sends_today(name: str) -> None:
    body = (FIXTURES / "v1" / f"{name}.json").read_bytes()
    assert TYPES[name].model_validate_json(body).model_dump_json().encode() == body


def test_a_newer_sender_field_is_ignored_when_read_by_this_version() -> None:
    body = json.loads((FIXTURES / "v1" / "CollectTask.json").read_text())
    message = parse(func.ServiceBusMessage(body=json.dumps({**body, "priority": "high"}).encode()), CollectTask)
    assert message.source == "cost"


def test_an_unknown_version_is_refused_when_no_parser_reads_it() -> None:
    body = json.loads((FIXTURES / "v1" / "AnalyseScan.json").read_text())
    with pytest.raises(InvalidInput) as caught:
        parse(func.ServiceBusMessage(body=json.dumps({**body, "schema_version": 2}).encode()), AnalyseScan)
    assert caught.value.fields == {"message": "unknown schema version"}
