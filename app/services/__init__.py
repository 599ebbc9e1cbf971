"""Use cases: take a Session and plain values, check business rules, flush; never commit."""
