/* The onboarding form's rules, mirroring the server's request model (the patterns come from the server).
   Pure functions: the page uses them, and the unit tests run this same file under Node. */
"use strict";
(function (root) {
  /* The server refuses Unicode categories Cc, Cf, Zl and Zp in the company name (controls, bidi overrides,
     zero-width characters, line separators). */
  var REFUSED_TEXT = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;
  var TEXT_MSG = "must not contain control, invisible formatting or line-separator characters";

  function compile(rules) {
    return {
      guid: new RegExp(rules.guid), email: new RegExp(rules.email), emailMax: rules.email_max,
      companyMax: rules.company_max, secretMax: rules.secret_max, subsMax: rules.subscriptions_max,
      schedules: rules.schedules
    };
  }

  /* Subscription ids pasted with any separator; "/subscriptions/<id>" resource ids are accepted too. */
  function splitSubscriptions(text) {
    var seen = {}, out = [];
    String(text || "").split(/[^0-9A-Za-z-]+/).forEach(function (token) {
      if (!token || token.toLowerCase() === "subscriptions") { return; }
      var key = token.toLowerCase();
      if (!seen[key]) { seen[key] = true; out.push(token); }   // repeats are dropped, not refused
    });
    return out;
  }

  /* Characters as Python counts them (code points), not UTF-16 units. */
  function length(text) { return Array.from(text).length; }

  function buildRequest(values) {
    var auth = values.mode === "client_secret"
      ? {mode: "client_secret", client_id: String(values.client_id || "").trim(),
         client_secret: String(values.client_secret || "")}
      : values.mode === "federated" ? {mode: "federated", proof: String(values.proof || "")}
      : {mode: String(values.mode || "")};
    return {
      company: String(values.company || "").trim(),
      contact_email: String(values.contact_email || "").trim(),
      tenant_id: String(values.tenant_id || "").trim(),
      auth: auth,
      subscription_ids: splitSubscriptions(values.subscriptions_text),
      schedule: String(values.schedule || "weekly")
    };
  }

  /* Field name -> plain message for every field the server would refuse ({} when all is well). */
  function validate(values, rules) {
    var r = compile(rules), req = buildRequest(values), fields = {};
    var GUID_MSG = "must be a GUID like 00000000-0000-0000-0000-000000000000";
    if (!req.company) { fields.company = "required"; }
    else if (length(req.company) > r.companyMax) { fields.company = "at most " + r.companyMax + " characters"; }
    else if (REFUSED_TEXT.test(req.company)) { fields.company = TEXT_MSG; }
    if (!req.contact_email) { fields.contact_email = "required"; }
    else if (length(req.contact_email) > r.emailMax || !r.email.test(req.contact_email)) {
      fields.contact_email = "must be an e-mail address like name@example.com";
    }
    if (!req.tenant_id) { fields.tenant_id = "required"; }
    else if (!r.guid.test(req.tenant_id)) { fields.tenant_id = GUID_MSG; }
    var subs = req.subscription_ids;
    if (subs.length === 0) { fields.subscription_ids = "paste at least one subscription id"; }
    else if (subs.length > r.subsMax) { fields.subscription_ids = "at most " + r.subsMax + " subscription ids"; }
    else {
      var bad = subs.filter(function (s) { return !r.guid.test(s); });
      if (bad.length) {
        fields.subscription_ids = "not a subscription id (a GUID): " + bad.slice(0, 5).join(", ") +
          (bad.length > 5 ? " and " + (bad.length - 5) + " more" : "");
      }
    }
    if (req.auth.mode === "client_secret") {
      if (!req.auth.client_id) { fields["auth.client_id"] = "required"; }
      else if (!r.guid.test(req.auth.client_id)) { fields["auth.client_id"] = GUID_MSG; }
      var secret = req.auth.client_secret.trim();
      if (!secret) { fields["auth.client_secret"] = "required"; }
      else if (length(secret) > r.secretMax) { fields["auth.client_secret"] = "at most " + r.secretMax + " characters"; }
    } else if (req.auth.mode === "federated") {
      if (!req.auth.proof) { fields["auth.proof"] = "sign in with Microsoft first (step 1 below)"; }
    } else {
      fields["auth.mode"] = "choose how Caleta signs in";
    }
    if (r.schedules.indexOf(req.schedule) < 0) { fields.schedule = "choose a schedule"; }
    return fields;
  }

  var api = {splitSubscriptions: splitSubscriptions, buildRequest: buildRequest, validate: validate};
  if (typeof module !== "undefined" && module.exports) { module.exports = api; } else { root.CaletaRules = api; }
}(typeof window !== "undefined" ? window : this));
