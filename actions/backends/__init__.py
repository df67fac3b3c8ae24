"""Account/card back-ends behind one interface (base.AccountBackend)."""
