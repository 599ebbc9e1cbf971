"""Demo and scale data: a client of the services, like the command line (no use case calls it)."""
