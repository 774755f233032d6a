from tools.profiles.masking import mask_email, mask_name, mask_phone


def test_email() -> None:
    assert mask_email("jane.doe@example.com") == "j***@example.com"
    assert mask_email(None) is None
    assert mask_email("no-at-sign") == "***"


def test_phone_keeps_country_code_first_digit_and_last_two() -> None:
    assert mask_phone("+61 412 345 612") == "+61 4** *** *12"
    assert mask_phone("0412 345 612") == "0*** *** *12"
    assert mask_phone("123") == "***"


def test_name() -> None:
    assert mask_name("Smith") == "S."
    assert mask_name("") == ""


async def test_masked_profile_hides_contact_details(service, world) -> None:
    from tests.tools.profiles.conftest import AS_OF

    profile = await service.profile(world.customers[0], AS_OF)
    masked = profile.masked()
    assert profile.contact.email == "m1@example.com"
    assert masked.contact.email == "m***@example.com"
    assert masked.contact.phone == "+61 4** *** *01"
    assert masked.contact.last_name == "T."
    assert masked.predictions == profile.predictions
