"""Path parameters: what a segment of a contract path may hold, parsed in one place and described from there.

The contract puts most inputs in the path (`/v2/logs/<log_id>`, `/v2/log_feed/<filter_by>/<bucket>/<limit>/
<offset>`, `/v2/range_view/.../<exercise_types>/<start>/<end>`). A segment is text that anyone can type: the
parsers here turn it into the value an endpoint needs, or answer None when it is not one, with one rule for each
kind of segment wherever it appears. The endpoint decides what None means (its own not-found or bad-input
message from the contract). `PATH_PARAMETERS` describes each kind for the OpenAPI schema
(saintsxctf/foundation/api/schema.py), so what the schema promises is what the parser accepts; a viewset describes its own
parameters (e.g. the feed's `filter_by`) in `path_parameters`.

Foundation: imports no app of the project.
"""

from dataclasses import dataclass, field
from datetime import date

# Ids are 32-bit in the legacy schema (INT(11)); a larger number names no row (and would overflow some databases).
MAX_ID = 2**31 - 1


def parse_whole_number(value, *, low: int = 0, high: int = MAX_ID) -> int | None:
    """`value` as a whole number from `low` to `high`: ASCII digits only (leading zeros are fine, "01" is 1);
    None for anything else (a sign, spaces, other scripts' digits, a fraction, a number out of range)."""
    text = str(value)
    if not text.isascii() or not text.isdigit() or len(text.lstrip("0")) > len(str(high)):
        return None
    number = int(text)
    return number if low <= number <= high else None


def parse_id(value) -> int | None:
    """A row id (a log, comment, notification, group, target): a whole number up to MAX_ID, or None."""
    return parse_whole_number(value)


def is_id_parameter(name: str) -> bool:
    """Whether path parameters called `name` hold row ids (PATH_PARAMETERS)."""
    parameter = PATH_PARAMETERS.get(name)
    return parameter is not None and parameter.schema.get("type") == "integer"


def parse_date(value) -> date | None:
    """A calendar date written YYYY-MM-DD (exactly: no other date format, no time), or None."""
    text = str(value)
    if len(text) != 10 or not text.isascii() or text[4] != "-" or text[7] != "-":
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def parse_letters(value, allowed: str) -> str | None:
    """A non-empty word of the `allowed` letters, as its distinct letters sorted ('rbr' -> 'br'): one value per
    set of letters. None when it is empty or holds any other character."""
    text = str(value)
    if not text or any(letter not in allowed for letter in text):
        return None
    return "".join(sorted(set(text)))


@dataclass(frozen=True)
class PathParameter:
    """How the schema documents one kind of path segment: its JSON schema, what it names and may hold, and an
    example value."""

    description: str
    schema: dict = field(default_factory=lambda: {"type": "string"})
    example: object = None

    def openapi(self, name: str) -> dict:
        """The OpenAPI parameter object of a path parameter called `name`."""
        parameter = {"in": "path", "name": name, "required": True, "schema": dict(self.schema),
                     "description": self.description}
        if self.example is not None:
            parameter["example"] = self.example
        return parameter


def id_parameter(what: str, example: int = 1) -> PathParameter:
    return PathParameter(f"The id of {what}: a whole number from 0 to {MAX_ID} (anything else names nothing).",
                         {"type": "integer", "minimum": 0, "maximum": MAX_ID}, example)


NAME = "case-sensitive as stored; any text without a slash"
# Every path parameter of the API, by the name its routes give it (a viewset's `path_parameters` may say more
# for its own routes).
PATH_PARAMETERS: dict[str, PathParameter] = {
    "log_id": id_parameter("an exercise log"),
    "comment_id": id_parameter("a comment"),
    "notification_id": id_parameter("a notification"),
    "group_id": id_parameter("a group"),
    "target_id": id_parameter("a training target of the group"),
    "username": PathParameter(f"A runner's username, or their email address ({NAME}).", example="andy"),
    "name": PathParameter(f"A team's name ({NAME}).", example="saintsxctf"),
    "team_name": PathParameter(f"A team's name ({NAME}).", example="saintsxctf"),
    "group_name": PathParameter(f"A group's name inside the team ({NAME}).", example="alumni"),
    "code": PathParameter("A code: an activation code (6 letters and digits) or a forgot-password code (8); "
                          "any letter case.", example="ABC123"),
    "token": PathParameter("The undo token of the link mailed to the old address (signed, expires).",
                           example="eyJ1Ijoi..."),
}
