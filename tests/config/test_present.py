"""One way to show each kind of value, on every page and in every e-mail (core.present and its filters)."""

from datetime import UTC, date, datetime
from decimal import Decimal

from django.template import Context, Template

from contracts.models import CareType
from core import present
from market.models import LotStatus


def render(source: str, **context) -> str:
    return Template(source).render(Context(context))


def test_money_is_pounds_and_pence_with_thousands_separators():
    assert present.money(Decimal("985.380000000000")) == "£985.38"
    assert present.money(Decimal("63791044.92")) == "£63,791,044.92"
    assert present.money("640265.97") == "£640,265.97"
    assert present.money(12) == "£12.00"
    assert present.money(Decimal("-12.5")) == "-£12.50"
    assert present.money(Decimal("640265.97"), pence=False) == "£640,266"
    assert present.money(None) == "—"
    assert render("{{ rate|money }} a week", rate=Decimal("985.375")) == "£985.38 a week"


def test_days_and_periods_read_as_a_person_writes_them():
    assert present.day(date(2026, 12, 7)) == "7 December 2026"
    assert present.day(date(2026, 12, 7), short=True) == "7 Dec 2026"
    assert present.day("2026-10-01") == "1 October 2026"
    assert present.period(date(2026, 10, 1), date(2026, 12, 31)) == "1 October to 31 December 2026"
    assert present.period(date(2026, 12, 1), date(2026, 12, 31)) == "1 to 31 December 2026"
    assert present.period(date(2026, 10, 1), date(2027, 3, 31)) == "1 October 2026 to 31 March 2027"
    assert present.period(date(2026, 10, 1), None) == "from 1 October 2026"
    assert present.period(None, None, none="Open-ended") == "Open-ended"
    assert render("{% period a b %}", a=date(2026, 10, 1), b=date(2026, 12, 31)) == "1 October to 31 December 2026"


def test_a_moment_is_in_the_council_s_time_zone_in_words():
    # 09:00 UTC in December is 9am in London; in July it is 10am (British Summer Time).
    assert present.moment(datetime(2026, 12, 14, 9, 0, tzinfo=UTC)) == "14 December 2026 at 9am"
    assert present.moment(datetime(2026, 7, 14, 9, 30, tzinfo=UTC)) == "14 July 2026 at 10:30am"
    assert present.moment(datetime(2026, 7, 14, 11, 0, tzinfo=UTC), short=True) == "14 Jul 2026, midday"
    assert present.moment("2026-12-14 09:00:00+00:00") == "14 December 2026 at 9am"
    assert present.moment(datetime(2026, 12, 14, 0, 0, tzinfo=UTC)) == "14 December 2026 at midnight"
    assert render("{{ at|moment }}", at=datetime(2026, 12, 14, 17, 5, tzinfo=UTC)) == "14 December 2026 at 5:05pm"


def test_a_choice_is_shown_as_its_label_never_its_stored_value():
    assert present.label("nursing_dementia") == "Nursing dementia"
    assert present.label("planned_respite") == "Planned respite"
    assert present.label("in_contingency") == "In contingency"
    assert present.label("live", LotStatus) == LotStatus.LIVE.label
    assert present.label(CareType.SHORT_TERM) == "Short-term / emergency"
    assert present.label("something_else") == "Something else"
    assert render("{{ kind|label }}", kind="residential_dementia") == "Residential dementia"


def test_nothing_is_a_dash_or_the_sentence_given_never_none():
    assert present.otherwise(None) == "—"
    assert present.otherwise("", "No break clause") == "No break clause"
    assert present.otherwise(0) == 0
    assert render('Break clause {{ d|day|otherwise:"none" }}', d=None) == "Break clause —"
    assert render('{{ d|otherwise:"No break clause" }}', d=None) == "No break clause"
    assert "None" not in render("{{ a|money }} {{ b|day }} {{ c|moment }} {{ d|count }} {{ e|percent }}")


def test_percentages_and_counts_have_separators_and_sensible_precision():
    assert present.percent(12.345) == "12.3%"
    assert present.percent(Decimal("0.125"), fraction=True) == "12.5%"
    assert present.percent(100, places=0) == "100%"
    assert present.number(1234567) == "1,234,567"
    assert present.number(Decimal("1234.5678"), places=2) == "1,234.57"
    assert present.percent(Decimal("3.00"), places=-2) == "3%"
    assert present.percent(Decimal("2.50"), places=-2) == "2.5%"
    assert render("{{ n|count }} beds, {{ s|share }} block", n=12000, s=0.4567) == "12,000 beds, 45.7% block"


def test_one_rating_is_one_colour_everywhere():
    html = render(
        "{% rating_tag a %} {% rating_tag b %} {% rating_tag c %}", a="Good", b="Requires improvement", c=None
    )
    assert '<strong class="govuk-tag govuk-tag--green">Good</strong>' in html
    assert '<strong class="govuk-tag govuk-tag--yellow">Requires improvement</strong>' in html
    assert '<strong class="govuk-tag govuk-tag--grey">Not yet rated</strong>' in html
    assert present.rating_colour("Outstanding") == "turquoise"
    assert present.rating_colour("Inadequate") == "red"


def test_one_rag_is_one_colour_everywhere():
    html = render("{% rag_tag a %} {% rag_tag b %} {% rag_tag c %} {% rag_tag d %}", a="red", b="amber", c="green")
    assert '<strong class="govuk-tag govuk-tag--red">Red</strong>' in html
    assert '<strong class="govuk-tag govuk-tag--yellow">Amber</strong>' in html
    assert '<strong class="govuk-tag govuk-tag--green">Green</strong>' in html
    assert "Not mobilising" in html
    assert present.rag_colour("amber") == "yellow"


def test_a_list_of_names_reads_as_a_sentence():
    assert present.listed(["Ann", "Bob", "Cy"]) == "Ann, Bob and Cy"
    assert present.listed([]) == "—"


def test_an_address_leaves_out_the_lines_it_lacks():
    assert present.joined("", "Kingsmoor", "CB7 4EE") == "Kingsmoor, CB7 4EE"
    assert render('{% joined a b c sep=" · " %}', a="Ltd", b="", c="East Cambridgeshire") == "Ltd · East Cambridgeshire"
    assert present.joined(None, "") == "—"


def test_a_table_cell_carries_its_column_s_unit():
    assert present.cell(Decimal("63791044.92"), "Net cost avoidance (£)")["text"] == "£63,791,044.92"
    assert present.cell(45.25, "Block share (%)")["text"] == "45.3%"
    assert present.cell(10000.0, "Concentration (HHI)")["text"] == "10,000"
    assert present.cell("nursing_dementia", "Care type")["text"] == "Nursing dementia"
    assert present.cell(None, "Gap")["text"] == "—"
    assert present.cell(date(2026, 10, 1), "From")["text"] == "1 Oct 2026"
    assert present.heading_without_unit("Void cost (£)") == "Void cost"
