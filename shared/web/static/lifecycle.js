/* Export and offboarding on the account page: request and download an export; offboard with a confirmation
   step, show the deletion deadline, then the deletion certificate once the purge has been verified. */
"use strict";
(function () {
  var C = window.Caleta, A = window.CaletaAccount;
  // The purge's second pass runs once work in flight has ended (15 minutes as deployed): poll for 30 minutes at
  // most, then the customer is told to come back with the certificate id.
  var CERT_POLL_MS = 3000, CERT_POLL_LIMIT = 600;
  var certificate = null;

  function $(id) { return document.getElementById(id); }

  function requestExport() {
    var session = A.session();
    $("export-request").disabled = true;
    A.say("export-message", "Preparing your export…");
    C.call("POST", A.base() + "/export", {}, session.api_key).then(function (answer) {
      $("export-request").disabled = false;
      if (answer.status !== 202) { A.say("export-message", A.problem(answer)); return; }
      A.exportId(answer.data.export_id);
      A.say("export-message", "Your export is ready.");
      $("export-download").hidden = false;
      $("export-download").focus();
    }, function () { $("export-request").disabled = false; A.say("export-message", "We could not reach Caleta."); });
  }

  function downloadExport() {
    var session = A.session(), id = A.exportId();
    fetch(A.base() + "/export/" + encodeURIComponent(id), {headers: {"Authorization": "Bearer " + session.api_key},
                                                            credentials: "omit", cache: "no-store"})
      .then(function (response) {
        if (!response.ok) { A.say("export-message", "The export is no longer available; request a new one."); return null; }
        return response.blob();
      }).then(function (blob) { if (blob) { C.download(blob, "caleta-export-" + id + ".zip"); } });
  }

  function startOffboarding() {
    $("offboard-confirm").hidden = false;
    $("offboard-start").hidden = true;
    $("offboard-sure").checked = false;
    $("offboard-sure").focus();
  }

  function cancelOffboarding() {
    $("offboard-confirm").hidden = true;
    $("offboard-start").hidden = false;
    A.say("offboard-message", "");
    $("offboard-start").focus();
  }

  function confirmOffboarding() {
    if (!$("offboard-sure").checked) {
      A.say("offboard-message", "Tick the box to confirm that all of your data will be deleted.");
      $("offboard-sure").focus();
      return;
    }
    var session = A.session();
    $("offboard-confirm-button").disabled = true;
    C.call("DELETE", A.base(), undefined, session.api_key).then(function (answer) {
      $("offboard-confirm-button").disabled = false;
      if (answer.status !== 202) { A.say("offboard-message", A.problem(answer)); return; }
      A.offboarded();
      showDone(answer.data.deadline);
      pollCertificate(answer.data.request_id, 0);
    }, function () { $("offboard-confirm-button").disabled = false; A.say("offboard-message", "We could not reach Caleta."); });
  }

  function showDone(deadline) {
    $("offboard-confirm").hidden = true;
    $("offboard-start").hidden = true;
    $("offboard-done").hidden = false;
    $("offboard-deadline").textContent = deadline ? C.formatDate(deadline) : "within 7 days of your request";
    if (deadline) { $("offboard-deadline").setAttribute("datetime", deadline); }
    ["scan-now", "export-request", "export-download"].forEach(function (id) { $(id).disabled = true; });
    A.say("offboard-message", "We are deleting your data. We check twice, the second time once any work " +
          "still running has ended (about 15 minutes); the certificate appears here when it is done.");
  }

  function pollCertificate(id, attempt) {
    C.call("GET", "deletion-certificates/" + encodeURIComponent(id)).then(function (answer) {
      if (answer.status === 200) { showCertificate(answer.data); return; }
      if (attempt >= CERT_POLL_LIMIT) {
        A.say("offboard-message", "Deletion is still running. Certificate id " + id + ": keep it to fetch the " +
              "certificate later.");
        return;
      }
      setTimeout(function () { pollCertificate(id, attempt + 1); }, CERT_POLL_MS);
    }, function () { setTimeout(function () { pollCertificate(id, attempt + 1); }, CERT_POLL_MS); });
  }

  function showCertificate(cert) {
    certificate = cert;
    fillCertificate($("certificate-fields"), cert);
    $("certificate").hidden = false;
    A.say("offboard-message", "Your data has been deleted.");
  }

  function fillCertificate(dl, cert) {
    C.clear(dl);
    var deleted = Object.keys(cert.deleted || {}).map(function (store) { return store + ": " + cert.deleted[store]; });
    var copies = cert.soft_deleted_copies || {};
    [["Certificate id", cert.certificate_id], ["Customer (SHA-256)", cert.customer_sha256],
     ["Requested", C.formatDate(cert.requested_at)], ["Deadline", C.formatDate(cert.deadline)],
     ["Completed", C.formatDate(cert.completed_at)], ["Deleted", deleted.join(", ") || "nothing held"],
     ["Verification", cert.verification ? cert.verification.result : ""],
     ["Within the deadline", cert.within_deadline ? "yes" : "no"],
     ["Deleted copies Azure keeps", copies.storage ? copies.storage.note : ""],
     ["Client secret", copies.client_secret ? copies.client_secret.note : ""]].forEach(function (pair) {
      dl.appendChild(C.el("dt", pair[0]));
      dl.appendChild(C.el("dd", pair[1], {"data-field": pair[0]}));
    });
  }

  /* The page an e-mail links to with #certificate=<id>: no key needed (the customer's key is deleted with
     everything else); checks until the certificate is issued. */
  function showCertificatePage(id, attempt) {
    $("certificate-page").hidden = false;
    C.call("GET", "deletion-certificates/" + encodeURIComponent(id)).then(function (answer) {
      if (answer.status === 200) {
        fillCertificate($("certificate-page-fields"), answer.data);
        A.say("certificate-page-message", "Every piece of data we held about you has been deleted.");
        return;
      }
      A.say("certificate-page-message", "We are still deleting your data. This page shows the certificate " +
            "as soon as it is issued (certificate id " + id + ").");
      if (attempt < CERT_POLL_LIMIT) { setTimeout(function () { showCertificatePage(id, attempt + 1); }, CERT_POLL_MS); }
    }, function () { A.say("certificate-page-message", "We could not reach Caleta. Try again later."); });
  }

  function downloadCertificate() {
    if (!certificate) { return; }
    var blob = new Blob([JSON.stringify(certificate, null, 2)], {type: "application/json"});
    C.download(blob, "caleta-deletion-certificate-" + certificate.certificate_id + ".json");
  }

  $("export-request").addEventListener("click", requestExport);
  $("export-download").addEventListener("click", downloadExport);
  $("offboard-start").addEventListener("click", startOffboarding);
  $("offboard-cancel").addEventListener("click", cancelOffboarding);
  $("offboard-confirm-button").addEventListener("click", confirmOffboarding);
  $("certificate-download").addEventListener("click", downloadCertificate);
  window.CaletaLifecycle = {showOffboarded: function (record) { showDone(null); A.say("state-reason", record.state_reason || ""); }};
  if (A.link.certificate) { showCertificatePage(A.link.certificate, 0); }
}());
