"""Ops in AppTest over the fixture warehouse: finding an expert, one expert's page, the queues;
and that none of it reaches a share link. Figures worked out by hand from tests/fixture_export."""

import pytest

from apptest_harness import all_text, infos, no_exception, signed_in, through_link, titles
from expertnet.access import share_links

YEAR = ["2024-07", "2025-06"]


def experts_page(**query):
    at = signed_in(period=YEAR, **query).run()
    at.switch_page("pages/experts.py").run()
    no_exception(at)
    return at


def test_search_by_part_of_a_name_an_email_or_an_id(app_env):
    at = experts_page()
    for text, expected in (("twelve", ["E12"]), ("E12@EXAMPLE.com", ["E12"]), ("e05", ["E05"]),
                           ("  fay ", ["E06"]), ("n", None)):
        at.text_input(key="q").set_value(text).run()
        no_exception(at)
        if expected is None:    # one character: asked for more, nothing listed
            assert "type at least 2 characters" in " ".join(w.value for w in at.warning) and not at.dataframe
        else:
            assert at.dataframe[0].value["expert_id"].tolist() == expected, text
    at.text_input(key="q").set_value("en").run()     # no name starts with it: by name
    assert at.dataframe[0].value["full_name"].tolist() == ["Ben Two", "Chen Three", "Gus Seven", "Jia Ten",
                                                           "Kai Eleven", "Max Thirteen", "Noa Fourteen", "Oli Fifteen"]


def test_search_respects_the_filters_and_says_when_nothing_matches(app_env):
    at = experts_page(domain="finance")
    at.text_input(key="q").set_value("en").run()
    assert at.dataframe[0].value["expert_id"].tolist() == ["E03", "E11", "E13", "E15"]   # the finance ones
    at.text_input(key="q").set_value("![x](http://evil/b.png)").run()
    no_exception(at)
    assert not at.dataframe and any("No expert matches" in text for text in infos(at))


def test_the_list_view_is_in_the_address(app_env):
    at = experts_page(sort="hours", desc="False", active_only="False", page="1")
    assert at.toggle(key="desc").value is False and at.toggle(key="active_only").value is False
    rows = at.dataframe[0].value
    # every expert signed up by 2025-06 (all 15), fewest hours first: those without work in the period
    assert len(rows) == 15 and rows["hours"].iloc[0] == 0
    at = experts_page(page="99")                     # a page past the end opens the first
    no_exception(at)
    assert at.number_input(key="page").value == 1


def expert_page(expert_id: str, period=YEAR):
    at = signed_in(period=period).run()
    at.query_params["expert"] = expert_id        # the address of the expert's page
    at.switch_page("pages/expert.py").run()
    no_exception(at)
    return at


def test_one_experts_page(app_env):
    at = expert_page("E01")
    assert titles(at) == ["Ada One"]
    # 2024-07 .. 2025-06: K1 4 h (Jul) + 5 h (Dec), K2 5 h (May) + 4 h (Jun), K4 5 h (Jun), all at $50: 23 h,
    # pay $1,150; bonus B5 $100 on 2025-06-30: earnings $1,250, $54.35/h. Software earners of the period:
    # E01 1,250, E02 840, E05 700, E10 500, E14 500, E12 100: 5 of 6 earned less; median (500 + 700) / 2.
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Earnings"] == "$1,250" and tiles["Hours"] == "23.0 h" and tiles["Effective rate"] == "$54.35/h"
    assert tiles["Bonuses"] == "$100" and tiles["In their domain"] == "#1 of 6"
    contracts = next(d.value for d in at.dataframe if "contract_id" in d.value).set_index("contract_id")
    assert contracts["spread_per_hour_usd"].to_dict() == pytest.approx({"K2": 100, "K1": 50, "K4": 70})
    assert contracts.loc["K2", ["bill_rate_usd", "pay_rate_usd", "hours"]].tolist() == [150, 50, 9]
    bonuses = next(d.value for d in at.dataframe if "bonus_id" in d.value)
    assert bonuses["bonus_id"].tolist() == ["B5"]
    months = next(d.value for d in at.dataframe if "effective_rate_usd" in d.value)
    assert months["earnings_usd"].tolist() == [200, 0, 0, 0, 0, 250, 0, 0, 0, 0, 250, 550]


def test_an_unknown_expert_says_so(app_env):
    at = expert_page("E99")
    assert titles(at) == ["Expert"]
    assert "No expert has the id E99" in " ".join(w.value for w in at.warning)


def test_the_queues_of_the_fixture(app_env):
    at = signed_in(period=YEAR).run()
    at.switch_page("pages/queues.py").run()
    no_exception(at)
    # as of 2025-06-30: not approved E07 (since 2024-06-10) and E13 (2025-03-20); E15 only 10 days
    assert at.button_group(key="queue").value == "approved_never_worked"    # the first queue, empty
    assert [s.value for s in at.success] == ["Nobody is on this queue."]
    at.button_group(key="queue").set_value("stuck_in_vetting").run()
    no_exception(at)
    assert at.subheader[0].value == "Stuck in vetting"
    stuck = at.dataframe[0].value
    assert stuck[["expert_id", "days_since_signup"]].values.tolist() == [["E07", 385], ["E13", 102]]


def test_an_investor_cannot_reach_an_expert_or_the_queues(app_env):
    link, token, _ = share_links.create_link("Jane", 14, "f@example.com")
    at = through_link(token, expert="E01").run()
    no_exception(at)
    assert titles(at) == ["Overview"]
    for path in ("pages/expert.py", "pages/queues.py"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(path)
    text = all_text(at)
    assert "Ada One" not in text and "e01@example.com" not in text
