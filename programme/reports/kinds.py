"""The kinds of report (GS quarterly, PS half-yearly, factsheet): their codes, Dutch names and span length."""

GS_QUARTERLY = "gs_kwartaal"
PS_HALF_YEARLY = "ps_halfjaar"
FACTSHEET = "factsheet"
KIND_LABELS = {
    GS_QUARTERLY: "Voortgangsrapportage GS (kwartaal)",
    PS_HALF_YEARLY: "Informatierapportage PS (halfjaar)",
    FACTSHEET: "Factsheet per initiatief",
}
# The kind inside a sentence ("u ontvangt de voortgangsrapportage voor GS") and at the head of a
# report's title ("Voortgangsrapportage GS, vierde kwartaal 2026").
KIND_IN_SENTENCE = {
    GS_QUARTERLY: "voortgangsrapportage voor GS",
    PS_HALF_YEARLY: "informatierapportage voor PS",
    FACTSHEET: "factsheet per initiatief",
}
KIND_TITLES = {GS_QUARTERLY: "Voortgangsrapportage GS", PS_HALF_YEARLY: "Informatierapportage PS",
               FACTSHEET: "Factsheet"}
# How long the span of each kind is: a quarter or a half year.
KIND_SPAN_MONTHS = {GS_QUARTERLY: 3, PS_HALF_YEARLY: 6, FACTSHEET: 3}
# The kinds a schedule can build (a factsheet is asked for one initiative at a time).
SCHEDULABLE_KINDS = (GS_QUARTERLY, PS_HALF_YEARLY)
