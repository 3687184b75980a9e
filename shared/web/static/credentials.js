/* Credentials on the account page: rotate the API key and replace the client secret, each after a
   confirmation; show when each was last done. The new key is shown once and this tab goes on with it. */
"use strict";
(function () {
  var C = window.Caleta, A = window.CaletaAccount;

  function $(id) { return document.getElementById(id); }
  function leaving(record) { return record.state === "offboarding" || record.state === "deleted"; }
  function when(iso) { return iso ? C.formatDate(iso) : "never"; }

  function show(record) {
    var secretMode = record.auth_mode === "client_secret";
    Array.prototype.forEach.call(document.querySelectorAll(".secret-only"), function (node) {
      node.hidden = !secretMode;
    });
    ["rotate-start", "secret-start", "new-client_secret"].forEach(function (id) { $(id).disabled = leaving(record); });
    if (leaving(record)) { return; }
    C.call("GET", A.base() + "/credentials", undefined, A.session().api_key).then(function (answer) {
      if (answer.status !== 200) { return; }
      $("key-rotated-at").textContent = when(answer.data.api_key_rotated_at);
      $("secret-replaced-at").textContent = when(answer.data.client_secret_replaced_at);
    });
  }

  function startRotate() {
    $("rotate-confirm").hidden = false;
    $("rotate-start").hidden = true;
    $("rotate-confirm-button").focus();
  }

  function cancelRotate() {
    $("rotate-confirm").hidden = true;
    $("rotate-start").hidden = false;
    A.say("rotate-message", "");
    $("rotate-start").focus();
  }

  function rotate() {
    $("rotate-confirm-button").disabled = true;
    C.call("POST", A.base() + "/api-key", {}, A.session().api_key).then(function (answer) {
      $("rotate-confirm-button").disabled = false;
      if (answer.status !== 200) { A.say("rotate-message", A.problem(answer)); return; }
      A.rekey(answer.data.api_key);
      $("rotate-confirm").hidden = true;
      $("rotate-start").hidden = false;
      $("new-api-key").value = answer.data.api_key;
      $("new-key-box").hidden = false;
      $("key-rotated-at").textContent = when(answer.data.rotated_at);
      A.say("rotate-message", "Your API key was rotated. The old key no longer works.");
      $("new-api-key").focus();
    }, function () { $("rotate-confirm-button").disabled = false; A.say("rotate-message", "We could not reach Caleta."); });
  }

  function startReplace(event) {
    event.preventDefault();
    var value = $("new-client_secret").value;
    C.setFieldError("new-client_secret", value.trim() ? "" : "Enter the new secret's value.");
    if (!value.trim()) { $("new-client_secret").focus(); return; }
    $("secret-confirm").hidden = false;
    $("secret-start").hidden = true;
    $("secret-confirm-button").focus();
  }

  function cancelReplace() {
    $("secret-confirm").hidden = true;
    $("secret-start").hidden = false;
    A.say("secret-message", "");
    $("new-client_secret").focus();
  }

  function replace() {
    $("secret-confirm-button").disabled = true;
    A.say("secret-message", "Signing in with the new secret…");
    var body = {client_secret: $("new-client_secret").value};
    C.call("PUT", A.base() + "/credential", body, A.session().api_key).then(function (answer) {
      $("secret-confirm-button").disabled = false;
      $("secret-confirm").hidden = true;
      $("secret-start").hidden = false;
      if (answer.status !== 200) {
        var fields = (answer.data && answer.data.fields) || {};
        if (fields.client_secret) { C.setFieldError("new-client_secret", fields.client_secret); }
        A.say("secret-message", fields.client_secret ? "The new secret was not accepted; nothing changed." :
          A.problem(answer));
        $("new-client_secret").focus();
        return;
      }
      $("new-client_secret").value = "";
      C.setFieldError("new-client_secret", "");
      $("secret-replaced-at").textContent = when(answer.data.replaced_at);
      A.say("secret-message", "The new client secret is in use and the old one was deleted from our vault.");
      if (answer.data.state === "active" && A.customer().state !== "active") { A.reload(); }
    }, function () { $("secret-confirm-button").disabled = false; A.say("secret-message", "We could not reach Caleta."); });
  }

  $("rotate-start").addEventListener("click", startRotate);
  $("rotate-cancel").addEventListener("click", cancelRotate);
  $("rotate-confirm-button").addEventListener("click", rotate);
  $("copy-new-key").addEventListener("click", function () { C.copyFrom("new-api-key", $("copy-new-key-status")); });
  $("secret-form").addEventListener("submit", startReplace);
  $("secret-cancel").addEventListener("click", cancelReplace);
  $("secret-confirm-button").addEventListener("click", replace);
  window.CaletaCredentials = {show: show};
}());
