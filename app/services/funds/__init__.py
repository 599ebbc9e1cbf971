"""The fund side: funds and LPs, projects, investments, the ledgers, reversals, metrics."""
