"""Clinical notes: formats and sections (formats.py, no Django), individual notes
(services.py), group notes (group_notes.py, sections.py), addenda, co-signature rules,
psychotherapy notes, the note pages (selectors.py) and the worklist (worklist.py)."""
