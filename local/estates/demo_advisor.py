"""Advisor Cost recommendations for hand-written estates: right-size, unattached disk, reservations, plans."""

from __future__ import annotations

from dataclasses import dataclass

from local.estates.demo_kit import SubscriptionBuilder, guid

RIGHT_SIZE = "e10b1381-5f0a-47ff-8c7b-37bd13d7c974"
UNATTACHED_DISK = "48eda464-1485-4dcf-a674-d0905df5054a"
VM_RESERVATION = "84b1a508-fc21-49da-979e-96894f1665df"
# Advisor's savings-plan type id is not documented; this is a stable stand-in (rules should read the text
# and extendedProperties.benefitType rather than trust a type id).
SAVINGS_PLAN = guid("advisor-type", "compute-savings-plan")
RIGHT_SIZE_TEXT = ("Right-size or shutdown underutilized virtual machines",
                   "Right-size or shutdown underutilized virtual machines")


@dataclass(frozen=True)
class RightSize:
    """What Advisor says about one under-used VM (monthly savings as Advisor quotes them)."""

    current: str
    target: str
    monthly: float
    cpu_p95: str
    currency: str = "GBP"
    suppressed: bool = False


def right_size(sb: SubscriptionBuilder, vm_id: str, rec: RightSize) -> str:
    """A VM right-size (or shutdown) recommendation, type e10b1381-..., on one VM."""
    name = vm_id.rsplit("/", 1)[-1]
    kind = "Shutdown" if rec.target == "Shutdown" else "SkuChange"
    return sb.advise(vm_id, key=f"right-size-{name}", type_id=RIGHT_SIZE, suppressed=rec.suppressed,
                     impacted=("Microsoft.Compute/virtualMachines", name), text=RIGHT_SIZE_TEXT,
                     extended={"recommendationType": kind, "currentSku": rec.current, "targetSku": rec.target,
                               "savingsAmount": f"{rec.monthly:.2f}", "annualSavingsAmount": f"{rec.monthly * 12:.2f}",
                               "savingsCurrency": rec.currency, "MaxCpuP95": rec.cpu_p95, "MaxMemoryP95": "34.0",
                               "MaxTotalNetworkP95": "0.9", "regionId": "uksouth",
                               "subscriptionId": sb.subscription_id, "Duration": "7"})


def unattached_disk(sb: SubscriptionBuilder, disk_id: str, size_gb: int, sku: str, monthly: float) -> str:
    """Advisor's "review unattached disks" recommendation on one disk."""
    name = disk_id.rsplit("/", 1)[-1]
    return sb.advise(disk_id, key=f"unattached-{name}", type_id=UNATTACHED_DISK, impact="Medium",
                     impacted=("microsoft.compute/disks", name),
                     text=("Review disks that are not attached to a VM and evaluate if you still need the disk",
                           "Delete or downgrade unattached disks"),
                     extended={"savingsAmount": f"{monthly:.2f}", "annualSavingsAmount": f"{monthly * 12:.2f}",
                               "savingsCurrency": "GBP", "diskSizeGB": str(size_gb), "diskSku": sku,
                               "regionId": "uksouth"})


def commitments(sb: SubscriptionBuilder, *, vm_size: str, quantity: int, monthly: dict[str, float]) -> None:
    """1- and 3-year VM reservation offers (monthly keys P1Y, P3Y) and a 3-year savings plan (key SP)."""
    common = {"lookbackPeriod": "30", "region": "uksouth", "scope": "Single", "subId": sb.subscription_id,
              "savingsCurrency": "GBP"}
    impacted = ("Microsoft.Subscriptions/subscriptions", sb.subscription_id)
    for term in ("P1Y", "P3Y"):
        sb.advise(sb.scope, key=f"ri-{vm_size}-{term}", type_id=VM_RESERVATION, impact="Medium", impacted=impacted,
                  text=("Consider virtual machine reserved instance to save over your on-demand costs",
                        "Buy virtual machine reserved instance to save money over pay-as-you-go costs"),
                  extended={**common, "term": term, "reservedResourceType": "virtualmachines", "vmSize": vm_size,
                            "displaySKU": vm_size, "displayQty": str(quantity),
                            "savingsAmount": f"{monthly[term]:.2f}",
                            "annualSavingsAmount": f"{monthly[term] * 12:.2f}"})
    sb.advise(sb.scope, key="sp-compute-P3Y", type_id=SAVINGS_PLAN, impact="Medium", impacted=impacted,
              text=("Consider a savings plan to save over your on-demand compute costs",
                    "Buy a compute savings plan to save money over pay-as-you-go costs"),
              extended={**common, "term": "P3Y", "benefitType": "SavingsPlan", "commitmentAmount": "1.42",
                        "commitmentGranularity": "Hourly", "savingsAmount": f"{monthly['SP']:.2f}",
                        "annualSavingsAmount": f"{monthly['SP'] * 12:.2f}"})
