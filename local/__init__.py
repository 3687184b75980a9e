"""Azure on one machine: Azurite launcher, simulated tenant, Service Bus broker, local Functions host."""
