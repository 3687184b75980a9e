"""Entra ID for Caleta: onboarding sign-in (OIDC code + PKCE), admin consent, ID- and admin-token validation.

Framework-free and storage-free: the onboarding routes and the admin API call these and keep what they must.

- signin:      new_signin(tenant_id) -> SigninStart; redeem_code(tenant_id, code, code_verifier, redirect_uri) -> str
- consent:     admin_consent_url(tenant_id, state) -> str; parse_consent_redirect(query) -> ConsentResult
- id_token:    verify_id_token(token, *, tenant_id, client_id, nonce) -> IdentityClaims
- admin_token: verify_admin_token(authorization_header) -> AdminCaller
- hashing:     hash_secret(value) -> str; pseudonym(key, value) -> str
- keys:        KeyCache, default_key_cache(), reset_key_cache()
- errors:      TokenRejected(check), EntraRefused(error, aadsts, status), EntraUnavailable

Nothing is imported here, so importing one module (shared/credentials.py uses `assertion`) loads no other.
"""
