"""Dutch names of initiatives and learning questions and their fields in the audit trail."""
from programme.core.audit_labels import CHOICE, Field, describe
from programme.initiatives.models import LINE_LABELS, STATUS_LABELS, LearningQuestion
from programme.initiatives.operations import FIELD_LABELS

describe("Initiative", "Initiatief", {
    **FIELD_LABELS,
    "resources": "Hulpbronnen (toetsingskader)",
    "status": Field(FIELD_LABELS["status"], CHOICE, STATUS_LABELS),
    "line": Field(FIELD_LABELS["line"], CHOICE, LINE_LABELS),
}, title=lambda initiative: f"{initiative.number} {initiative.name}")

describe("LearningQuestion", "Leervraag", {
    "question": "Leervraag",
    "context": "Toelichting",
    "status": Field("Status", CHOICE, LearningQuestion.STATUS_LABELS),
}, title=lambda item: item.question)
