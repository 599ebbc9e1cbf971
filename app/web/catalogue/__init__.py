"""The transfer guidance catalogue: editions, their entries, the changes an edition made, and a
person's decision on a project to be reviewed."""

from app.web.catalogue.views import bp

__all__ = ["bp"]
