"""Documents attached to an agreement (the signed agreement), a quarter of an agreement (the
signed statement scan), an auditor's query and its answer, and an investment (the contract).

``content`` says what a file is from its bytes (never its name), under the hostile-file limits of
``app/services/limits.py``; ``names`` makes the uploaded name safe to show and to send;
``storage`` keeps the bytes (in the database); ``subjects`` finds the object a document belongs
to within the user's scope; ``attachments`` holds the use cases: list, attach, supersede,
download (audit-trailed). See docs/documents.md.
"""
