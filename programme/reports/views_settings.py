"""The manager's report settings: schedules, recipients and a test e-mail to check the mail server."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from programme.core.editing import CONFLICT
from programme.core.forms import EmptyForm
from programme.core.edit_pages import edit_form, edit_page, button_action, save_version
from programme.core.operations import run
from programme.core.permissions import manager_required
from programme.reports import bp, mail, operations, queries
from programme.reports.forms import MailCheckForm, RecipientForm, ScheduleEditForm, ScheduleForm
from programme.reports.kinds import KIND_IN_SENTENCE, KIND_LABELS
from programme.reports.schedule_times import next_fire
from programme.reports.spans import today_in_amsterdam

# The fields of the schedule form, as its conflict screen compares them.
SCHEDULE_FIELDS = ("name", "days_after_period", "hour", "starts_on")


# ---------------------------------------------------------------- schedules

@bp.route("/rapportages/planning")
@manager_required
def schedule_list():
    found = queries.schedules()
    return render_template("reports/schedules.html", schedules=found,
                           next_fire={s.id: next_fire(s) for s in found}, button_form=EmptyForm())


@bp.route("/rapportages/planning/nieuw", methods=["GET", "POST"])
@manager_required
def schedule_create():
    form = ScheduleForm()
    if request.method == "GET":
        form.days_after_period.data, form.hour.data, form.starts_on.data = 15, 6, today_in_amsterdam()
    if form.validate_on_submit():
        outcome = run(operations.create_schedule, form.name.data, form.kind.data, form.days_after_period.data,
                      form.hour.data, form.starts_on.data, user=current_user, form=form)
        if outcome:
            flash(f"De planning ‘{outcome.result.name}’ is aangemaakt.", "success")
            return redirect(url_for("reports.schedule_list"))
    return render_template("reports/schedule_form.html", form=form, schedule=None)


@bp.route("/rapportages/planning/<int:schedule_id>/bewerken", methods=["GET", "POST"])
@manager_required
def schedule_edit(schedule_id: int):
    schedule = queries.get_schedule(schedule_id)
    form = edit_form(ScheduleEditForm, schedule)
    conflict = None
    if form.validate_on_submit():
        outcome = save_version(operations.update_schedule, schedule, name=form.name.data,
                               days_after_period=form.days_after_period.data, hour=form.hour.data,
                               starts_on=form.starts_on.data, user=current_user, form=form,
                               load=lambda: queries.get_schedule(schedule_id), names=SCHEDULE_FIELDS,
                               action="report_schedule.update")
        if outcome:
            flash(f"De planning ‘{schedule.name}’ is opgeslagen.", "success")
            return redirect(url_for("reports.schedule_list"))
        conflict = outcome.conflict
        schedule = outcome.result or schedule
    return edit_page("reports/schedule_form.html", form=form, schedule=schedule, conflict=conflict,
                     conflict_message=CONFLICT.format(what="deze planning"))


@bp.route("/rapportages/planning/<int:schedule_id>/stoppen", methods=["POST"], endpoint="schedule_deactivate",
          defaults={"active": False})
@bp.route("/rapportages/planning/<int:schedule_id>/aanzetten", methods=["POST"], endpoint="schedule_activate",
          defaults={"active": True})
@manager_required
def schedule_switch(schedule_id: int, active: bool):
    schedule = queries.get_schedule(schedule_id)
    return button_action(operations.activate if active else operations.deactivate, schedule, user=current_user,
                         done=f"De planning ‘{schedule.name}’ is {'aangezet' if active else 'gestopt'}.",
                         to=url_for("reports.schedule_list"), category="success")


# ---------------------------------------------------------------- recipients and the test e-mail

def _mail_check_form(**kwargs) -> MailCheckForm:
    form = MailCheckForm(**kwargs)
    if not form.is_submitted():
        form.to.data = current_user.email
    return form


@bp.route("/rapportages/ontvangers", methods=["GET", "POST"])
@manager_required
def recipients():
    form = RecipientForm()
    if form.validate_on_submit():
        outcome = run(operations.add_recipient, form.kind.data, form.email.data, form.name.data,
                      actor=current_user, form=form)
        if outcome:
            recipient = outcome.result
            flash(f"{recipient.email} ontvangt voortaan de {KIND_IN_SENTENCE[recipient.kind]}.", "success")
            return redirect(url_for("reports.recipients"))
    found = queries.recipients()
    by_kind = {kind: [r for r in found if r.kind == kind] for kind in KIND_LABELS}
    return render_template("reports/recipients.html", form=form, by_kind=by_kind, kinds=KIND_LABELS,
                           button_form=EmptyForm(), mail_form=_mail_check_form(),
                           mail_server=mail.mail_server_label())


@bp.route("/rapportages/testmail", methods=["POST"])
@manager_required
def send_mail_check():
    form = _mail_check_form()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        flash(" ".join(form.to.errors) or "Vul een geldig e-mailadres in.", "error")
        return redirect(url_for("reports.recipients"))
    outcome = run(operations.send_test_mail, form.to.data, actor=current_user)
    if outcome:  # committed with its audit entry, whatever the mail server said
        sent, message = outcome.result
        flash(message, "success" if sent else "error")
    return redirect(url_for("reports.recipients"))


@bp.route("/rapportages/ontvangers/<int:recipient_id>/pauzeren", methods=["POST"], endpoint="recipient_pause",
          defaults={"active": False})
@bp.route("/rapportages/ontvangers/<int:recipient_id>/hervatten", methods=["POST"], endpoint="recipient_resume",
          defaults={"active": True})
@manager_required
def recipient_switch(recipient_id: int, active: bool):
    recipient = queries.get_recipient(recipient_id)
    message = (f"{recipient.email} is {'weer actief' if active else 'gepauzeerd'} voor de "
               f"{KIND_IN_SENTENCE[recipient.kind]}.")
    return button_action(operations.set_recipient_active, recipient, active, actor=current_user,
                         done=lambda changed: message if changed else None, to=url_for("reports.recipients"),
                         category="success")


@bp.route("/rapportages/ontvangers/<int:recipient_id>/verwijderen", methods=["POST"])
@manager_required
def recipient_remove(recipient_id: int):
    recipient = queries.get_recipient(recipient_id)
    return button_action(operations.remove_recipient, recipient, actor=current_user,
                         done=f"{recipient.email} ontvangt de {KIND_IN_SENTENCE[recipient.kind]} niet meer.",
                         to=url_for("reports.recipients"), category="success")
