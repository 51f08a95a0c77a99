"""Forms of the monitor: the manager's trend threshold of a monitor indicator."""
from programme.core.forms import BaseForm
from programme.core.numbers import NumberField


class ThresholdForm(BaseForm):
    trend_threshold = NumberField("Drempel")
