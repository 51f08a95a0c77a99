"""The programme's structure: goals, implementation lines, themes, prestaties and actions."""
