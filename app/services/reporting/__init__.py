"""The quarterly PDF reports: their builders, the region figures, issuing and verifying."""
