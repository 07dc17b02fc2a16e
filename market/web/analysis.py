"""The market analysis pages for council staff: block/spot by district, cost avoidance, the quarterly utilisation
review and the market shape. Each page is a GET filter form over the same selector as its API, a chart and the
table it was drawn from (the rows of the API's export, market.exports_analysis), and links to download that table
as CSV or XLSX with the same filters. The roles are the API's readers; provider users are refused."""

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.generic import TemplateView

from core import present
from core.web import RoleRequiredMixin, paginate, query_without
from market import capabilities as caps
from market import exports_analysis as exports
from market.exports import PROGRAMME_FIGURES_HEADERS, programme_figures_rows
from market.exports_analysis import gap_headers, gap_rows
from market.selectors.block_spot import KINDS, block_spot
from market.selectors.cost_avoidance import cost_avoidance
from market.selectors.gaps import capacity_gaps
from market.selectors.market_shape import market_shape
from market.selectors.programmes import programme_figures
from market.selectors.utilisation import utilisation_review
from market.web.charts import bar_chart
from market.web.forms import (
    BlockSpotForm,
    CapacityGapForm,
    CostAvoidanceForm,
    MarketShapeForm,
    ProgrammeForm,
    UtilisationForm,
)

KIND_NAMES = {"block": "Block", "spot": "Spot", "respite": "Respite", "emergency": "Emergency use of voids"}


class AnalysisPage(RoleRequiredMixin, TemplateView):
    """One analysis page: `form_class` checks the filters, `answer` asks the selector, `figures` draws it."""

    capability = caps.READ_ANALYSIS
    template_name = "market/analysis/page.html"
    form_class: type
    export_url_name: str
    title: str
    summary: str = ""
    # The export's columns the page's table shows, by heading: those a person decides with, so the table fits the
    # page; the downloads have every column. Empty: every column.
    columns_shown: tuple[str, ...] = ()

    def defaults(self) -> dict[str, str]:
        """Values the page fills in when the query leaves them out (shown in the form and carried by downloads)."""
        return {}

    def export_kwargs(self, arguments: dict) -> dict:
        """The export address's own arguments besides the format (a programme's id)."""
        return {}

    def answer(self, arguments: dict):
        raise NotImplementedError

    def figures(self, answer) -> dict:
        """The chart, the table's headings and rows, and anything else the template shows."""
        raise NotImplementedError

    def headline(self, answer) -> list[dict]:
        """The figures the page opens with, each {label, value, note}: the answer before the chart and table."""
        return []

    def shown_columns(self, head: list[str]) -> list[int]:
        if not self.columns_shown:
            return list(range(len(head)))
        missing = set(self.columns_shown) - set(head)
        if missing:
            raise ValueError(f"{type(self).__name__} shows columns the export lacks: {sorted(missing)}")
        return [index for index, heading in enumerate(head) if heading in self.columns_shown]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        data = self.request.GET.copy()
        for name, value in self.defaults().items():
            if not data.get(name):
                data[name] = value
        form = self.form_class(data)
        context.update(
            form=form,
            title=self.title,
            summary=self.summary,
            downloads=None,
            answered=False,
            market_pages=market_pages(self.request),
        )
        if form.is_valid():
            answer = self.answer(form.arguments)
            context.update(answer=answer, answered=True, headline=self.headline(answer), **self.figures(answer))
            context["table_head"], context["table_rows"] = shown_table(
                context["head"], context["rows"], kept=self.shown_columns(context["head"])
            )
            context["columns_in_download"] = len(context["head"])
            query = urlencode(form.query)
            context["downloads"] = {
                fmt: reverse(self.export_url_name, kwargs={"fmt": fmt, **self.export_kwargs(form.arguments)})
                + (f"?{query}" if query else "")
                for fmt in ("csv", "xlsx")
            }
        return context


def shown_table(
    head: list[str], rows: list[list], *, kept: list[int] | None = None
) -> tuple[list[dict], list[list[dict]]]:
    """The export's table (`head` and `rows`, which the downloads give as they are) as the page shows it: each
    figure in words (core.present.cell, by its column's unit), the units moved from the headings into the cells,
    and a column right-aligned when its figures are numbers. `kept` chooses the columns shown (all by default)."""
    kept = list(range(len(head))) if kept is None else kept
    head = [head[index] for index in kept]
    cells = [[present.cell(row[index], heading) for index, heading in zip(kept, head, strict=True)] for row in rows]
    numeric = [any(row[index]["numeric"] for row in cells) for index in range(len(head))]
    shown_head = [
        {"text": present.heading_without_unit(heading), "numeric": numeric[index]} for index, heading in enumerate(head)
    ]
    for row in cells:
        for index, entry in enumerate(row):
            entry["numeric"] = numeric[index]
    return shown_head, cells


def _percent(share) -> str:
    return present.percent(share, fraction=True)


class CapacityGapsPage(AnalysisPage):
    """Largest gap first. The chart draws the largest bed gaps and hours gaps apart (their units differ); the
    table pages through every locality and care type, as the download has them."""

    capability = caps.READ_PLANS  # the capacity gaps API's readers
    form_class = CapacityGapForm
    export_url_name = "market:capacity-gap-export"
    title = "Capacity gaps"
    summary = (
        "Demand and the people waiting, less the supply (block beds less closures, fresh spot vacancies, homecare "
        "and micro-enterprise hours), per district and care type, largest gap first."
    )
    CHART_ROWS = 15
    columns_shown = ("Locality", "Care type", "Unit", "Demand", "People waiting", "Supply", "Gap")

    def answer(self, arguments):
        self.on = arguments["on"]
        return capacity_gaps(**arguments)

    def headline(self, answer):
        figures = []
        for unit, name in (("beds", "beds"), ("hours_per_week", "hours a week")):
            short = [gap for gap in answer if gap.unit == unit and gap.gap > 0]
            if not short:
                continue
            largest = max(short, key=lambda gap: gap.gap)
            figures.append(
                {
                    "label": f"Short of {name}",
                    "value": present.number(sum(gap.gap for gap in short)),
                    "note": (
                        "in one locality and care type"
                        if len(short) == 1
                        else f"across {len(short)} localities and care types"
                    ),
                }
            )
            figures.append(
                {
                    "label": f"The largest gap in {name}",
                    "value": present.number(largest.gap),
                    "note": f"{largest.locality_name}, {largest.care_type_label.lower()}",
                }
            )
        return figures or [{"label": "Short of beds or hours", "value": "None", "note": "supply meets demand"}]

    def figures(self, answer):
        charts = []
        for unit, name in (("beds", "beds"), ("hours_per_week", "hours a week")):
            gaps = [gap for gap in answer if gap.unit == unit][: self.CHART_ROWS]
            if gaps:
                charts.append(
                    bar_chart(
                        title=f"The largest gaps in {name}",
                        series=[f"Gap ({name})"],
                        rows=[(f"{gap.locality_name}, {gap.care_type_label}", [gap.gap]) for gap in gaps],
                        description=(
                            f"Horizontal bars for up to {self.CHART_ROWS} districts and care types with the "
                            f"largest gap in {name}, largest first; a bar left of the zero line is a surplus."
                        ),
                    )
                )
        page = paginate(self.request, answer, per_page=100)
        return {
            "charts": charts or [bar_chart(title="The largest gaps", series=["Gap"], rows=[])],
            "head": gap_headers(),
            "rows": gap_rows(page.object_list),
            "page": page,
            "page_query": query_without(self.request, "page"),
            "period": present.day(self.on),
        }


class BlockSpotPage(AnalysisPage):
    form_class = BlockSpotForm
    export_url_name = "market:block-spot-export"
    title = "Block and spot placements"
    summary = (
        "Care home placements by kind in each district, on a day or over a period: block, spot, respite and "
        "emergency use of voids, the share in block beds and the average weekly price of each."
    )

    columns_shown = (
        "District",
        "Block placements",
        "Spot placements",
        "Spot average weekly price (£)",
        "Respite placements",
        "Emergency use of voids placements",
        "All placements",
        "Block share (%)",
    )

    def answer(self, arguments):
        return block_spot(**arguments)

    def headline(self, answer):
        total = answer.total
        spot = total.kinds["spot"]
        return [
            {"label": "Care home placements", "value": present.number(total.placements)},
            {"label": "In block beds", "value": _percent(total.block_share), "note": "block, respite and voids used"},
            {
                "label": "Bought spot",
                "value": present.number(spot.placements),
                "note": f"at {present.money(spot.average_weekly_price)} a week on average",
            },
        ]

    def figures(self, answer):
        chart = bar_chart(
            title="Placements by kind in each district",
            series=[KIND_NAMES[kind] for kind in KINDS],
            rows=[(row.district_name, [row.kinds[kind].placements for kind in KINDS]) for row in answer.districts],
            description=(
                "Horizontal bars, one per district, each split into block, spot, respite and emergency placements."
            ),
        )
        return {
            "charts": [chart],
            "head": exports.BLOCK_SPOT_HEADERS,
            "rows": exports.block_spot_rows(answer),
            "period": present.period(answer.start, answer.end),
        }


class CostAvoidancePage(AnalysisPage):
    form_class = CostAvoidanceForm
    export_url_name = "market:cost-avoidance-export"
    title = "Cost avoidance"
    summary = (
        "What block contracts saved against buying the same beds at spot prices, per contract year: the block "
        "cost, the spot equivalent along the council's inflation path, and the void and spot-to-block conversion "
        "dampeners taken off the gross avoidance."
    )

    columns_shown = (
        "Contract year",
        "From",
        "To",
        "Block cost (£)",
        "Spot-equivalent cost (£)",
        "Net cost avoidance (£)",
    )

    def answer(self, arguments):
        return cost_avoidance(**arguments)

    def headline(self, answer):
        total = answer.total
        return [
            {"label": "Net cost avoidance", "value": present.money(total.net_avoidance, pence=False)},
            {"label": "Block cost", "value": present.money(total.block_cost, pence=False)},
            {
                "label": "At spot prices it would have cost",
                "value": present.money(total.spot_equivalent_cost, pence=False),
            },
        ]

    def figures(self, answer):
        chart = bar_chart(
            title="Net cost avoidance per contract year",
            series=["Net cost avoidance"],
            rows=[(f"Year {year.year} ({year.start:%b %Y})", [year.net_avoidance]) for year in answer.years],
            unit="£",
            description="Horizontal bars, one per contract year; a bar left of the zero line is a year that cost more.",
        )
        return {
            "charts": [chart],
            "head": exports.COST_AVOIDANCE_HEADERS,
            "rows": exports.cost_avoidance_rows(answer),
            "period": f"Up to {present.day(answer.through)}",
        }


class UtilisationPage(AnalysisPage):
    form_class = UtilisationForm
    export_url_name = "market:utilisation-export"
    title = "Quarterly utilisation review"
    summary = (
        "Block bed-days contracted and occupied in a financial quarter per contract, care home or district, the "
        "void level and what the void beds cost; and the avoidable spot purchases (spot beds bought while a block "
        "bed of their care type was free nearby) with their cost above the block rate a week, per district."
    )

    # Not the quarter (the same on every row: the page's heading says it once) nor the bed-day counts.
    columns_shown = (
        "District",
        "Utilisation (%)",
        "Void level (%)",
        "Void cost (£)",
        "Avoidable spot purchases",
        "Avoidable spot cost a week (£)",
    )

    def shown_columns(self, head):
        return [1, *super().shown_columns(head)]  # the row's contract, care home or district first

    def headline(self, answer):
        total = answer.total
        return [
            {"label": "Block beds used", "value": _percent(total.utilisation), "note": "of the bed-days contracted"},
            {"label": "Void beds cost", "value": present.money(total.void_cost, pence=False)},
            {"label": "Avoidable spot purchases", "value": present.number(total.avoidable_spot_purchases)},
        ]

    def defaults(self):
        today = timezone.localdate()
        year = today.year if today.month >= 4 else today.year - 1
        return {"year": str(year), "quarter": str((today.month - 4) % 12 // 3 + 1), "group_by": "contract"}

    def answer(self, arguments):
        return utilisation_review(**arguments)

    def figures(self, answer):
        chart = bar_chart(
            title=f"Utilisation of block beds per {answer.group_by}",
            series=["Utilisation"],
            rows=[(row.label, [round(100 * (row.utilisation or 0), 1)]) for row in answer.rows],
            unit="%",
            description="Horizontal bars, one per row of the review, of occupied bed-days as a share of contracted.",
        )
        return {
            "charts": [chart],
            "head": exports.utilisation_headers(answer),
            "rows": exports.utilisation_rows(answer),
            "period": (
                f"{answer.year}/{(answer.year + 1) % 100:02d} quarter {answer.quarter}: "
                f"{present.period(answer.start, answer.end)}"
            ),
        }


class MarketShapePage(AnalysisPage):
    form_class = MarketShapeForm
    export_url_name = "market:market-shape-export"
    template_name = "market/analysis/market_shape.html"
    title = "Market shape"
    summary = (
        "Providers' shares of block beds in each district and care type, the concentration (HHI, from 0 to "
        "10,000), small providers' share, beds in homes rated Requires improvement or Inadequate, and the "
        "settings and providers beyond the council's limits."
    )

    columns_shown = (
        "District",
        "Care type",
        "Concentration (HHI)",
        "Provider",
        "Provider's block beds",
        "Provider's share (%)",
    )

    def answer(self, arguments):
        return market_shape(**arguments)

    def headline(self, answer):
        concentrated = [row for row in answer.rows if (row.hhi or 0) > 2500]
        return [
            {
                "label": "Highly concentrated",
                "value": present.number(len(concentrated)),
                "note": f"of {len(answer.rows)} districts and care types (HHI above 2,500)",
            },
            {
                "label": "Beyond the council's limits",
                "value": present.number(len(answer.breaches)),
                "note": "care homes and providers",
            },
        ]

    def figures(self, answer):
        chart = bar_chart(
            title="Concentration (HHI) per district and care type",
            series=["HHI"],
            rows=[(f"{row.district_name}, {present.label(row.care_type)}", [row.hhi or 0]) for row in answer.rows],
            description="Horizontal bars, one per district and care type; above 2,500 is highly concentrated.",
        )
        groups = [
            {
                "row": row,
                "small_share": _percent(row.small_provider_share),
                "poor_share": _percent(row.poor_rating_share),
            }
            for row in answer.rows
        ]
        return {
            "charts": [chart],
            "head": exports.MARKET_SHAPE_HEADERS,
            "rows": exports.market_shape_rows(answer),
            "groups": groups,
            "period": present.day(answer.on),
        }


class ProgrammePage(AnalysisPage):
    """A micro-enterprise development programme: hours a week per quarter against the planned trajectory, and
    the cumulative cash flow (cost avoidance less spending) to break-even, actual and forecast."""

    capability = caps.READ_PLANS  # the programmes API's readers
    form_class = ProgrammeForm
    export_url_name = "market:programme-figures-export"
    template_name = "market/analysis/programme.html"
    title = "Micro-enterprise programme"
    summary = (
        "Micro-enterprises' hours of care a week at each quarter's end against the programme's planned trajectory, "
        "and the cumulative cash flow (cost avoidance less spending) to the quarter it breaks even, actual to the "
        "day asked about and forecast from the trajectory."
    )

    columns_shown = (
        "Quarter",
        "End",
        "Enquiries in the year",
        "Trading at the end",
        "Hours a week",
        "Planned hours a week",
        "Cumulative cash flow (£)",
        "Forecast cumulative cash flow (£)",
    )

    def export_kwargs(self, arguments):
        return {"pk": arguments["programme"].pk}

    def headline(self, answer):
        reached = [quarter for quarter in answer["quarters"] if quarter["start"] <= answer["on"]]
        if not reached:
            return []
        latest = reached[-1]
        return [
            {
                "label": f"Hours of care a week (quarter {latest['quarter']})",
                "value": present.number(latest["hours_per_week"]),
                "note": f"planned {present.number(latest['planned_hours_per_week'])}",
            },
            {"label": "Trading", "value": present.number(latest["trading"]), "note": "micro-enterprises"},
            {
                "label": "Breaks even",
                "value": (
                    f"Quarter {answer['break_even_quarter']}"
                    if answer.get("break_even_quarter")
                    else f"Quarter {answer['forecast_break_even_quarter']} (forecast)"
                    if answer.get("forecast_break_even_quarter")
                    else "Not within the programme"
                ),
            },
        ]

    def answer(self, arguments):
        return programme_figures(**arguments)

    def figures(self, answer):
        quarters = answer["quarters"]
        trajectory = bar_chart(
            title="Hours a week: actual against the planned trajectory",
            series=["Actual", "Planned"],
            rows=[
                (f"Q{q['quarter']} ({q['end']:%b %Y})", [q["hours_per_week"], q["planned_hours_per_week"]])
                for q in quarters
            ],
            grouped=True,
            description="Two bars per programme quarter: the hours a week delivered at its end, then those planned.",
        )
        cash = bar_chart(
            title="Cumulative cash flow to break-even",
            series=["Actual", "Forecast"],
            rows=[
                (f"Q{q['quarter']} ({q['end']:%b %Y})", [q["cumulative_cash_flow"], q["forecast_cumulative_cash_flow"]])
                for q in quarters
            ],
            unit="£",
            grouped=True,
            description=(
                "Two bars per programme quarter, actual then forecast: left of the zero line the programme has cost "
                "more than it avoided so far; it breaks even in the first quarter whose bar reaches the right."
            ),
        )
        return {
            "charts": [trajectory, cash],
            "head": PROGRAMME_FIGURES_HEADERS,
            "rows": programme_figures_rows(answer),
            "period": f"{answer['name']}, actual figures up to {present.day(answer['on'])}",
        }


class MarketIndexPage(RoleRequiredMixin, TemplateView):
    # The analysis readers; an administrator, who may read capacity gaps and programmes like their APIs, opens
    # those pages by their address and keeps the admin as their start page.
    capability = caps.READ_ANALYSIS
    template_name = "market/analysis/index.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(market_pages=market_pages(self.request), **kwargs)


# The market pages in the order of their sub navigation: (label, URL name, view).
PAGES = [
    ("Capacity gaps", "market-web:capacity-gaps", CapacityGapsPage),
    ("Block and spot", "market-web:block-spot", BlockSpotPage),
    ("Cost avoidance", "market-web:cost-avoidance", CostAvoidancePage),
    ("Utilisation review", "market-web:utilisation", UtilisationPage),
    ("Market shape", "market-web:market-shape", MarketShapePage),
    ("Micro-enterprise programme", "market-web:programme", ProgrammePage),
]


def market_pages(request) -> list[dict]:
    entries = []
    for label, url_name, view in PAGES:
        if not view.capability.allows(request.user):
            continue
        href = reverse(url_name)
        entries.append({"label": label, "href": href, "summary": view.summary, "current": request.path == href})
    return entries
