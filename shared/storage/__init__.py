"""The storage layer: every table behind one store class, the customers' containers and their secrets.

Stores speak the domain (shared/domain.py), not Table dialect, and are written against one `Table` protocol
(table.py). Each declares what it may hold about a customer (retention.py); customer data is always scoped to
one customer: its own container and partition.
"""
