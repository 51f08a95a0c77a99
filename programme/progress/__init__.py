"""Reporting periods and progress updates (voortgangsberichten) with their review workflow."""
