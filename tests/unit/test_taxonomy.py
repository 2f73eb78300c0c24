import pytest

from referral_api.domain import taxonomy


@pytest.mark.parametrize(
    ("requested", "offered", "expected"),
    [
        ("medical", "medical.pep", True),
        ("medical", "medical", True),
        ("medical.pep", "medical.pep", True),
        ("medical.pep", "medical", False),
        ("medical.pep", "medical.ec", False),
        ("medical", "medicalx.pep", False),
        ("legal", "legal.police", True),
        ("legal.police", "legal.aid", False),
        ("case_management", "case_management", True),
        ("safety", "psychosocial.pss", False),
    ],
)
def test_a_sector_matches_its_sub_codes_and_nothing_else(requested, offered, expected):
    assert taxonomy.matches(requested, offered) is expected


def test_every_sub_code_belongs_to_a_sector_of_the_taxonomy():
    for need in taxonomy.NEEDS:
        sector = taxonomy.get_need(need.sector)
        assert sector is not None and sector.is_sector
        assert need.label_fr and need.label_en


def test_unknown_codes_are_reported_in_order():
    assert taxonomy.unknown_codes(["medical", "nope", "legal.aid", "x.y"]) == ["nope", "x.y"]


def test_labels_follow_the_language_and_default_to_french():
    pep = taxonomy.get_need("medical.pep")
    assert pep is not None
    assert pep.label("en").startswith("HIV post-exposure")
    assert pep.label("fr").startswith("Prophylaxie")
    assert pep.label("sg") == pep.label_fr


def test_each_code_has_a_bit_of_its_own_and_unknown_codes_none():
    bits = [taxonomy.need_bits([need.code]) for need in taxonomy.NEEDS]
    assert all(bit > 0 and bit & (bit - 1) == 0 for bit in bits)
    assert len(set(bits)) == len(bits)
    assert max(bits) < 2**63  # the directory holds them in 64-bit signed arrays
    both = taxonomy.need_bits(["medical.pep", "legal.aid"])
    assert both == taxonomy.need_bits(["medical.pep"]) | taxonomy.need_bits(["legal.aid"])
    assert taxonomy.need_bits(["medical", "nope"]) == taxonomy.need_bits(["medical"])
    assert taxonomy.need_bits([]) == 0
