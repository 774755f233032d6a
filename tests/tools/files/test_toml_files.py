"""Reading a person's TOML file: every problem is one InvalidInput naming the file."""

from pathlib import Path

import pytest
from pydantic import BaseModel, ValidationError

from tools.errors import InvalidInput
from tools.files import read_toml, validation_problems


def test_a_good_file_is_read(tmp_path: Path) -> None:
    (tmp_path / "ok.toml").write_text('[[rules]]\nid = "x"\n', encoding="utf-8")
    assert read_toml(tmp_path / "ok.toml", "rules file") == {"rules": [{"id": "x"}]}


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "cannot read rules file .*missing.toml"),
        (b"\xff\xfe not text", "cannot read rules file .*missing.toml"),
        (b"[[rules]\n", "rules file .*missing.toml is not valid TOML"),
    ],
)
def test_problems_name_the_file_and_why(tmp_path: Path, content: bytes | None, expected: str) -> None:
    path = tmp_path / "missing.toml"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InvalidInput, match=expected):
        read_toml(path, "rules file")


def test_validation_problems_name_every_field() -> None:
    class Rule(BaseModel):
        id: str
        ceiling: float

    with pytest.raises(ValidationError) as caught:
        Rule.model_validate({"ceiling": "high"})
    assert validation_problems(caught.value) == (
        "id: Field required; ceiling: Input should be a valid number, unable to parse string as a number"
    )
