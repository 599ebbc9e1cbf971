"""IRRs remembered between computations of a fund's metrics.

An IRR depends only on its dated flows, and finding one (exact, see domain/xirr.py) is the
costly part of a fund's metrics: a nation-scale fund holds thousands of investments. When a
write makes the fund's snapshot outdated (a fee, one ledger row), almost every investment's
flows are unchanged, so the rates stored beside the outdated snapshot are reused, looked up by
a digest of the flows; only changed flows are solved again. The digest covers every flow's date
and exact amount (``str`` of the Decimal), so equal digests mean equal flows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from decimal import Decimal

from app.domain.fund_metrics import Flows
from app.domain.xirr import xirr


def flows_digest(flows: Flows) -> str:
    """A 128-bit digest of dated flows in their order (dates ISO, amounts as exact text)."""
    text = ";".join(f"{on.isoformat()},{amount}" for on, amount in flows)
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


class IrrMemo:
    """``xirr`` through a memo: rates known by digest are reused, others solved; every rate
    used is recorded under the date of its flows' last flow (the as-of date the metrics append
    it at), to be stored beside that date's snapshot."""

    def __init__(self, known: dict[str, str | None]):
        self._known = known
        self.used: dict[dt.date, dict[str, str | None]] = defaultdict(dict)
        self.solved = 0
        """How many rates were solved rather than remembered."""

    def __call__(self, flows: Flows) -> Decimal | None:
        digest = flows_digest(flows)
        if digest in self._known:
            text = self._known[digest]
            rate = None if text is None else Decimal(text)
        else:
            rate = xirr(flows)
            self.solved += 1
            text = None if rate is None else str(rate)
            self._known[digest] = text
        if flows:
            self.used[flows[-1][0]][digest] = text
        return rate
