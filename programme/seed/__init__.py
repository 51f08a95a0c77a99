"""Seeding the programme from the facts copied out of the source documents (seed/data/*.yaml)."""
