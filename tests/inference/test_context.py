from inference.context import SEPARATOR, neighbour_context, neighbour_contexts


def test_context_is_the_end_of_the_previous_unit_and_the_start_of_the_next():
    assert neighbour_context("The guards came at dawn.", "Nobody spoke after that.", 3) == \
        f"came at dawn.{SEPARATOR}Nobody spoke after"


def test_a_missing_neighbour_leaves_its_side_empty_and_none_leaves_no_context():
    assert neighbour_context(None, "Shells hit the market.", 2) == f"{SEPARATOR.strip()} Shells hit"
    assert neighbour_context("Shells hit the market.", None, 2) == f"the market.{SEPARATOR.rstrip()}"
    assert neighbour_context(None, None, 5) == ""
    assert neighbour_context("", "", 5) == ""


def test_every_unit_of_an_article_gets_its_own_neighbours():
    units = ["Headline", "First sentence here.", "Second one.", "Last."]
    contexts = neighbour_contexts(units, 1)
    assert contexts == ["/ First", "Headline / Second", "here. / Last.", "one. /"]
    assert neighbour_contexts([], 4) == []
