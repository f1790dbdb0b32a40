"""The error tree: errors cross process boundaries (the verification workers) intact."""

from __future__ import annotations

import pickle

from vcengine.errors import Aborted, Busy, InputError, Overloaded, SchemaError, VcengineError


def test_errors_pickle_with_their_type_message_path_and_attributes() -> None:
    error = SchemaError("must be a URL", path="$.issuer.id")
    error.details = ["one", "two"]  # type: ignore[attr-defined]
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is SchemaError
    assert (copy.message, copy.path, str(copy)) == (
        "must be a URL",
        "$.issuer.id",
        "$.issuer.id: must be a URL",
    )
    assert copy.details == ["one", "two"]
    plain = pickle.loads(pickle.dumps(InputError("bad")))
    assert (plain.message, plain.path, str(plain)) == ("bad", None, "bad")


def test_capacity_errors_are_overloaded_not_input_errors() -> None:
    for kind in (Busy, Aborted):
        assert issubclass(kind, Overloaded) and issubclass(kind, VcengineError)
        assert not issubclass(kind, InputError)
