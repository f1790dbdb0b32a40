"""Moodle web-service requests and answers (``core.lms.moodle_ws``)."""

from __future__ import annotations

import urllib.parse

import pytest

from vcengine.core.lms.moodle_ws import read_user, users_by_id_url
from vcengine.errors import InputError, NotFound


def test_the_request_names_the_function_json_and_the_user() -> None:
    url = users_by_id_url("https://moodle.example/lms/", "tok&en", "23")
    parts = urllib.parse.urlsplit(url)
    assert parts.path == "/lms/webservice/rest/server.php"
    assert dict(urllib.parse.parse_qsl(parts.query)) == {
        "wstoken": "tok&en",
        "wsfunction": "core_user_get_users_by_field",
        "moodlewsrestformat": "json",
        "field": "id",
        "values[0]": "23",
    }


def test_answers() -> None:
    user = {"id": 23, "fullname": "Ada Lovelace", "email": "ada@moodle.example"}
    assert read_user([user], "23") == ("ada@moodle.example", "Ada Lovelace")
    assert read_user([{**user, "fullname": ""}], "23") == ("ada@moodle.example", None)
    with pytest.raises(NotFound, match="no user 23"):
        read_user([], "23")
    with pytest.raises(NotFound, match="no email"):
        read_user([{"id": 23, "fullname": "Ada"}], "23")  # the service lacks moodle/user:viewhiddendetails
    error = {
        "exception": "moodle_exception",
        "errorcode": "invalidtoken",
        "message": "Invalid token - token not found",
    }
    with pytest.raises(InputError, match="invalidtoken: Invalid token"):
        read_user(error, "23")
    with pytest.raises(InputError, match="not a list"):
        read_user({"users": []}, "23")
