"""Generic Dutch error pages; no internals are ever shown."""
from flask import Flask, current_app, render_template
from flask_wtf.csrf import CSRFError

MESSAGES = {
    400: ("Ongeldig verzoek", "Het verzoek kon niet worden verwerkt."),
    403: ("Geen toegang", "U heeft geen rechten voor deze pagina of handeling."),
    404: ("Pagina niet gevonden", "De pagina die u zoekt bestaat niet (meer)."),
    405: ("Niet toegestaan", "Deze handeling is op deze pagina niet toegestaan."),
    413: ("Bestand te groot", "Het verstuurde bestand is groter dan toegestaan."),
    429: ("Te veel verzoeken", "U heeft te veel verzoeken gedaan. Probeer het later opnieuw."),
    500: ("Er ging iets mis", "Er is een onverwachte fout opgetreden. Probeer het later opnieuw."),
}


def render_error(code: int, detail: str | None = None, back: tuple[str, str] | None = None):
    """The page for an error; detail (a Dutch sentence saying why) and back (url, link text) only
    for a refused action that the user may retry elsewhere (core.permissions.refuse)."""
    title, text = MESSAGES.get(code, MESSAGES[500])
    return render_template("errors/error.html", code=code, title=title, text=detail or text, back=back), code


def server_error(_error):
    """The 500 page, also after a database error: the failed transaction is rolled back first (the
    page's header reads the signed-in user). When even that fails, the database is left alone and
    a page that reads nothing from it is shown."""
    from programme.core.extensions import db

    try:
        db.session.rollback()
        return render_error(500)
    except Exception:  # noqa: BLE001 - the error page itself must not fail
        current_app.logger.exception("the error page could not use the database")
    title, text = MESSAGES[500]
    return render_template("errors/plain.html", code=500, title=title, text=text), 500


def register(app: Flask) -> None:
    for code in MESSAGES:
        app.register_error_handler(code, lambda e, code=code: render_error(code))
    app.register_error_handler(500, server_error)

    @app.errorhandler(CSRFError)
    def csrf_error(_e):
        from programme.core.audit import record_refusal

        record_refusal("csrf", "CSRF-token ontbreekt of is ongeldig")
        return render_error(
            400,
            "Het formulier is verlopen of niet geldig (beveiligingscontrole). "
            "Laad de pagina opnieuw en probeer het nog eens.",
        )
