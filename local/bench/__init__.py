"""`python -m local bench`: the pipeline on a large generated estate, every clock of Azure and of the product scaled.

`runner` orchestrates (estate, simulator, phases, summary); `collect` and `analyse` are the phases, each in its
own process (`phases` is the entry point); `host` stands in for the Functions host and `servicebus` counts
deliveries as Service Bus does; `hostconfig` reads the product's clocks; `truth` counts what the estate holds;
`bounds` computes the floors; `caleta_cost` prices a review; `summary` builds the JSON; the Cost Management QPU ledger
runs on `local.memtable.MemoryTable`.
"""
