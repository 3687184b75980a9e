"""Caleta's words for what a driver, plan row or review item is: the rule's phrase, a type with its article,
and per review rule what to decide, how to name it and why it is not counted."""

from __future__ import annotations

from typing import Protocol

from shared.analysis.facts import Alias, Fact, FactKey
from shared.analysis.rules.registry import CATALOGUE

# Per review rule: what to decide, how the context sentence names it, why it is not counted. {name}: the
# resource (customer data); {a_type}: its type with an article; {count}: the REVIEW_COUNT fact.
REVIEWS: dict[str, tuple[str, str, str]] = {
    "RV-DDOS": ("whether {name} could protect its {count} public IPs per IP instead",
                "{name} could protect its {count} public IPs per IP instead",
                "keep it if you need DDoS rapid response or cost protection"),
    "RV-DR": ("whether to keep {name}, {a_type} in the DR region", "{name}, {a_type} in the DR region",
              "confirm with your DR runbook"),
    "RV-DOMINANT": ("how {name} runs", "a reservation, savings plan or schedule for {name}",
                    "it is the largest single lever on this bill"),
    "RV-SQLED": ("whether {name} needs SQL Server Enterprise", "SQL Server Enterprise on {name}, where Standard "
                 "may do", "run the query in the appendix first"),
    "RV-LOGS": ("how much {name} ingests", "Log Analytics growth in {name}", "run the queries in the appendix"),
    "RV-AKS": ("how the AKS system pool of {name} is sized", "the AKS system pool of {name}",
               "check the node size and the autoscaler minimum"),
}
OFFER_WORDS = {"Pay-As-You-Go": "Pay-As-You-Go", "Enterprise Agreement": "on your Enterprise Agreement",
               "CSP": "bought through a CSP"}
DEFAULT_REVIEW = ("what to do with {name}, {a_type}", "{name}, {a_type}", "check it before you act")
_KEEP_CASE = ("Azure", "App")


class Writer(Protocol):
    """What the phrases need of the template writer: to record a customer string and cite an implied fact."""

    currency: str

    def private(self, value: str) -> str: ...

    def implied(self, key: FactKey, about: str | None = None) -> Fact | None: ...


def a_label(type_label: str) -> str:
    """"a managed disk", "an application gateway", "a VPN gateway", "an App Service plan"."""
    words = type_label.split()
    if not words:
        return "a resource"
    if len(words) == 1 and type_label.islower():  # a raw ARM type segment ("protecteditems"): no plain label
        return f"a resource of type {type_label}"
    first = words[0]
    keep = first in _KEEP_CASE or (len(first) > 1 and first[1].isupper()) or (len(words) > 1 and words[1][:1].isupper())
    text = type_label if keep else first[0].lower() + type_label[1:]
    return ("an " if text[0].lower() in "aeiou" else "a ") + text


def offer_words(label: str) -> str:
    """How "{subscription} is ..." names an offer: "Pay-As-You-Go", "on your Enterprise Agreement", "a Visual
    Studio subscription"."""
    return OFFER_WORDS.get(label) or (label if label.endswith("subscription") else f"a {label} subscription")


def join(items: list[str]) -> str:
    """"a", "a and b", "a, b and c"."""
    items = [i for i in items if i]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1] if items else ""


def driver_phrase(alias: Alias) -> str:
    """The rule's narrative phrase for a resource with a finding ("a DDoS protection plan protecting nothing"),
    else its type with an article."""
    spec = CATALOGUE.get(alias.rule or "")
    return spec.narrative if spec is not None and spec.narrative else a_label(alias.type_label)


def _what(item: Alias) -> str:
    """A review item in Caleta's words: its rule's phrase or title when the rule has no wording of its own here
    ("a protected backup item with no recent backup"), else its type with an article."""
    spec = CATALOGUE.get(item.rule or "") if item.rule not in REVIEWS else None
    if spec is not None and (spec.narrative or spec.title):
        if spec.narrative:
            return spec.narrative
        return a_label(spec.title)
    return a_label(item.type_label)


def review_words(w: Writer, item: Alias) -> tuple[str, str, str]:
    """(what to decide, how to name it, why it is not counted) for a review item, its figures from facts."""
    decide, name_it, reason = REVIEWS.get(item.rule or "", DEFAULT_REVIEW)
    count = w.implied(FactKey.REVIEW_COUNT, item.id) if "{count}" in decide + name_it else None
    values = {"name": w.private(item.name), "a_type": _what(item),
              "count": count.render(w.currency) if count is not None else "several"}
    return decide.format(**values), name_it.format(**values), reason
