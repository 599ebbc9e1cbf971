"""Who may do what: users and sign-in, API tokens, scopes, the audit trail."""
