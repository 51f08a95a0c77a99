"""Organisations, initiatives, their learning questions, areas, cross-overs and owners."""

from sqlalchemy import Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from programme.accounts.models import User
from programme.core.db import CreatedMixin, VersionedMixin, format_repr, label_of, link_table
from programme.core import permissions
from programme.core.extensions import db
from programme.core.sourced import SourcedMixin
from programme.monitor.models import Area, MonitorIndicator
from programme.plan.models import Theme

LINE_GEBIEDSGERICHT = "gebiedsgericht"
LINE_CROSSOVER = "crossover"
LINE_BOTH = "both"
LINE_LABELS = {
    LINE_GEBIEDSGERICHT: "Gebiedsgericht",
    LINE_CROSSOVER: "Cross-over",
    LINE_BOTH: "Gebiedsgericht en cross-over",
}

STATUS_LABELS = {
    "exploring": "In verkenning",
    "active": "Lopend",
    "completed": "Afgerond",
    "stopped": "Gestopt",
}

# Types of partner organisation, derived from the partner lists in the Uitvoeringsagenda
# (paragraphs 1.1.1-1.1.11). Ordered as the edit form groups them.
ORGANISATION_KINDS = {
    "municipality": "Gemeente",
    "province": "Provincie",
    "provincial_team": "Provinciaal team",
    "implementing": "Uitvoeringsorganisatie",
    "civil_society": "Maatschappelijke organisatie",
    "care_welfare": "Zorg en welzijn",
    "knowledge": "Kennis- of onderwijsinstelling",
    "business": "Bedrijf",
    "funder": "Financier",
    "residents": "Inwoners en inwonersinitiatief",
    "other": "Overige organisatie",
}

initiative_partners = link_table("initiative_partners", db.metadata, "initiatives.id", "organisations.id")
initiative_themes = link_table("initiative_themes", db.metadata, "initiatives.id", "themes.id")
initiative_crossovers = link_table("initiative_crossovers", db.metadata, "initiatives.id", "crossover_tasks.id")
initiative_owners = link_table("initiative_owners", db.metadata, "initiatives.id", "users.id")
# The toetsingskader: the monitor's resources (hulpbronnen, as monitor indicators) an initiative works on; indexed
# on the resource too, for the programme's matrix.
initiative_resources = link_table("initiative_resources", db.metadata, "initiatives.id", "monitor_indicators.id",
                                  index_right=True)


class Organisation(SourcedMixin, db.Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300), unique=True)
    kind: Mapped[str] = mapped_column(String(30), default="other")

    def __repr__(self) -> str:
        return format_repr(self, "name")

    @property
    def kind_label(self) -> str:
        return ORGANISATION_KINDS.get(self.kind, ORGANISATION_KINDS["other"])


class CrossoverTask(db.Model):
    """A provincial task an initiative crosses over with (energie, arbeidsmarkt, ...)."""

    __tablename__ = "crossover_tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)

    def __repr__(self) -> str:
        return format_repr(self, "name")


class InitiativeArea(db.Model):
    """An area of an initiative; `basis` says where the source puts it: the Gebiedsgericht
    column of Figuur 1 ('figuur') or the initiative's text ('tekst')."""

    __tablename__ = "initiative_areas"

    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id"), primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), primary_key=True)
    basis: Mapped[str] = mapped_column(String(10), primary_key=True)

    area: Mapped[Area] = relationship()

    def __repr__(self) -> str:
        return format_repr(self, "initiative_id", "area_id", "basis")


class Initiative(SourcedMixin, VersionedMixin, CreatedMixin, db.Model):
    __tablename__ = "initiatives"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    line: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="active")
    opgave: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    partners_text: Mapped[str | None] = mapped_column(Text)
    learning_question_summary: Mapped[str | None] = mapped_column(Text)
    role_province: Mapped[str | None] = mapped_column(Text)
    role_zet: Mapped[str | None] = mapped_column(Text)
    role_zorgbelang: Mapped[str | None] = mapped_column(Text)
    is_archived: Mapped[bool] = mapped_column(Boolean, default=False)

    partners: Mapped[list[Organisation]] = relationship(secondary=initiative_partners, order_by=Organisation.name)
    themes: Mapped[list[Theme]] = relationship(secondary=initiative_themes, order_by=Theme.position)
    crossover_tasks: Mapped[list[CrossoverTask]] = relationship(secondary=initiative_crossovers,
                                                                order_by=CrossoverTask.name)
    owners: Mapped[list[User]] = relationship(secondary=initiative_owners, order_by=User.name)
    area_links: Mapped[list[InitiativeArea]] = relationship(cascade="all, delete-orphan")
    resources: Mapped[list[MonitorIndicator]] = relationship(secondary=initiative_resources,
                                                             order_by=MonitorIndicator.position)
    learning_questions: Mapped[list["LearningQuestion"]] = relationship(
        back_populates="initiative", order_by="LearningQuestion.position")
    # Impact indicators live in a higher layer (impact): named here, never imported.
    indicators: Mapped[list["ImpactIndicator"]] = relationship(  # noqa: F821
        order_by="ImpactIndicator.position", viewonly=True)

    def __repr__(self) -> str:
        return format_repr(self, "number", "name")

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    @property
    def sort_key(self) -> tuple:
        return tuple(int(p) for p in self.number.split(".") if p.isdigit())

    line_label = label_of("line", LINE_LABELS)

    status_label = label_of("status", STATUS_LABELS)

    @property
    def figure_areas(self) -> list[Area]:
        return [link.area for link in self.area_links if link.basis == "figuur"]

    @property
    def text_areas(self) -> list[Area]:
        return [link.area for link in self.area_links if link.basis == "tekst"]

    @property
    def areas(self) -> list[Area]:
        seen = []
        for link in self.area_links:
            if link.area not in seen:
                seen.append(link.area)
        return seen

    def in_line(self, code: str) -> bool:
        return self.line == code or self.line == LINE_BOTH

    def can_view(self, user) -> bool:
        """Every signed-in user may read every initiative (its progress has rules of its own)."""
        return permissions.is_signed_in(user)

    def can_edit(self, user) -> bool:
        return permissions.is_manager(user)

    def is_owned_by(self, user) -> bool:
        return permissions.is_one_of(user, self.owners)

    def can_see_unapproved_progress(self, user) -> bool:
        """May this user read the initiative's progress updates before they are approved (drafts,
        submitted and returned ones)? Its owners and the programme managers; readers and owners of
        other initiatives see approved content only (ProgressUpdate.can_view)."""
        return permissions.is_manager(user) or self.is_owned_by(user)

    def can_report(self, user) -> bool:
        """May this user write progress for this initiative?"""
        return not self.is_archived and self.can_see_unapproved_progress(user)


class LearningQuestion(SourcedMixin, VersionedMixin, db.Model):
    """Leervraag: the heart of the learning approach; an initiative may have several."""

    __tablename__ = "learning_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    question: Mapped[str] = mapped_column(Text)
    context: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="open")

    initiative: Mapped[Initiative] = relationship(back_populates="learning_questions")

    STATUS_LABELS = {"open": "Open", "partly": "Deels beantwoord", "answered": "Beantwoord"}

    def __repr__(self) -> str:
        return format_repr(self, "id", "initiative_id")

    @property
    def status_label(self) -> str:
        return self.STATUS_LABELS.get(self.status, self.status)
