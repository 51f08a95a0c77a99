"""Impact: programme and initiative indicators, targets and measured values."""
