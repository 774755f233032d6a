"""The tool surface as a model uses it: every parameter described, closed values as enums,
proposals it never assembles by hand, members by either id, argument errors it can act on."""

import json

from jsonschema import Draft202012Validator
from mcp import Client

from mcp_servers.shared.factory import lean, prose
from policies.proposal import OfferProposal
from tests.mcp_servers.harness import ok, refused, servers_for
from tests.mcp_servers.seeded_world import SeededWorld


async def test_every_tool_parameter_and_prompt_argument_is_described(shared_world: SeededWorld) -> None:
    async with shared_world.open() as product:
        for server in servers_for(product.deps).values():
            async with Client(server) as client:
                for tool in (await client.list_tools()).tools:
                    assert tool.title, tool.name
                    for name, schema in tool.input_schema.get("properties", {}).items():
                        assert schema.get("description"), (tool.name, name)
                for prompt in (await client.list_prompts()).prompts:
                    assert prompt.title and all(a.description for a in prompt.arguments or []), prompt.name
                for template in (await client.list_resource_templates()).resource_templates:
                    assert template.title and "_" not in template.name, template.name
                for resource in (await client.list_resources()).resources:
                    assert resource.title and "_" not in resource.name, resource.name


async def test_closed_values_are_enums(shared_world: SeededWorld) -> None:
    async with shared_world.open() as product, Client(servers_for(product.deps)["customer-data"]) as client:
        find = next(t for t in (await client.list_tools()).tools if t.name == "find_members").input_schema
        sort = find["properties"]["sort"]
        assert sort["enum"] == ["customer_id", "churn_risk", "clv_365", "recency_days", "spend_365"]
        stage = find["properties"]["lifecycle_stage"]
        assert set(stage["enum"]) == {
            *product.profiles.segments.lifecycle_order,
            product.profiles.segments.lifecycle_fallback,
            None,
        }


async def test_scoring_returns_drafts_the_rules_accept(shared_world: SeededWorld) -> None:
    member = shared_world.samples.member
    async with shared_world.open() as product:
        servers = servers_for(product.deps)
        async with Client(servers["offers-inventory"]) as offers, Client(servers["rules"]) as rules:
            scoring = ok(
                await offers.call_tool(
                    "score_candidate_actions", {"customer_id": member, "use_case": "reactivation", "top": 10}
                )
            )
            actions = [c for c in scoring["candidates"] if not c["do_nothing"]]
            assert actions and all(c["draft"] for c in actions)
            assert all(c["draft"] is None for c in scoring["candidates"] if c["do_nothing"])
            reports = [ok(await rules.call_tool("check_proposal", {"proposal": c["draft"]})) for c in actions]
    assert any(r["passed"] for r in reports), [r["violations"] for r in reports]


async def test_members_by_internal_or_external_id(shared_world: SeededWorld) -> None:
    member = shared_world.samples.member
    async with shared_world.open() as product:
        servers = servers_for(product.deps)
        external = (await product.profiles.profile(member, shared_world.now)).external_id
        async with Client(servers["customer-data"]) as customer_data, Client(servers["channels"]) as channels:
            for ref in (member, external, f"id:{member}", f"ext:{external}"):
                assert (
                    ok(await customer_data.call_tool("get_member_profile", {"customer_id": ref}))[
                        "customer_id"
                    ]
                    == member
                )
                assert (
                    ok(await channels.call_tool("contact_status", {"customer_id": ref}))["customer_id"]
                    == member
                )
            assert "no member" in refused(
                await customer_data.call_tool("get_member_profile", {"customer_id": "NOPE-1"})
            )


async def test_argument_errors_name_the_field_and_the_problem_only(shared_world: SeededWorld) -> None:
    async with shared_world.open() as product, Client(servers_for(product.deps)["customer-data"]) as client:
        text = refused(await client.call_tool("find_members", {"sort": "bogus", "page_size": 1000}))
    assert "sort:" in text and "page_size: Input should be less than or equal to 100" in text
    assert "pydantic" not in text and "type=" not in text and "input_value" not in text and "\n" not in text


def test_descriptions_reach_clients_as_plain_paragraphs() -> None:
    doc = """First line of a docstring,
        wrapped here.

        Second paragraph."""
    assert prose(doc) == "First line of a docstring, wrapped here.\n\nSecond paragraph."
    assert prose(None) is None


def test_lean_schemas_accept_exactly_what_pydantic_s_do() -> None:
    original = {
        "type": "object",
        "title": "Args",
        "properties": {
            "title": {"title": "Title", "type": "string"},
            "stage": {"anyOf": [{"enum": ["a", "b"], "type": "string"}, {"type": "null"}], "default": None},
            "limit": {
                "anyOf": [{"type": "integer", "minimum": 1}, {"type": "null"}],
                "description": "How many.",
            },
            "either": {"anyOf": [{"type": "integer"}, {"type": "string"}]},
        },
    }
    slim = lean(original)
    assert (
        "title" in slim["properties"] and "title" not in slim and "title" not in slim["properties"]["title"]
    )
    assert slim["properties"]["stage"] == {"enum": ["a", "b", None], "type": ["string", "null"]}
    samples = [
        {"stage": "a"},
        {"stage": None},
        {"stage": "c"},
        {"limit": 0},
        {"limit": None},
        {"limit": 3},
        {"title": 5},
        {"either": 1.5},
        {"either": "x"},
    ]
    for sample in samples:
        assert Draft202012Validator(slim).is_valid(sample) == Draft202012Validator(original).is_valid(
            sample
        ), sample


def _proposal_shapes(schema: object, path: str = "") -> list[str]:
    """Where in `schema` an object with the offer proposal's properties is spelt out."""
    fields = set(OfferProposal.model_fields)
    found: list[str] = []
    if isinstance(schema, dict):
        if set(schema.get("properties", {})) == fields:
            found.append(path)
        for key, value in schema.items():
            found += _proposal_shapes(value, f"{path}/{key}")
    elif isinstance(schema, list):
        for i, value in enumerate(schema):
            found += _proposal_shapes(value, f"{path}/{i}")
    return found


async def test_the_proposal_schema_is_one_definition_referenced_wherever_a_tool_takes_or_returns_one(
    shared_world: SeededWorld,
) -> None:
    """28 fields a model must read once per tool, not once per mention: every tool that takes or
    returns a proposal defines it in `$defs` and points at it with `$ref`."""
    takes: dict[str, str] = {}
    async with shared_world.open() as product:
        for server in servers_for(product.deps).values():
            async with Client(server) as client:
                for tool in (await client.list_tools()).tools:
                    for kind, schema in (("input", tool.input_schema), ("output", tool.output_schema)):
                        shapes = _proposal_shapes(schema)
                        if not shapes:
                            continue
                        assert shapes == ["/$defs/OfferProposal"], (tool.name, kind, shapes)
                        assert '"#/$defs/OfferProposal"' in json.dumps(schema), (tool.name, kind)
                        takes[tool.name] = kind
                        if kind == "input":
                            assert schema["properties"]["proposal"]["$ref"] == "#/$defs/OfferProposal"
                            # the client supplies what the rules judge; nothing the server fills in
                            assert set(schema["$defs"]["OfferProposal"]["required"]) == {
                                name
                                for name, field in OfferProposal.model_fields.items()
                                if field.is_required()
                            }
    assert takes == {
        "check_proposal": "input",
        "record_guard_verdict": "input",
        "send_approved_proposal": "input",
        "score_candidate_actions": "output",
    }
