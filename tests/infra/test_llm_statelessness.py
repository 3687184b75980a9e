"""LLM-05: the product uses the model statelessly, so the AI service keeps no copy of customer data.

The deletion budget leaves the AI account out only because nothing is stored there: no Responses API state,
Assistants, threads, Files, Batch or vector stores, and every chat completion sends store=False.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.infra.conftest import ROOT

STATEFUL = {"responses", "assistants", "threads", "files", "batches", "vector_stores", "uploads", "fine_tuning"}


def _chain(node: ast.expr) -> list[str]:
    """The attribute names of `a.b.c.d` as ['b', 'c', 'd'] (the root name left out)."""
    names: list[str] = []
    while isinstance(node, ast.Attribute):
        names.append(node.attr)
        node = node.value
    return names[::-1]


def stateful_calls(source: str) -> list[str]:
    """Calls in `source` that would make the model service keep data; empty when it is used statelessly."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        chain = _chain(node.func)
        if STATEFUL & set(chain[:-1]):
            found.append(".".join(chain))
        elif chain[-2:] == ["completions", "create"] and "chat" in chain:
            store = next((kw.value for kw in node.keywords if kw.arg == "store"), None)
            if not (isinstance(store, ast.Constant) and store.value is False):
                found.append(".".join(chain) + " without store=False")
    return found


def _product_sources() -> list[Path]:
    return sorted([*(ROOT / "shared").rglob("*.py"), *(ROOT / "functions").rglob("*.py")])


def test_product_code_uses_the_model_statelessly_when_scanned() -> None:
    offenders = {str(path.relative_to(ROOT)): calls for path in _product_sources()
                 if (calls := stateful_calls(path.read_text()))}
    assert offenders == {}


def test_product_code_calls_the_model_when_scanned() -> None:
    # Guards the test above against scanning nothing.
    assert any("completions.create" in path.read_text() for path in _product_sources())


def test_stateful_use_is_found_when_code_stores_or_uses_assistants() -> None:
    source = (
        "client.chat.completions.create(model='m', messages=[])\n"
        "client.chat.completions.create(model='m', messages=[], store=True)\n"
        "client.responses.create(model='m', input='x')\n"
        "client.beta.assistants.create(model='m')\n"
        "client.chat.completions.create(model='m', messages=[], store=False)\n"
    )
    assert len(stateful_calls(source)) == 4
