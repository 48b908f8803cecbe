"""Discharge: the discharge summary, the aftercare and relapse-prevention plan, their
PDFs, the support-group directory and the per-program discharge gate."""
