import pytest

from lake_moto.patches import glue_get_partitions_empty_expression


@pytest.fixture
def glue(glue_table):
    glue_get_partitions_empty_expression.apply()
    return glue_table


def values(response):
    return sorted(p["Values"][0] for p in response["Partitions"])


@pytest.mark.parametrize("expression", ["", "  "])
def test_an_empty_expression_lists_every_partition(glue, expression):
    assert values(glue.get_partitions(DatabaseName="db", TableName="t", Expression=expression)) == ["2026-01-01", "2026-01-02"]


def test_a_real_expression_still_filters(glue):
    assert values(glue.get_partitions(DatabaseName="db", TableName="t", Expression="dt = '2026-01-02'")) == ["2026-01-02"]
