"""The initiatives' approved observations beside the monitor's figures: what progress lays over the monitor page.

The monitor is the lower layer and knows no progress updates: `register(app)` hands it a remark provider
(monitor/overlays.py) when the progress blueprint is registered. Which observations show is decided once, in
followup.counted_observations (the observations page reads the same)."""
from flask import Flask, url_for

from programme.monitor import overlays
from programme.monitor.overlays import Remark
from programme.progress.followup import counted_observations


def remarks(area_ids: list[int]) -> list[Remark]:
    """The counted observations on these areas, in one query."""
    if not area_ids:
        return []
    return [Remark(o.monitor_indicator_id, o.area_id, o.text,
                   f"{o.update.initiative}, {o.update.period.label}",
                   url_for("progress.view", update_id=o.update.id), "voortgangsbericht",
                   f" van {o.update.initiative.number} over {o.update.period.label}")
            for o in counted_observations(area_ids=area_ids)]


def register(app: Flask) -> None:
    overlays.register_remarks(app, remarks)
