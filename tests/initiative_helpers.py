"""Throw-away initiatives for mutating tests, removed again at the end of the module
(the seed tests count the seeded initiatives in the shared test database)."""
from sqlalchemy import delete

from programme.core.extensions import db as _db
from programme.initiatives.models import Initiative, LearningQuestion


def remove_initiatives(app, ids: list[int]) -> None:
    with app.app_context():
        for initiative_id in ids:
            _db.session.execute(delete(LearningQuestion).where(LearningQuestion.initiative_id == initiative_id))
            item = _db.session.get(Initiative, initiative_id)
            if item is not None:
                _db.session.delete(item)
        _db.session.commit()
    ids.clear()
