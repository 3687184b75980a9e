"""The local CA signs a leaf that Python's TLS stack accepts for 127.0.0.1."""

import ssl
from pathlib import Path

from local.certs import make_certs


def test_leaf_loads_and_ca_is_in_bundle_when_generated(tmp_path: Path) -> None:
    paths = make_certs(tmp_path)
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(paths.cert, paths.key)
    client = ssl.create_default_context(cafile=str(paths.bundle))
    assert client.cert_store_stats()["x509_ca"] > 100  # certifi's roots plus ours
    assert paths.ca.read_bytes() in paths.bundle.read_bytes()


def test_certs_are_reused_when_present(tmp_path: Path) -> None:
    first = make_certs(tmp_path).ca.read_bytes()
    assert make_certs(tmp_path).ca.read_bytes() == first
