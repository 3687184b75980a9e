"""The domain's states and moves: exactly the table of docs/onboarding-design.md §1, and the scan states."""

from __future__ import annotations

import itertools

import pytest

from shared.domain import (
    CAN_OFFBOARD,
    CUSTOMER_STATES,
    CUSTOMER_TRANSITIONS,
    FINISHED,
    IN_FLIGHT,
    SCAN_TRANSITIONS,
    SCANNABLE,
    check_customer_move,
    check_scan_moves,
    customer_state,
)
from shared.errors import Conflict, IllegalTransition
from shared.ids import customer_hash, is_guid, is_hex32, is_scan_id
from tests.unit.fakes import a_customer

# docs/onboarding-design.md §1, written out pair by pair.
DESIGNED = {
    ("pending_proof", "awaiting_roles"), ("pending_proof", "active"), ("pending_proof", "deleted"),
    ("awaiting_roles", "active"), ("awaiting_roles", "awaiting_roles"), ("awaiting_roles", "offboarding"),
    ("active", "access_revoked"), ("active", "offboarding"),
    ("access_revoked", "active"), ("access_revoked", "awaiting_roles"), ("access_revoked", "offboarding"),
    ("pending_proof", "offboarding"), ("offboarding", "deleted"),
}


def test_customer_states_are_the_six_of_the_design() -> None:
    assert CUSTOMER_STATES == ("pending_proof", "awaiting_roles", "active", "access_revoked", "offboarding",
                               "deleted")


def test_every_customer_move_is_allowed_exactly_when_the_design_lists_it() -> None:
    allowed = {(a, b) for a, moves in CUSTOMER_TRANSITIONS.items() for b in moves}
    assert allowed == DESIGNED
    for current, new in itertools.product(CUSTOMER_STATES, repeat=2):
        if (current, new) in DESIGNED:
            check_customer_move(current, new)
        else:
            with pytest.raises(IllegalTransition):
                check_customer_move(current, new)


def test_a_refused_move_is_a_conflict_when_answered_over_http() -> None:
    assert issubclass(IllegalTransition, Conflict)


def test_only_active_customers_scan_and_offboarding_starts_from_every_live_state() -> None:
    assert {"active"} == SCANNABLE
    assert {"pending_proof", "awaiting_roles", "active", "access_revoked"} == CAN_OFFBOARD


@pytest.mark.parametrize(("state", "active", "leaving"), [
    ("pending_proof", False, False), ("awaiting_roles", False, False), ("active", True, False),
    ("access_revoked", False, False), ("offboarding", False, True), ("deleted", False, True)])
def test_customer_says_whether_it_scans_or_is_leaving(state: str, active: bool, leaving: bool) -> None:
    customer = a_customer(state=state)  # type: ignore[arg-type]
    assert (customer.is_active, customer.is_leaving) == (active, leaving)


def test_a_stored_state_is_refused_when_the_domain_does_not_know_it() -> None:
    assert customer_state("access_revoked") == "access_revoked"
    with pytest.raises(ValueError):
        customer_state("suspended")


def test_scans_move_forward_only_when_transitioned() -> None:
    assert set(SCAN_TRANSITIONS) == IN_FLIGHT | FINISHED
    assert all(not SCAN_TRANSITIONS[s] for s in FINISHED)
    check_scan_moves({"queued", "collecting", "analysing"}, "failed")
    check_scan_moves({"analysing"}, "analysing")
    for bad_from, to in (({"queued"}, "analysing"), ({"collecting"}, "complete"), ({"failed"}, "queued")):
        with pytest.raises(IllegalTransition):
            check_scan_moves(bad_from, to)  # type: ignore[arg-type]


def test_ids_are_checked_by_their_one_pattern() -> None:
    assert is_hex32("0" * 32) and not is_hex32("0" * 31) and not is_hex32("A" * 32) and not is_hex32("0" * 32 + "\n")
    assert is_scan_id("019ab3c4d5e6f7a8b9c0d1e2") and not is_scan_id("a~b") and not is_scan_id("")
    assert is_guid("AAAAAAAA-0000-0000-0000-000000000001") and not is_guid("aaaaaaaa-0000")
    assert customer_hash("0" * 32) == customer_hash("0" * 32) and len(customer_hash("0" * 32)) == 64
