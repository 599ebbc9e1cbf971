"""Notifications: the outbox of events told to users (``outbox``, ``events``, ``recipients``),
their texts in either language (``texts``), the inbox (``inbox``) and e-mail delivery
(``delivery``, ``mailer``). Below funds, sharing and reporting, which raise the events."""
