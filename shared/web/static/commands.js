/* The Azure CLI commands the onboarding page shows, built from the form's values. They run verbatim in Bash
   (Azure Cloud Shell in Bash mode), so no placeholder is ever put in one: pasted into Bash, `<appId>` is an
   input redirection. A value the page does not know yet means no command, and a note that says what to fill
   in first; a value that only Azure knows (an object id, a new app's id) comes from an earlier command
   through a shell variable. Only well-formed GUIDs are interpolated. Pure functions: the page uses them, and
   the unit tests run this same file under Node.

   Azure CLI reference (learn.microsoft.com/cli/azure; help texts from Azure/azure-cli role/_params.py):
   - `az ad sp show --id`: "service principal name, or object id"; a service principal's names include its
     app id (role/custom.py _resolve_service_principal), and `--query id` is its object id.
   - `az ad sp create-for-rbac --name --role --scopes`: `--scopes` is a "Space-separated list of scopes the
     service principal's role assignment applies to"; the result has appId, password, displayName, tenant.
   - `az role assignment create --assignee-object-id`: "For service principals, use the object id and not the
     app id"; `--assignee-principal-type ServicePrincipal`: "use with --assignee-object-id to avoid errors
     caused by propagation latency" (a service principal created or consented moments ago; Azure RBAC,
     role-assignments-cli.md); `--role`, `--scope`.
   - `--query` (JMESPath) with `-o tsv`: a list of values prints one value per line (knack output.py).
*/
"use strict";
(function (root) {
  var SP_NAME = "caleta-cost-review";

  /* The GUIDs among `values`, lower-cased, each once, in order (anything else is never put in a command). */
  function guids(values, guid) {
    var seen = {}, out = [];
    (values || []).forEach(function (value) {
      var id = String(value).trim().toLowerCase();
      if (guid.test(id) && !seen[id]) { seen[id] = true; out.push(id); }
    });
    return out;
  }

  function assignRole(variable, role) {
    return "az role assignment create --assignee-object-id \"$" + variable + "\" " +
      "--assignee-principal-type ServicePrincipal --role \"" + role + "\" --scope \"/subscriptions/$sub\"";
  }

  function noSubscriptions() {
    return {script: "", missing: "Enter your subscription ids above first: the commands name each of them."};
  }

  /* Federated mode: Caleta's app (consented in step 1) gets Reader and Cost Management Reader on each
     subscription. Its object id in the customer's tenant is looked up by its app id. */
  function federatedCommands(appId, subscriptionIds, guidPattern) {
    var guid = new RegExp(guidPattern);
    var app = String(appId || "").trim().toLowerCase();
    if (!guid.test(app)) {
      return {script: "", missing: "Caleta's application id is missing from this page, so no commands can be " +
        "shown. Please tell Caleta."};
    }
    var subs = guids(subscriptionIds, guid);
    if (!subs.length) { return noSubscriptions(); }
    return {missing: "", script: [
      "CALETA_SP_ID=$(az ad sp show --id " + app + " --query id -o tsv)",
      "if [ -z \"$CALETA_SP_ID\" ]; then",
      "  echo \"Caleta's app is not in your tenant yet: an administrator signs in with Microsoft (step 1), then run this again.\"",
      "else",
      "  for sub in " + subs.join(" ") + "; do",
      "    " + assignRole("CALETA_SP_ID", "Reader"),
      "    " + assignRole("CALETA_SP_ID", "Cost Management Reader"),
      "  done",
      "fi"
    ].join("\n")};
  }

  /* Client-secret mode: a new service principal with Reader on every subscription (create-for-rbac takes
     one role), then Cost Management Reader by its object id, looked up by app id (retried for a minute: the
     new principal may not be found at once); the app id and secret are printed at the end. */
  function secretCommands(subscriptionIds, guidPattern) {
    var subs = guids(subscriptionIds, new RegExp(guidPattern));
    if (!subs.length) { return noSubscriptions(); }
    var scopes = subs.map(function (s) { return "/subscriptions/" + s; }).join(" ");
    return {missing: "", script: [
      "CREDENTIALS=$(az ad sp create-for-rbac --name \"" + SP_NAME + "\" --role \"Reader\" --scopes " + scopes +
        " --query \"[appId, password]\" -o tsv)",
      "APP_ID=$(echo \"$CREDENTIALS\" | head -n 1)",
      "SP_ID=\"\"",
      "if [ -n \"$APP_ID\" ]; then",
      "  for attempt in 1 2 3 4 5 6; do  # a new service principal can take a moment to be found",
      "    SP_ID=$(az ad sp show --id \"$APP_ID\" --query id -o tsv) && break",
      "    sleep 10",
      "  done",
      "fi",
      "if [ -z \"$SP_ID\" ]; then",
      "  echo \"No service principal was found: see the errors above, then run this again.\"",
      "else",
      "  for sub in " + subs.join(" ") + "; do",
      "    " + assignRole("SP_ID", "Cost Management Reader"),
      "  done",
      "  echo \"Application (client) id: $APP_ID\"",
      "  echo \"Client secret: $(echo \"$CREDENTIALS\" | tail -n 1)\"",
      "fi"
    ].join("\n")};
  }

  var api = {federatedCommands: federatedCommands, secretCommands: secretCommands};
  if (typeof module !== "undefined" && module.exports) { module.exports = api; } else { root.CaletaCommands = api; }
}(typeof window !== "undefined" ? window : this));
