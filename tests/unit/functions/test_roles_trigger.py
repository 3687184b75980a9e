"""The role re-check timer as indexed: bound to %ROLE_RECHECK_TIMER%, and it re-checks awaiting customers."""

from __future__ import annotations

from azure.functions.decorators.function_app import FunctionBuilder
from azure.functions.timer import TimerRequest

from functions import roles
from shared.deadline import Deadline
from shared.pipeline.principal_roles import READER
from shared.pipeline.validate_principal import validate_principal
from shared.services import use_services
from tests.unit.fakes import CUSTOMER_ID, OID, SUB, a_customer, make_world

(RECHECK,) = [b.build() for b in vars(roles).values() if isinstance(b, FunctionBuilder)]


def test_timer_is_bound_to_its_schedule_setting_when_indexed() -> None:
    (binding,) = RECHECK.get_bindings()
    assert (RECHECK.get_function_name(), binding.get_dict_repr()["schedule"]) == (
        "recheck_roles", "%ROLE_RECHECK_TIMER%")


def test_timer_activates_an_awaiting_customer_when_its_roles_appeared() -> None:
    world = make_world(with_customer=False)
    world.probe.add_subscription(SUB)
    validation = validate_principal(world.probe, OID, [SUB], world.clock(), deadline=Deadline.within(30.0))
    world.add_customer(a_customer(subscriptions=(), state="awaiting_roles",
                                  validation=validation.model_dump(mode="json")))
    world.probe.assign(READER, f"/subscriptions/{SUB}")
    with use_services(world.services):
        RECHECK.get_user_function()(TimerRequest(past_due=False))
    assert world.customers.get(CUSTOMER_ID).state == "active"
