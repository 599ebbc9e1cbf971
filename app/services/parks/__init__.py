"""The transfer parks: the register (``register``) and which projects belong to a park
(``membership``)."""
