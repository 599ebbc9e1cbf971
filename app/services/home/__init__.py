"""Each role's home page: key figures and to-do lists."""
