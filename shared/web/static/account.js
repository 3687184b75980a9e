/* The customer's pages: record, latest review with progress, reports, review now, export, offboarding. */
"use strict";
(function () {
  var C = window.Caleta;
  var ACTIVE = ["queued", "collecting", "analysing"];
  var session = null, customer = null, latestScan = null, pollTimer = null, exportId = null, wasActive = false;
  var link = linked();

  /* What an e-mail link names after the # (customer, scan or certificate): ids only, never a key. */
  function linked() {
    var out = {};
    (window.location.hash || "").replace(/^#/, "").split("&").forEach(function (pair) {
      var at = pair.indexOf("=");
      if (at > 0) {
        try { out[decodeURIComponent(pair.slice(0, at))] = decodeURIComponent(pair.slice(at + 1)); } catch (e) { /* ignored */ }
      }
    });
    return out;
  }

  function $(id) { return document.getElementById(id); }
  function base() { return "customers/" + encodeURIComponent(session.customer_id); }
  function say(id, text) { $(id).textContent = text || ""; }
  function problem(answer) {
    if (answer.status === 401 || answer.status === 404) { return "Not found, or the key does not match."; }
    return (answer.data && answer.data.message) || ("The request failed (" + answer.status + ").");
  }

  function showSignIn(message) {
    $("account").hidden = true; $("sign-out").hidden = true; $("signin").hidden = false;
    if (message) { C.setFieldError("signin-api_key", message); }
  }

  function signIn(event) {
    event.preventDefault();
    var id = $("signin-customer_id").value.trim(), key = $("signin-api_key").value.trim();
    C.setFieldError("signin-customer_id", id ? "" : "required");
    C.setFieldError("signin-api_key", key ? "" : "required");
    if (!id || !key) { return; }
    session = {customer_id: id, api_key: key};
    load(true);
  }

  function load(fromForm) {
    C.call("GET", base(), undefined, session.api_key).then(function (answer) {
      if (answer.status !== 200) {
        session = null;
        if (fromForm) { showSignIn(problem(answer)); } else { C.endSession(); showSignIn(); }
        return;
      }
      if (fromForm) { C.saveSession(session.customer_id, session.api_key); $("signin-api_key").value = ""; }
      customer = answer.data;
      renderCustomer();
      $("signin").hidden = true; $("account").hidden = false; $("sign-out").hidden = false;
      if (fromForm) { $("company").focus(); }
      refreshScans();
      if (window.CaletaHistory) { window.CaletaHistory.refresh(); }
      if (window.CaletaCredentials) { window.CaletaCredentials.show(customer); }
      if (customer.state === "offboarding" || customer.state === "deleted") { showOffboarded(customer); }
    }, function () { showSignIn("We could not reach Caleta. Try again."); });
  }

  var STATE_TEXT = {active: "Active", access_revoked: "Access revoked", offboarding: "Offboarding",
                    deleted: "Deleted"};
  function renderCustomer() {
    say("company", customer.company);
    say("state", STATE_TEXT[customer.state] || customer.state);
    $("state").className = "pill " + (customer.state === "active" ? "ok" : "bad");
    say("state-reason", customer.state_reason || "");
    say("customer-id", customer.customer_id);
    var n = (customer.subscription_ids || []).length;
    say("sub-count", n + " subscription" + (n === 1 ? "" : "s"));
    say("schedule", customer.schedule);
    $("scan-now").disabled = customer.state !== "active";
    $("offboard-start").disabled = customer.state === "offboarding" || customer.state === "deleted";
  }

  function refreshScans() {
    C.call("GET", base() + "/scans", undefined, session.api_key).then(function (answer) {
      if (answer.status !== 200) { say("scan-message", problem(answer)); return; }
      var scans = answer.data.scans || [];
      $("scan-none").hidden = scans.length > 0;
      $("scan-box").hidden = scans.length === 0;
      // The scan an e-mail linked to, else the newest.
      var wanted = scans.filter(function (s) { return s.scan_id === link.scan; })[0] || scans[0];
      if (wanted) { renderScan(wanted); }
    });
  }

  function pollScan() {
    if (!latestScan) { return; }
    C.call("GET", base() + "/scans/" + encodeURIComponent(latestScan.scan_id), undefined, session.api_key)
      .then(function (answer) { if (answer.status === 200) { renderScan(answer.data); } });
  }

  var STATUS_TEXT = {queued: "Queued", collecting: "Collecting", analysing: "Analysing", complete: "Complete",
                     partial: "Partly complete", failed: "Failed"};
  function renderScan(scan) {
    latestScan = scan;
    var active = ACTIVE.indexOf(scan.status) >= 0;
    say("scan-status", STATUS_TEXT[scan.status] || scan.status);
    $("scan-status").className = "pill " + (scan.status === "complete" ? "ok" : active ? "busy" : "bad");
    $("scan-status").setAttribute("data-status", scan.status);
    var parts = String(scan.progress || "0 of 0").split(" of ");
    var done = +parts[0] || 0, total = +parts[1] || 0;
    say("scan-progress-text", total ? done + " of " + total + " collection tasks finished" +
      (scan.reason ? " — " + scan.reason : "") : (scan.reason || "Planning the collection…"));
    $("scan-progress").max = Math.max(total, 1);
    $("scan-progress").value = total ? done : 0;
    say("scan-created", C.formatDate(scan.created_at));
    say("scan-id", scan.scan_id);
    var tbody = document.querySelector("#task-table tbody");
    C.clear(tbody);
    (scan.tasks || []).forEach(function (t) {
      var tr = C.el("tr");
      tr.appendChild(C.el("td", t.subscription_id));
      tr.appendChild(C.el("td", t.source));
      tr.appendChild(C.el("td", t.outcome));
      tr.appendChild(C.el("td", t.reason || ""));
      tbody.appendChild(tr);
    });
    var reports = scan.reports || [];
    $("report-actions").hidden = reports.length === 0;
    clearTimeout(pollTimer);
    if (active) { pollTimer = setTimeout(pollScan, 1500); }
    // A review that has just finished joins the history.
    if (wasActive && !active && window.CaletaHistory) { window.CaletaHistory.refresh(); }
    wasActive = active;
  }

  function scanNow() {
    $("scan-now").disabled = true;
    say("scan-message", "Starting a review…");
    C.call("POST", base() + "/scans", {}, session.api_key).then(function (answer) {
      $("scan-now").disabled = customer.state !== "active";
      if (answer.status !== 202) { say("scan-message", problem(answer)); return; }
      say("scan-message", "Review started.");
      $("scan-none").hidden = true; $("scan-box").hidden = false;
      latestScan = {scan_id: answer.data.scan_id};
      pollScan();
    });
  }

  function openReport() {
    // The key travels in the form body (never the URL) and leaves the DOM right after the submit.
    $("report-customer_id").value = session.customer_id;
    $("report-scan_id").value = latestScan.scan_id;
    $("report-api_key").value = session.api_key;
    setTimeout(function () { $("report-api_key").value = ""; }, 0);
  }

  function downloadReport(name, filename) {
    var path = base() + "/scans/" + encodeURIComponent(latestScan.scan_id) + "/" + name;
    fetch(path, {headers: {"Authorization": "Bearer " + session.api_key}, credentials: "omit", cache: "no-store"})
      .then(function (response) {
        if (!response.ok) { say("scan-message", "The report is not ready yet."); return null; }
        return response.blob();
      }).then(function (blob) { if (blob) { C.download(blob, filename); } });
  }

  function signOut() {
    clearTimeout(pollTimer);
    C.endSession(); session = null; customer = null; latestScan = null;
    showSignIn();
  }

  // Export and offboarding live in lifecycle.js, which uses this small interface.
  window.CaletaAccount = {
    session: function () { return session; }, base: base, say: say, problem: problem, link: link,
    customer: function () { return customer; }, reload: function () { load(false); },
    refreshScans: function () { refreshScans(); },
    exportId: function (value) { if (value !== undefined) { exportId = value; } return exportId; },
    /* The key was rotated: this tab goes on with the new one (the old one no longer opens anything). */
    rekey: function (apiKey) { session.api_key = apiKey; C.saveSession(session.customer_id, apiKey); },
    /* The key is deleted with everything else: stop polling and forget it, keep the page as it is. */
    offboarded: function () {
      clearTimeout(pollTimer);
      C.endSession();
      customer.state = "offboarding";
      renderCustomer();
      if (window.CaletaCredentials) { window.CaletaCredentials.show(customer); }
      $("report-actions").hidden = true;
      $("history").hidden = true;  // everything is being deleted
      say("scan-message", "");
    }
  };
  function showOffboarded(record) { if (window.CaletaLifecycle) { window.CaletaLifecycle.showOffboarded(record); } }

  $("signin-form").addEventListener("submit", signIn);
  $("sign-out").addEventListener("click", signOut);
  $("scan-now").addEventListener("click", scanNow);
  $("report-form").addEventListener("submit", openReport);
  $("download-json").addEventListener("click", function () { downloadReport("report.json", "caleta-report.json"); });
  $("download-csv").addEventListener("click", function () { downloadReport("report.csv", "caleta-findings.csv"); });
  session = C.loadSession();
  if (link.certificate) {
    return;  // a deletion certificate needs no key: lifecycle.js shows it
  }
  if (session && (!link.customer || link.customer === session.customer_id)) { load(false); } else {
    if (link.customer) { session = null; $("signin-customer_id").value = link.customer; }
    showSignIn();
    if (link.customer) { $("signin-api_key").focus(); }
  }
}());
