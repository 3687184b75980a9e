"""The simulated tenant: the Azure a customer's tenant shows Caleta, over HTTPS, driven by an estate file."""

from local.simulator.options import SimOptions
from local.simulator.server import Simulator
from local.simulator.state import LoggedRequest

__all__ = ["LoggedRequest", "SimOptions", "Simulator"]
