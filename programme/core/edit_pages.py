"""The flow every edit page shares: form from record, versioned save or removal, page with conflict box.

A versioned record (with a `version` column) is loaded by a view's loader; the form carries the
version it was loaded from. `save_version` hands that version to the operation and tells run() how to
show a refusal because someone saved in between (`Stale`). `edit_page` renders with status 409 when
the conflict box has something to show. Parts of a record (a target, a planning, a budget line) have
their own page with a removal button: `part_page` and `remove_part` give them one wording.
POST-only buttons check their empty form (`require_button_form`, `button_action`)."""
from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect, render_template, request

from programme.core.editing import CONFLICT, VersionedForm
from programme.core.extensions import db
from programme.core.forms import EmptyForm
from programme.core.operations import Outcome, Stale, run

SAME = "Uw invoer is gelijk aan wat nu is opgeslagen."
NOTHING_CHANGED = "Er was niets gewijzigd."
NOT_REMOVED = ("Iemand anders heeft {what} gewijzigd nadat u de pagina opende. {it} is niet verwijderd. "
               "Hieronder staat wat nu is opgeslagen; verwijder opnieuw als dat nog steeds de bedoeling is.")


def part_or_404(model, part_id: int, **owner):
    """A part of this owner (`action_id=action.id`); 404 for one of another owner (a forged id in the URL)."""
    part = db.session.get(model, part_id)
    if part is None or any(getattr(part, name) != value for name, value in owner.items()):
        abort(404)
    return part


def edit_form(form_class: Callable, obj, **kwargs):
    """Only the GET fills the form from the record: a POST without the version must not inherit it."""
    return form_class(obj=obj, **kwargs) if request.method == "GET" else form_class(**kwargs)


def form_data(form, names) -> dict:
    """The plain values of these fields, as an operation takes them."""
    return {name: form[name].data for name in names}


def require_button_form() -> None:
    """POST-only buttons: the CSRF token is checked by CSRFProtect, the empty form must validate too."""
    if not EmptyForm().validate_on_submit():
        abort(400)


def button_action(operation: Callable, *args, done: str | Callable[[Any], str | None] | None, to: str,
                  category: str = "info", **kwargs):
    """A POST-only button (archive, switch on or off, send again): check its empty form, run the
    operation, flash `done` after the commit (a text, or made from the result; None: nothing to say)
    and go to `to`. A refusal is flashed by run()."""
    require_button_form()
    outcome = run(operation, *args, **kwargs)
    message = done(outcome.result) if callable(done) and outcome else done if outcome else None
    if message:
        flash(message, category)
    return redirect(to)


def save_version(operation: Callable, obj, *args, form, load: Callable[[], Any], names=(), action: str,
                 compare: Callable | None = None, **kwargs) -> Outcome:
    """run(operation, obj, *args, **kwargs) for a versioned record: the operation expects the version the
    form was loaded from; when it was stale, `load` reloads the record and `names` (or `compare`) give
    the differences, the refusal is audited as `action`."""
    return run(operation, obj, *args, expected_version=int(form.version.data), form=form,
               stale=Stale(load, names, action, compare), **kwargs)


def add_flow(operation: Callable, owner, form, *, names, added: str, done_url: str, page: Callable):
    """The page that adds a part to `owner` from the form's fields `names`: `page(None, form)` until the
    operation succeeds, then `added` is flashed and the user goes to `done_url`."""
    if form.validate_on_submit() and run(operation, owner, form_data(form, names), form=form):
        flash(added, "info")
        return redirect(done_url)
    return page(None, form)


def edit_flow(operation: Callable, obj, form, *, names, load: Callable[[], Any], action: str, saved: str,
              done_url: str, page: Callable, data: dict | None = None):
    """The edit page of a versioned record: `page(obj, form)` until the form is valid; then the fields
    `names` (or the values `data`) are saved, `saved` (or that nothing changed) is flashed and the user
    goes to `done_url`; a stale form shows `page(stored record, form, conflict rows)`."""
    if not form.validate_on_submit():
        return page(obj, form)
    outcome = save_version(operation, obj, form_data(form, names) if data is None else data, form=form, load=load,
                           names=names, action=action)
    if outcome:
        flash(saved if outcome.result else NOTHING_CHANGED, "info")
        return redirect(done_url)
    return page(outcome.result or obj, form, outcome.conflict)


def edit_page(template: str, *, conflict: list | None = None, **context):
    """An edit page; 409 when it shows the stored values beside a refused (stale) save."""
    return render_template(template, conflict=conflict, **context), 409 if conflict is not None else 200


def part_page(template: str, part, *, what: str, it: str, noun: str, conflict=None, deleting=False, **context):
    """The page of a part of a record (`part`, None for a new one) with its removal button. `what` names
    it in a sentence ('deze planning'), `it` starts one ('De planning'), `noun` is the title's subject
    ('de planning'): a refused removal and a refused save each get their own wording."""
    return edit_page(
        template, conflict=conflict,
        conflict_title=("Niet verwijderd" if deleting else "Niet opgeslagen") + f": {noun} is intussen gewijzigd",
        conflict_message=NOT_REMOVED.format(what=what, it=it) if deleting else CONFLICT.format(what=what),
        same_text=None if deleting else SAME,
        remove_form=VersionedForm(formdata=None, obj=part) if part else None, **context)


def remove_part(operation: Callable, part, *, load: Callable[[], Any], action: str, removed: str, done_url: str,
                refused_url: str, page: Callable):
    """The removal button of a versioned part: after the removal flash `removed` and go to `done_url`;
    a rule's refusal is flashed on `refused_url`; a stale button shows `page(stored part)` with the
    conflict box."""
    form = VersionedForm()
    if not form.validate_on_submit():
        abort(400)
    outcome = run(operation, part, expected_version=int(form.version.data), form=form,
                  stale=Stale(load, (), action))
    if outcome:
        flash(removed, "info")
        return redirect(done_url)
    if outcome.conflict is None:  # a rule refused it: the message is flashed
        return redirect(refused_url)
    return page(outcome.result)
