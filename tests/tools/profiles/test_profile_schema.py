"""The profile's published JSON schema: flat (what MCP clients validate every call against) and
as strict as the model."""

import json
from typing import Any

from jsonschema import Draft202012Validator

from tests.tools.profiles.conftest import AS_OF
from tests.tools.profiles.small_world import WorldIds
from tools.profiles.profile import Profile
from tools.profiles.service import ProfileService


def _errors(instance: dict[str, Any]) -> list[str]:
    schema = Profile.model_json_schema(mode="serialization")
    Draft202012Validator.check_schema(schema)
    return [e.message for e in Draft202012Validator(schema).iter_errors(instance)]


async def test_schema_is_flat_and_as_strict_as_the_model(service: ProfileService, world: WorldIds) -> None:
    text = json.dumps(Profile.model_json_schema(mode="serialization"))
    assert "$ref" not in text and "anyOf" not in text
    profile = (await service.profile(world.customers[0], AS_OF)).masked().model_dump(mode="json")
    assert _errors(profile) == []
    optional = {
        **profile,
        "demographics": {**profile["demographics"], "age": None, "postcode": None},
        "recency": {"last_order_at": None, "days_since_last_order": None},
    }
    assert _errors(optional) == []
    Profile.model_validate(optional)  # the model agrees
    assert _errors({**profile, "demographics": {**profile["demographics"], "age": "forty"}})
    assert _errors({**profile, "freshness": {**profile["freshness"], "newest": {"orders": 5}}})
    assert _errors({**profile, "loyalty": {**profile["loyalty"], "tier": 3}})
    assert _errors({**profile, "unexpected": 1})  # extra fields stay forbidden
    assert _errors({k: v for k, v in profile.items() if k != "segments"})  # required stays required
    affinity = profile["predictions"]["category_affinity"]
    assert _errors(
        {
            **profile,
            "predictions": {**profile["predictions"], "category_affinity": [{**affinity[0], "score": None}]},
        }
    )
