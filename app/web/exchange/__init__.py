"""Import and export: upload, dry-run preview, confirm; XLSX templates; exports of lists."""

from app.web.exchange.views import bp

__all__ = ["bp"]
