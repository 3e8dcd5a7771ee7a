from review.rules import PAIR_SECTIONS, deciding_rule, guideline_sections


def test_every_pair_of_labels_has_a_section_that_exists_in_the_guidelines():
    sections = guideline_sections()
    labels = ["incident_report", "statistic", "captive_testimony", "forecast", "other"]
    pairs = {frozenset({a, b}) for a in labels for b in labels if a != b}
    assert pairs == set(PAIR_SECTIONS)
    assert all(number in sections for numbers in PAIR_SECTIONS.values() for number in numbers)


def test_the_rule_between_incident_and_statistic_quotes_the_many_numbers_family():
    rule = deciding_rule("statistic", "incident_report")
    assert rule.startswith("§9.1 A single incident with many numbers")
    assert "if all the numbers belong to one event" in rule  # the Rule paragraph, not the heading only
    assert deciding_rule("incident_report", "statistic") == rule


def test_same_label_falls_back_to_the_order_of_labels(tmp_path):
    assert deciding_rule("other", "other").startswith("§8 When two labels compete")
    guide = tmp_path / "GUIDE.md"
    guide.write_text("## 8. Order\n\nForecast first.\n\n"
                     "### 9.5 Statements\n\n**Rule.** Policy is other.\n\nMore.\n")
    assert deciding_rule("forecast", "other", guide) == "§9.5 Statements: Policy is other."
    assert deciding_rule("statistic", "other", guide) == "§8 Order"
