"""Queries the customer runs where Caleta may not read (report-design D9.1 to D9.4): Appendix B.

Log Analytics results, storage logs and SQL Server's own views are data-plane reads the promises rule out, so
the report ships the query and how to read its answer. Interpolated values: dates from the analysis, names
validated against Azure's naming rule for the type and emitted as KQL string literals through one quoting
function; a name that fails validation gives the query without its filter line and a note.
"""

from __future__ import annotations

import datetime as dt
import re

from shared.analysis.report_model import CustomerQuery
from shared.analysis.report_model_findings import FindingOut

STORAGE_ACCOUNT_NAME = re.compile(r"^[a-z0-9]{3,24}$")
KQL_INGESTION = """// Billable data ingested into this workspace in the last 30 days, by table (GB)
Usage
| where TimeGenerated > ago(30d)
| where IsBillable == true
| summarize BillableGB = round(sum(Quantity) / 1000, 2) by DataType
| sort by BillableGB desc"""
KQL_WEEKLY = """Usage
| where TimeGenerated > ago(35d)
| where IsBillable == true
| summarize BillableGB = round(sum(Quantity) / 1000, 2) by DataType, Week = startofweek(TimeGenerated)
| sort by DataType asc, Week asc"""
TSQL_EDITION = """-- Run as a login with VIEW SERVER STATE; needs SQL Server 2017 or later for STRING_AGG.
SELECT SERVERPROPERTY('Edition') AS edition, SERVERPROPERTY('ProductVersion') AS version;
-- Edition-specific features persisted in each user database
DECLARE @sql nvarchar(max);
SELECT @sql = STRING_AGG(CAST(N'SELECT N' + QUOTENAME(name, '''') + N' AS database_name, feature_name FROM '
       + QUOTENAME(name) + N'.sys.dm_db_persisted_sku_features' AS nvarchar(max)), N' UNION ALL ')
FROM sys.databases
WHERE database_id > 4 AND state_desc = N'ONLINE';
IF @sql IS NOT NULL EXEC sys.sp_executesql @sql;
-- Instance features beyond Standard edition
SELECT cpu_count, physical_memory_kb / 1048576 AS memory_gb FROM sys.dm_os_sys_info;
SELECT name FROM sys.availability_groups;
SELECT is_enabled FROM sys.resource_governor_configuration;"""
TSQL_READING = ("No rows from the second query, fewer than 24 cores and 128 GB, no availability group with more "
                "than one database and Resource Governor off: Standard edition is likely enough. Since SQL Server "
                "2016 SP1, compression, partitioning and columnstore, which the view lists, are in Standard too.")


def kql_string(value: str) -> str:
    """A KQL string literal: double quotes, with backslash and double quote escaped."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def egress_query(account: str, day: dt.date) -> tuple[str, str]:
    """KQL 3: reads from the storage account on the day of the one-off, by caller (and a note when the name
    could not be used)."""
    lines = ["// Reads from the storage account on the day of the one-off, by caller (needs diagnostic settings "
             "to a workspace)", "StorageBlobLogs",
             f"| where TimeGenerated between (datetime({day.isoformat()}) .. "
             f"datetime({(day + dt.timedelta(days=1)).isoformat()}))"]
    note = ""
    if STORAGE_ACCOUNT_NAME.match(account):
        lines.append(f"| where AccountName == {kql_string(account)}")
    else:
        note = " The account's name is not a valid storage account name, so the query does not filter on it."
    lines += ['| where OperationName == "GetBlob"',
              "| summarize EgressGB = round(sum(ResponseBodySize) / 1e9, 2), Requests = count()",
              '    by CallerIpAddress, AuthenticationType, Container = tostring(split(Uri, "/")[3])',
              "| sort by EgressGB desc", "| take 20"]
    return "\n".join(lines), note


def queries_for(findings: list[FindingOut]) -> list[CustomerQuery]:
    """The queries the findings call for, each naming the findings it serves."""
    logs = [f.id for f in findings if f.rule == "RV-LOGS"]
    sql = [f.id for f in findings if f.rule == "RV-SQLED"
           or (f.rule == "LIC-2" and any(e.key == "edition" and e.value == "enterprise" for e in f.evidence))]
    out = []
    if logs:
        out.append(CustomerQuery(id="KQL-1", language="kql", title="Billable ingestion by table, last 30 days",
                                 where="Run it in the Log Analytics workspace (Logs)", text=KQL_INGESTION,
                                 used_by=logs, reading="The tables at the top drive the bill: move verbose ones to "
                                                       "the Basic or Auxiliary plan, or shorten their retention."))
        out.append(CustomerQuery(id="KQL-2", language="kql", title="The same, week by week: what grew",
                                 where="Run it in the Log Analytics workspace (Logs)", text=KQL_WEEKLY, used_by=logs,
                                 reading="A table whose weekly volume jumps is the one that drove the growth."))
    if sql:
        out.append(CustomerQuery(id="TSQL-1", language="tsql", title="SQL Server Enterprise features in use",
                                 where="Run it on the SQL Server VM", text=TSQL_EDITION, used_by=sql,
                                 reading=TSQL_READING))
    egress = 0
    for f in findings:
        day = next((e.value for e in f.evidence if e.key == "day"), None)
        if f.rule == "COST-2" and f.resource_type == "microsoft.storage/storageaccounts" and isinstance(day, str):
            text, note = egress_query(f.resource_name, dt.date.fromisoformat(day))
            egress += 1
            out.append(CustomerQuery(
                id="KQL-3" if egress == 1 else f"KQL-3-{egress}", language="kql",
                title=f"Who read {f.resource_name} on {day}",
                where="Run it in the workspace the storage account's resource logs go to", text=text,
                used_by=[f.id], reading="The callers at the top moved the data: an unplanned export or a public "
                                        "link shows here." + note))
    return out
