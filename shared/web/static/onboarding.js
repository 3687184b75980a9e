/* The onboarding form: instructions that follow the inputs, validation as the server does it, the result.
   Federated mode starts with a sign-in round trip (GET onboarding/signin): Caleta sends the browser back here
   with a one-time proof in the fragment (#proof=...), or #outcome=not_admin. The form's values wait in this
   tab's sessionStorage while the browser is away (never the client secret). */
"use strict";
(function () {
  var C = window.Caleta, R = window.CaletaRules, K = window.CaletaCommands;
  var body = document.body;
  var rules = JSON.parse(body.getAttribute("data-rules"));
  var appId = body.getAttribute("data-app-client-id") || "";
  var form = document.getElementById("onboarding-form");
  var guid = new RegExp(rules.guid);
  var INPUTS = ["company", "contact_email", "tenant_id", "subscription_ids", "mode", "client_id", "client_secret",
                "schedule", "proof"];
  var SAVED_KEY = "caleta.onboarding.form", PROOF_KEY = "caleta.onboarding.proof";
  var KEPT = ["company", "contact_email", "tenant_id", "subscription_ids", "schedule"];
  var proof = null;  /* {tenant: ..., handle: ...} after a verified administrator's sign-in */

  function $(id) { return document.getElementById(id); }
  function mode() { return form.querySelector("input[name=mode]:checked").value; }
  function values() {
    var tenant = $("tenant_id").value.trim().toLowerCase();
    return {company: $("company").value, contact_email: $("contact_email").value, tenant_id: $("tenant_id").value,
            subscriptions_text: $("subscription_ids").value, mode: mode(), client_id: $("client_id").value,
            client_secret: $("client_secret").value, schedule: $("schedule").value,
            proof: proof && proof.tenant === tenant ? proof.handle : ""};
  }

  /* Keep the form (never the secret) in this tab while the browser signs in, and bring it back after. */
  function saveForm() {
    var kept = {};
    KEPT.forEach(function (name) { kept[name] = $(name).value; });
    sessionStorage.setItem(SAVED_KEY, JSON.stringify(kept));
  }
  function restoreForm() {
    var kept = null;
    try { kept = JSON.parse(sessionStorage.getItem(SAVED_KEY) || "null"); } catch (e) { kept = null; }
    sessionStorage.removeItem(SAVED_KEY);
    KEPT.forEach(function (name) { if (kept && typeof kept[name] === "string") { $(name).value = kept[name]; } });
  }
  function forgetProof() { proof = null; sessionStorage.removeItem(PROOF_KEY); }

  /* The way back from the sign-in: the fragment is read once and removed from the address bar. */
  function arrive() {
    var query = new URLSearchParams(location.search), hash = new URLSearchParams(location.hash.slice(1));
    var tenant = (query.get("tenant_id") || "").trim().toLowerCase();
    restoreForm();
    if (guid.test(tenant)) { $("tenant_id").value = tenant; }
    try { proof = JSON.parse(sessionStorage.getItem(PROOF_KEY) || "null"); } catch (e) { proof = null; }
    if (hash.get("proof") && guid.test(tenant)) {
      proof = {tenant: tenant, handle: hash.get("proof")};
      sessionStorage.setItem(PROOF_KEY, JSON.stringify(proof));
    }
    if (location.hash) { history.replaceState(null, "", location.pathname + location.search); }
    if (hash.get("outcome") === "not_admin" && guid.test(tenant)) {
      $("admin-link").value = location.origin + location.pathname + "?tenant_id=" + encodeURIComponent(tenant);
      $("admin-link-panel").hidden = false;
      $("admin-link-title").focus();
    }
  }

  /* Server field names (auth.client_secret, subscription_ids[3]) -> the input that shows the error. */
  function target(name) {
    var base = name.replace(/\[\d+\]$/, "");
    if (base.indexOf("auth.") === 0) { base = base.slice(5); }
    return INPUTS.indexOf(base) >= 0 ? base : "form";
  }

  function clearErrors() {
    INPUTS.concat(["form"]).forEach(function (name) { C.setFieldError(name, ""); });
  }

  function showErrors(fields, subs) {
    var grouped = {};
    Object.keys(fields).forEach(function (name) {
      var where = target(name), message = fields[name];
      var index = /^subscription_ids\[(\d+)\]$/.exec(name);
      if (index && subs) { message = "subscription " + subs[+index[1]] + ": " + message; }
      grouped[where] = grouped[where] ? grouped[where] + "; " + message : message;
    });
    var first = null;
    INPUTS.concat(["form"]).forEach(function (name) {
      if (grouped[name]) { C.setFieldError(name, grouped[name]); first = first || name; }
    });
    if (first) {
      var focus = first === "mode" ? form.querySelector("input[name=mode]:checked") : $(first === "form" ? "submit" : first);
      if (focus) { focus.focus(); }
    }
  }

  /* Instructions follow the inputs: only well-formed GUIDs are ever placed in the commands. */
  function refreshHelp() {
    var federated = mode() === "federated";
    $("federated-help").hidden = !federated;
    $("secret-help").hidden = federated;
    var tenant = $("tenant_id").value.trim().toLowerCase();
    var link = $("signin-link"), proven = proof && proof.tenant === tenant;
    link.href = guid.test(tenant) ? "onboarding/signin?tenant_id=" + encodeURIComponent(tenant) : "#tenant_id";
    $("signin-hint").hidden = guid.test(tenant);
    $("proof-status").textContent = proven
      ? "Signed in: you administer this tenant. Submit the form within ten minutes of signing in." : "";
    var pasted = R.splitSubscriptions($("subscription_ids").value);
    $("subscription_ids-count").textContent = pasted.length
      ? pasted.length + " subscription id" + (pasted.length === 1 ? "" : "s") + " found" : "";
    showCommands("federated", K.federatedCommands(appId, pasted, rules.guid));
    showCommands("secret", K.secretCommands(pasted, rules.guid));
  }

  /* A script only when every value in it is known; otherwise no script, and what to fill in first. */
  function showCommands(which, built) {
    $(which + "-commands").textContent = built.script;
    $(which + "-commands").parentNode.hidden = !built.script;
    $(which + "-copy").hidden = !built.script;
    $(which + "-commands-missing").textContent = built.missing;
    $(which + "-commands-missing").hidden = !built.missing;
  }

  function list(items) { return items && items.length ? items.join(", ") : "—"; }

  function showResult(payload, accepted) {
    var validation = payload.validation || {subscriptions: []};
    var rows = validation.subscriptions || [];
    var tbody = document.querySelector("#validation-table tbody");
    C.clear(tbody);
    rows.forEach(function (s) {
      var tr = C.el("tr", null, {"class": s.ok ? "ok" : "bad"});
      var name = C.el("td");
      name.appendChild(C.el("span", s.display_name || "", {"class": "name"}));
      name.appendChild(C.el("code", s.subscription_id));
      tr.appendChild(name);
      var result = C.el("td");
      result.appendChild(C.el("span", s.ok ? "Ready" : "Not readable", {"class": s.ok ? "pill ok" : "pill bad"}));
      tr.appendChild(result);
      tr.appendChild(C.el("td", s.offer || "—"));
      tr.appendChild(C.el("td", list(s.roles_found)));
      tr.appendChild(C.el("td", list(s.missing)));
      tr.appendChild(C.el("td", list(s.excess), s.excess && s.excess.length ? {"class": "warn"} : {}));
      var notes = C.el("td");
      if (s.notes && s.notes.length) {
        var ul = C.el("ul");
        s.notes.forEach(function (n) { ul.appendChild(C.el("li", n)); });
        notes.appendChild(ul);
      } else { notes.textContent = "—"; }
      tr.appendChild(notes);
      tbody.appendChild(tr);
    });
    var usable = rows.filter(function (s) { return s.ok; }).length;
    $("result-summary").textContent = !accepted
      ? "None of the subscriptions can be read yet. Fix the roles shown below and submit the form again."
      : payload.state === "awaiting_roles"
        ? "None of the subscriptions can be read yet: roles may take a few minutes to appear. We check again " +
          "and e-mail you when your first review starts."
        : usable + " of " + rows.length + " subscriptions can be reviewed. Your first review has started.";
    $("result").hidden = false;
    if (accepted) {
      form.hidden = true;
      C.saveSession(payload.customer_id, payload.api_key);
      $("api-key").value = payload.api_key;
      $("customer-id").textContent = payload.customer_id;
      $("key-panel").hidden = false;
    }
    $("result-title").focus();
  }

  function submit(event) {
    event.preventDefault();
    clearErrors();
    var v = values();
    var problems = R.validate(v, rules);
    if (Object.keys(problems).length) { showErrors(problems, null); return; }
    /* A handle is spent by any answer that got past the form's fields: only a field error keeps it. */
    var spent = function (answer) {
      var fields = answer.status === 400 && answer.data && answer.data.fields ? Object.keys(answer.data.fields) : [];
      return !fields.length || fields.some(function (name) { return name.indexOf("auth") === 0; });
    };
    var request = R.buildRequest(v);
    var button = $("submit");
    button.disabled = true;
    $("form-status").textContent = "Checking access to each subscription. This can take a minute…";
    C.call("POST", "onboarding", request).then(function (answer) {
      $("form-status").textContent = "";
      if (request.auth.mode === "federated" && spent(answer)) { forgetProof(); refreshHelp(); }
      if (answer.status === 202) { sessionStorage.removeItem(SAVED_KEY); }
      if (answer.status === 202) { showResult(answer.data, true); return; }
      if (answer.status === 422 && answer.data.validation) { showResult(answer.data, false); return; }
      if (answer.status === 400 && answer.data.fields) { showErrors(answer.data.fields, request.subscription_ids); return; }
      var message = answer.data && answer.data.message ? answer.data.message : "Something went wrong.";
      if (answer.status === 429) { message = "Too many attempts. Please wait a while and try again."; }
      if (request.auth.mode === "federated" && answer.status !== 429) {
        message += " Sign in with Microsoft again before you retry.";
      }
      showErrors({form: message + (answer.status === 503 ? " Please try again in a moment." : "")}, null);
    }, function () {
      $("form-status").textContent = "";
      showErrors({form: "We could not reach Caleta. Check your connection and try again."}, null);
    }).then(function () { button.disabled = false; });
  }

  form.addEventListener("submit", submit);
  $("signin-link").addEventListener("click", function (event) {
    if (!guid.test($("tenant_id").value.trim())) {
      event.preventDefault();
      C.setFieldError("tenant_id", "enter your tenant id (a GUID) before you sign in");
      $("tenant_id").focus();
      return;
    }
    saveForm();
  });
  form.addEventListener("input", refreshHelp);
  form.addEventListener("change", refreshHelp);
  document.querySelectorAll("button.copy").forEach(function (button) {
    button.addEventListener("click", function () {
      var status = {"copy-key": "copy-status", "copy-admin-link": "admin-link-status"}[button.id] || "form-status";
      C.copyFrom(button.getAttribute("data-copy"), $(status));
    });
  });
  arrive();
  refreshHelp();
}());
