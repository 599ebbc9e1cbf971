"""Settlement of the money the statements decide (settlement.md)."""
