"""Monitor writes: the manager's settings of monitor indicators (the trend threshold)."""
from decimal import Decimal

from programme.core.editing import apply_changes
from programme.core.operations import RuleError
from programme.monitor.models import MonitorIndicator

THRESHOLD_POSITIVE = "Vul een drempel groter dan 0 in, of laat het veld leeg voor de standaard."


def set_trend_threshold(indicator: MonitorIndicator, threshold: Decimal | None) -> bool:
    """None: back to the default of the indicator's unit. False when nothing changed."""
    if threshold is not None and threshold <= 0:
        raise RuleError("trend_threshold", THRESHOLD_POSITIVE)
    return apply_changes(indicator, "monitor_indicator.update", {"trend_threshold": threshold})
