"""bulkIssueCsv over a real uvicorn server: a GraphQL multipart upload (the client builds the
request per the GraphQL multipart request spec), dry runs, errors by line, all-or-nothing, and
sending the same file twice."""

from __future__ import annotations

import json
from typing import Any

from tests.api.conftest import LiveServer

MUTATION = """
mutation($input: BulkIssueCsvInput!) {
  bulkIssueCsv(input: $input) {
    bulkId dryRun rowCount validCount issuedCount replayedCount failedCount
    rows { line column replayed credential { id status recipient { email name } }
           userErrors { field message code } }
    userErrors { field message code }
  }
}"""


def upload(
    server: LiveServer, csv_text: str | bytes, *, dry_run: bool = False, key: str | None = None
) -> Any:
    operations = {"query": MUTATION, "variables": {"input": {"file": None, "dryRun": dry_run}}}
    data = csv_text.encode() if isinstance(csv_text, str) else csv_text
    client = server.admin if key is None else server.client
    headers = {} if key is None else {"Authorization": f"Bearer {key}"}
    response = client.post(
        "/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.input.file"]})},
        files={"0": ("learners.csv", data, "text/csv")},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return body["data"]["bulkIssueCsv"]


def _achievement(server: LiveServer) -> str:
    issuer = server.create_issuer("CSV Academy")
    achievement_id: str = server.create_achievement(issuer["id"], "Spreadsheet Skills")["id"]
    return achievement_id


def test_a_clean_file_issues_every_row_once(live_server: LiveServer) -> None:
    achievement = _achievement(live_server)
    csv_text = (
        "Email,Name,Achievement,Evidence URL,Valid Until\r\n"
        f"grace@example.com,Grace Hopper,{achievement},https://evidence.example/g,2031-01-31\r\n"
        f"alan@example.com,Alan Turing,{achievement},,\r\n"
        "\r\n"
        f"edsger@example.com,Edsger Dijkstra,{achievement},,2031-06-01T12:00:00Z\r\n"
    )
    dry = upload(live_server, csv_text, dry_run=True)
    assert (dry["dryRun"], dry["rowCount"], dry["validCount"], dry["issuedCount"]) == (True, 3, 3, 0)
    assert dry["rows"] == [] and dry["bulkId"] is None
    first = upload(live_server, csv_text)
    assert (first["rowCount"], first["issuedCount"], first["replayedCount"], first["failedCount"]) == (
        3,
        3,
        0,
        0,
    )
    assert [r["line"] for r in first["rows"]] == [2, 3, 5]
    emails = [r["credential"]["recipient"]["email"] for r in first["rows"]]
    assert emails == ["grace@example.com", "alan@example.com", "edsger@example.com"]
    # the same file again (a retry after a timeout): nothing is issued twice
    again = upload(live_server, csv_text)
    assert (again["issuedCount"], again["replayedCount"]) == (0, 3)
    assert [r["credential"]["id"] for r in again["rows"]] == [r["credential"]["id"] for r in first["rows"]]


def test_a_file_with_bad_rows_issues_nothing_and_names_each_line(live_server: LiveServer) -> None:
    achievement = _achievement(live_server)
    csv_text = (
        "email;name;achievement;valid_until\n"
        f"ok@example.com;Okay;{achievement};\n"
        f"not-an-email;Bad Email;{achievement};\n"
        f"late@example.com;Late;{achievement};next tuesday\n"
        ";;" + achievement + ";\n"
        "nobody@example.com;Nobody;QWNoaWV2ZW1lbnQ6bm9uZQ==;\n"
        f"past@example.com;Past;{achievement};2001-01-01\n"
    )
    before = live_server.gql("{ credentials(first: 100) { edges { node { id } } } }")
    result = upload(live_server, csv_text)
    assert (result["rowCount"], result["validCount"], result["issuedCount"]) == (6, 1, 0)
    by_line = {r["line"]: r for r in result["rows"]}
    assert sorted(by_line) == [3, 4, 5, 6, 7]
    assert by_line[3]["column"] == "email" and "email" in by_line[3]["userErrors"][0]["message"]
    assert by_line[4]["column"] == "valid_until" and "next tuesday" in by_line[4]["userErrors"][0]["message"]
    assert "email, name or identifier" in by_line[5]["userErrors"][0]["message"]
    assert by_line[6]["column"] == "achievement" and by_line[6]["userErrors"][0]["code"] == "NOT_FOUND"
    assert by_line[7]["column"] == "valid_until" and "future" in by_line[7]["userErrors"][0]["message"]
    after = live_server.gql("{ credentials(first: 100) { edges { node { id } } } }")
    assert after == before  # all or nothing


def test_files_that_cannot_be_read_are_refused_whole(live_server: LiveServer) -> None:
    cases = [
        (b"", "empty"),
        (b"\xff\xfe\x00e\x00m", "not UTF-8"),
        (b"email,achievment\nx@example.com,1\n", "unknown column 'achievment'"),
        (b"email,name\nx@example.com,X\n", "no achievement column"),
        (b"email,email,achievement\n", "appears twice"),
    ]
    for data, words in cases:
        result = upload(live_server, data)
        assert result["issuedCount"] == 0 and result["rows"] == [], result
        (error,) = result["userErrors"]
        assert words in error["message"], (words, error)
        assert error["field"] == ["input", "file"]


def test_rows_with_more_fields_than_columns_are_named(live_server: LiveServer) -> None:
    achievement = _achievement(live_server)
    result = upload(live_server, f"email,achievement\na@example.com,{achievement},extra\n", dry_run=True)
    (row,) = result["rows"]
    assert row["line"] == 2 and "3 fields for 2 columns" in row["userErrors"][0]["message"]


def test_a_read_only_key_cannot_upload(live_server: LiveServer) -> None:
    created = live_server.gql(
        'mutation { createApiKey(input: {name: "csv-reader", scopes: [READ]})'
        " { key userErrors { message } } }"
    )["createApiKey"]
    result = upload(live_server, "email,achievement\na@example.com,x\n", key=created["key"])
    (error,) = result["userErrors"]
    assert error["code"] == "FORBIDDEN", error


def test_a_file_sent_as_json_is_a_clear_user_error(live_server: LiveServer) -> None:
    for value in ("email,achievement\n", None, 7):
        response = live_server.admin.post(
            "/graphql", json={"query": MUTATION, "variables": {"input": {"file": value}}}
        )
        body = response.json()
        if value is None:  # Upload! is non-null: a GraphQL validation error, not a crash
            assert response.status_code == 200 and "errors" in body, body
            continue
        (error,) = body["data"]["bulkIssueCsv"]["userErrors"]
        assert "multipart" in error["message"] and error["field"] == ["input", "file"], error
