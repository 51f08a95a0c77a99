"""Imports every model so that metadata (and Alembic) sees the whole schema."""
from programme.accounts.models import LoginFailure, User  # noqa: F401
from programme.budget.models import Allocation, BudgetLine, BudgetYears, FundingSource, StatedTotal  # noqa: F401
from programme.core.audit import AuditEntry  # noqa: F401
from programme.core.rate_limits import RateLimitCounter  # noqa: F401
from programme.impact.models import ImpactIndicator, ImpactMeasurement, ImpactTarget  # noqa: F401
from programme.initiatives.models import (CrossoverTask, Initiative, InitiativeArea,  # noqa: F401
                                          LearningQuestion, Organisation)
from programme.monitor.models import (Area, AreaChange, MdiRanking, MonitorEdition, MonitorIndicator,  # noqa: F401
                                      MonitorValue, SourceNote)
from programme.plan.models import Action, ActionPlanning, Deliverable, Goal, ImplementationLine, Theme  # noqa: F401
from programme.progress.models import PeriodEvent, ProgressRound, ProgressUpdate  # noqa: F401
from programme.progress.update_items import Evidence, IndicatorValue, Lesson, Risk, Spending  # noqa: F401
from programme.reports.models import (Delivery, IssuedReport, ReportBuild,  # noqa: F401
                                      ReportRecipient, ReportSchedule)
from programme.seed.models import ExampleRecord  # noqa: F401

# Each domain's Dutch names for the audit trail (core/audit_labels.py), once all models exist.
from programme.accounts import audit_labels as _accounts_audit  # noqa: F401,E402
from programme.budget import audit_labels as _budget_audit  # noqa: F401,E402
from programme.impact import audit_labels as _impact_audit  # noqa: F401,E402
from programme.initiatives import audit_labels as _initiatives_audit  # noqa: F401,E402
from programme.monitor import audit_labels as _monitor_audit  # noqa: F401,E402
from programme.plan import audit_labels as _plan_audit  # noqa: F401,E402
from programme.progress import audit_labels as _progress_audit  # noqa: F401,E402
from programme.reports import audit_labels as _reports_audit  # noqa: F401,E402
