"""The flow every edit page shares: form from record, versioned save or removal, page with conflict box.

A versioned record (with a `version` column) is loaded by a view's loader; the form carries the
version it was loaded from. `save_version` hands that version to the operation and tells run() how to
show a refusal because someone saved in between (`Stale`). `edit_page` renders with status 409 when
the conflict box has something to show. Parts of a record (a target, a planning, a budget line) have
their own page with a removal button: `part_page` and `remove_part` give them one wording, `PartPages` their
add, edit and remove routes.
POST-only buttons check their empty form (`require_button_form`, `button_action`); a pair of them
shares one view (`switch_routes`)."""
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for

from programme.core.editing import CONFLICT, VersionedForm
from programme.core.extensions import db
from programme.core.forms import EmptyForm
from programme.core.operations import Outcome, Stale, run
from programme.core.permissions import manager_required

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


def switch_routes(bp, rule: str, flag: str, *, on: tuple[str, str], off: tuple[str, str]):
    """One view behind a pair of POST-only buttons (archive and unarchive, switch on and off):
    `rule`/on[0] is endpoint on[1] and calls it with `flag`=True, `rule`/off[0] endpoint off[1] with False."""
    def register(view):
        for (path, endpoint), value in ((off, False), (on, True)):
            view = bp.route(f"{rule}/{path}", methods=["POST"], endpoint=endpoint, defaults={flag: value})(view)
        return view
    return register


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


def form_flow(form, save: Callable[[], Outcome], *, done: str | Callable[[Any], str],
              to: str | Callable[[Any], str], page: Callable[[], Any], category: str = "info"):
    """A page whose form runs one operation: `page()` until the form is valid and `save()` (run() of
    the operation, called only then, so it reads the validated fields) succeeded; then `done` (a text,
    or made from the result) is flashed and the user goes to `to` (a URL, or made from the result)."""
    if form.validate_on_submit():
        outcome = save()
        if outcome:
            flash(done(outcome.result) if callable(done) else done, category)
            return redirect(to(outcome.result) if callable(to) else to)
    return page()


def add_flow(operation: Callable, owner, form, *, names, added: str, done_url: str, page: Callable):
    """The page that adds a part to `owner` from the form's fields `names`: `page(None, form)` until the
    operation succeeds, then `added` is flashed and the user goes to `done_url`."""
    return form_flow(form, lambda: run(operation, owner, form_data(form, names), form=form), done=added,
                     to=done_url, page=lambda: page(None, form))


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


def _named(name: str, view: Callable[[dict], Any]) -> Callable:
    """A view function called `name` that hands its URL's values to `view` as one dict."""
    def endpoint(**ids):
        return view(ids)
    endpoint.__name__ = endpoint.__qualname__ = name
    return endpoint


@dataclass
class PartPages:
    """The add, edit and remove pages of one kind of versioned part of an owner (a target of an
    indicator, a planning of an action), for managers; `routes` adds them to a blueprint.
    `get(owner_id, part_id)` loads a part (404 otherwise) and `load_owner(owner_id)` its owner;
    `page(owner, part, form, conflict=None, deleting=False, **urls)` renders one with part_page, given
    its back_url and save_url; `audit` is the audit name of the part ('impact_target'), `subject` starts
    the flashed sentences ('De streefwaarde'), `list_url(owner_id)` is where the parts are listed and
    `refused_url(owner_id, part_id)` where a removal that a rule refused is flashed."""

    get: Callable[[int, int], Any]
    load_owner: Callable[[int], Any]
    owner_of: Callable[[Any], Any]
    page: Callable
    new_form: Callable
    form: Callable
    names: tuple[str, ...]
    add: Callable
    update: Callable
    delete: Callable
    audit: str
    subject: str
    list_url: Callable[[int], str]
    refused_url: Callable[[int, int], str]
    name: str = ""  # '<blueprint>.{}_<name>': the endpoints, set by routes()
    keys: tuple[str, str] = ("", "")  # the URL's names of the owner's id and the part's id, set by routes()

    def routes(self, bp, rule: str, *, name: str, owner_key: str, part_key: str) -> None:
        """new_<name>, edit_<name> and remove_<name> below `rule`, which ends in the owner's id
        `owner_key` ('/acties/<int:action_id>/planning'); a part's pages add its id `part_key`."""
        self.keys, self.name = (owner_key, part_key), f"{bp.name}.{{}}_{name}"
        views = (("new", "/nieuw", lambda ids: self.new(self.load_owner(ids[owner_key]))),
                 ("edit", f"/<int:{part_key}>/bewerken", lambda ids: self.edit(ids[owner_key], ids[part_key])),
                 ("remove", f"/<int:{part_key}>/verwijderen", lambda ids: self.remove(ids[owner_key], ids[part_key])))
        for verb, path, view in views:
            endpoint = f"{verb}_{name}"
            bp.add_url_rule(rule + path, endpoint, manager_required(_named(endpoint, view)),
                            methods=["POST"] if verb == "remove" else ["GET", "POST"])

    def _page(self, owner, part, form, conflict=None, deleting=False):
        owner_key, part_key = self.keys
        save_url = (url_for(self.name.format("edit"), **{owner_key: owner.id, part_key: part.id}) if part
                    else url_for(self.name.format("new"), **{owner_key: owner.id}))
        return self.page(owner, part, form, conflict, deleting, back_url=self.list_url(owner.id), save_url=save_url)

    def new(self, owner):
        return add_flow(self.add, owner, self.new_form(), names=self.names, added=f"{self.subject} is toegevoegd.",
                        done_url=self.list_url(owner.id), page=partial(self._page, owner))

    def edit(self, owner_id: int, part_id: int):
        part = self.get(owner_id, part_id)
        return edit_flow(self.update, part, edit_form(self.form, part), names=self.names,
                         load=lambda: self.get(owner_id, part_id), action=f"{self.audit}.update",
                         saved=f"{self.subject} is opgeslagen.", done_url=self.list_url(owner_id),
                         page=partial(self._page, self.owner_of(part)))

    def remove(self, owner_id: int, part_id: int):
        return remove_part(
            self.delete, self.get(owner_id, part_id), load=lambda: self.get(owner_id, part_id),
            action=f"{self.audit}.delete", removed=f"{self.subject} is verwijderd.", done_url=self.list_url(owner_id),
            refused_url=self.refused_url(owner_id, part_id),
            page=lambda part: self._page(self.owner_of(part), part, self.form(formdata=None, obj=part), [],
                                         deleting=True))
