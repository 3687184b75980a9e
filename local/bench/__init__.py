"""`python -m local bench`: the pipeline on a large generated estate, measured against Azure's quotas.

`runner` orchestrates (estate, simulator, phases, summary), `phases` runs collection and analysis each in
its own process (so peak RSS is per phase), `bounds` computes the fewest calls and the least time the quotas
allow; the Cost Management QPU ledger runs on `local.memtable.MemoryTable`.
"""
